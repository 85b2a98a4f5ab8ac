"""The planner interface: prompt in, ScenePlan out, with what was used to get it."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import PlannerUnavailable, TurbogenError
from .scene_plan import ScenePlan


@dataclass
class PlanResult:
    prompt: str
    plan: ScenePlan | None
    planner: str                        # the planner that produced `plan`
    seed: int
    seconds: float
    error: str | None = None            # set when the prompt could not be planned
    fallback_reason: str | None = None  # set when a language model failed and `default` stepped in
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan is not None

    def to_dict(self) -> dict:
        out = {"prompt": self.prompt, "planner": self.planner, "seed": self.seed,
               "seconds": round(self.seconds, 5)}
        if self.plan is not None:
            out["plan"] = self.plan.to_dict()
        if self.error is not None:
            out["error"] = self.error
        if self.fallback_reason is not None:
            out["fallback_reason"] = self.fallback_reason
        if self.notes:
            out["notes"] = self.notes
        return out


class Planner(Protocol):
    name: str

    def plan(self, prompt: str, seed: int = 0) -> ScenePlan:
        """Return a valid plan for `prompt` or raise PlanError / InputError."""


def run_planner(planner, prompt: str, seed: int = 0) -> PlanResult:
    """Plan one prompt, turning a user-facing error into a PlanResult instead of raising.

    A missing backend (PlannerUnavailable) still raises: it is no fault of this prompt, and
    every other prompt would fail the same way. Planners that can fall back (language models)
    set `last_fallback` after each call.
    """
    start = time.perf_counter()
    try:
        plan = planner.plan(prompt, seed=seed)
        error = None
    except PlannerUnavailable:
        raise
    except TurbogenError as err:
        plan, error = None, str(err)
    used = getattr(planner, "last_used", planner.name) if plan is not None else planner.name
    return PlanResult(prompt=prompt, plan=plan, planner=used, seed=seed,
                      seconds=time.perf_counter() - start, error=error,
                      fallback_reason=getattr(planner, "last_fallback", None),
                      notes=list(getattr(planner, "last_notes", [])))


def plan_batch(planner, prompts: list[str], seed: int = 0) -> list[PlanResult]:
    """Plan many prompts; prompt i gets seed + i. Planners with `plan_many` batch internally."""
    if hasattr(planner, "plan_many"):
        return planner.plan_many(prompts, seed=seed)
    return [run_planner(planner, p, seed + i) for i, p in enumerate(prompts)]
