"""Planners by name. Each is imported only when asked for: the language models are heavy."""
from __future__ import annotations

from ..errors import InputError

PLANNER_HELP = {
    "default": "grammar + MiniLM word matching + layout solver (fast, offline)",
    "smollm2": "SmolLM2-135M-Instruct fills in the plan's JSON (few-shot, constrained "
               "decoding); falls back to default",
    "openai": "any OpenAI-compatible chat endpoint (--endpoint URL --model NAME); "
              "falls back to default",
}
PLANNER_NAMES = tuple(PLANNER_HELP)


def make_planner(name: str, *, endpoint: str | None = None, model: str | None = None,
                 api_key: str | None = None, timeout: float = 60.0):
    """Build the planner called `name`; an unknown name lists the valid ones."""
    if name not in PLANNER_HELP:
        raise InputError(f"unknown planner {name!r}; choose one of: {', '.join(PLANNER_NAMES)}")
    from .default import DefaultPlanner
    default = DefaultPlanner()
    if name == "default":
        return default
    if name == "smollm2":
        from .smollm2 import SmolLM2Planner
        return SmolLM2Planner(fallback=default)
    if not endpoint or not model:
        raise InputError("the openai planner needs --endpoint URL (e.g. http://127.0.0.1:8080) "
                         "and --model NAME")
    from .openai_compat import OpenAICompatPlanner
    return OpenAICompatPlanner(endpoint, model, fallback=default, api_key=api_key,
                               timeout=timeout)
