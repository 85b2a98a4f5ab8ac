"""What the language-model planners share: the instruction, the few-shot examples, and the
ask → check → retry once → fall back loop (the checks are in llm_answer.py).

The approach is LLM-grounded Diffusion's (Lian et al., 2023, "LLM-grounded Diffusion"): the model
writes the layout as structured text after a few worked examples. Its answer is never trusted:
it must parse as a ScenePlan, be drawable once sizes are grounded, and be about the prompt.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable

from ..errors import InputError, PlanError, TurbogenError
from ..world import BACKGROUNDS, COLORS, MAX_OBJECTS, PLACE_HIGH, PLACE_LOW, SHAPES, SIZES_PX
from ..world import size_fraction
from .base import PlanResult
from .llm_answer import InvalidAnswer, ModelRejection, parse_answer
from .prompt_text import check_prompt
from .scene_plan import ScenePlan

ANSWER_START = '{"background": "'     # constrained start for models that allow a forced prefix
_SIDES = ", ".join(f"{n} {size_fraction(n):.2f}" for n in SIZES_PX)

SYSTEM = f"""You turn a description of a picture into a scene plan: one JSON object, nothing else.
The picture is a 64 x 64 canvas of flat shapes. A box is [x0, y0, x1, y1] with numbers from 0 to 1,
origin at the top left, y growing downwards.
Shapes: {", ".join(SHAPES)}. Colors: {", ".join(COLORS)}.
Backgrounds: {", ".join(BACKGROUNDS)} (white unless the description says otherwise).
Sizes, as the side of the square box: {_SIDES} (medium unless the description says otherwise;
tiny means small, big means large).
Rules:
- 1 to {MAX_OBJECTS} objects; one entry per object, so "three stars" is three entries.
- Boxes stay inside the canvas and at least 0.04 apart.
- "A left of B" means every A box centre has a smaller x than every B box centre; "A above B"
  means a smaller y. "In the left" means centre x below {PLACE_LOW}, "right" above {PLACE_HIGH};
  "top" means centre y below {PLACE_LOW}, "bottom" above {PLACE_HIGH}.
- "no X", "without X" and "nothing X" go into "exclude"; no object may match an exclude entry.
- A request for anything outside this world gets {{"error": "..."}} naming the unknown word."""


def _obj(shape: str, color: str, size: str, x0: float, y0: float) -> dict:
    side = round(size_fraction(size), 2)
    return {"shape": shape, "color": color, "size": size,
            "box": [x0, y0, round(x0 + side, 2), round(y0 + side, 2)]}


def _answer(background: str, objects: list[dict], exclude: list[dict] | None = None) -> dict:
    # keys in this order on purpose: a causal model that has written "exclude" first can respect
    # it while choosing objects (ScenePlan.to_dict puts objects first; any order parses)
    return {"background": background, "exclude": exclude or [], "objects": objects}


# Worked examples: counts, relations as positions, absolute places, sizes, negation, unstated
# attributes, backgrounds, and one refusal. tests/test_llm_prompt.py checks every one validates.
EXAMPLES: list[tuple[str, dict]] = [
    ("a red circle",
     _answer("white", [_obj("circle", "red", "medium", 0.38, 0.38)])),
    ("two small yellow diamonds to the left of a purple square on gray",
     _answer("gray", [_obj("diamond", "yellow", "small", 0.12, 0.22),
                      _obj("diamond", "yellow", "small", 0.12, 0.56),
                      _obj("square", "purple", "medium", 0.6, 0.38)])),
    ("a large orange star in the bottom left corner and no blue things",
     _answer("white", [_obj("star", "orange", "large", 0.06, 0.56)], [{"color": "blue"}])),
    ("four tiny cyan circles on a black background",
     _answer("black", [_obj("circle", "cyan", "small", x, y)
                       for y in (0.17, 0.67) for x in (0.17, 0.67)])),
    ("a pink triangle below a green star, without blue squares",
     _answer("white", [_obj("star", "green", "medium", 0.38, 0.1),
                       _obj("triangle", "pink", "medium", 0.38, 0.6)],
             [{"color": "blue", "shape": "square"}])),
    ("a big blue diamond to the right of two red circles",
     _answer("white", [_obj("circle", "red", "medium", 0.08, 0.15),
                       _obj("circle", "red", "medium", 0.08, 0.6),
                       _obj("diamond", "blue", "large", 0.56, 0.31)])),
    ("a circle and a triangle, nothing green, on black",
     _answer("black", [_obj("circle", "orange", "medium", 0.12, 0.38),
                       _obj("triangle", "blue", "medium", 0.62, 0.38)], [{"color": "green"}])),
    ("a dog on a white background",
     {"error": f"unknown object 'dog'; Shapes World has {', '.join(SHAPES)}"}),
]


def build_messages(prompt: str) -> list[dict]:
    """Chat messages: the instruction, the worked examples as past turns, then the prompt."""
    messages = [{"role": "system", "content": SYSTEM}]
    for example, answer in EXAMPLES:
        messages.append({"role": "user", "content": example})
        messages.append({"role": "assistant", "content": json.dumps(answer)})
    messages.append({"role": "user", "content": prompt})
    return messages


def retry_messages(messages: list[dict], answer: str, problem: str) -> list[dict]:
    """The conversation so far, the model's answer, and what was wrong with it."""
    return messages + [
        {"role": "assistant", "content": answer},
        {"role": "user", "content": f"That plan is invalid: {problem}. "
                                    "Answer again with the corrected JSON object only."},
    ]


# ---- the shared loop: ask → validate → retry once → fall back ------------------------------

AskMany = Callable[[list[list[dict]]], list[str]]   # conversations -> answer texts, same order


@dataclass
class Outcome:
    plan: ScenePlan | None
    used: str                            # planner whose plan this is
    fallback_reason: str | None = None
    error: TurbogenError | None = None   # raised by plan(), reported by plan_many()


def plan_with_model(prompts: list[str], seeds: list[int], ask_many: AskMany, name: str,
                    fallback) -> list[Outcome]:
    """Plan every prompt with the model, batching each round through `ask_many`.

    Round 1 asks every prompt; round 2 re-asks the invalid ones with their answer and its
    problem appended; what is still invalid goes to `fallback.plan(prompt, seed)`. Errors of
    the backend itself (PlannerUnavailable) propagate: they concern every prompt alike.
    """
    outcomes: list[Outcome | None] = [None] * len(prompts)
    pending: dict[int, list[dict]] = {}
    for i, prompt in enumerate(prompts):
        try:
            pending[i] = build_messages(check_prompt(prompt))
        except InputError as err:
            outcomes[i] = Outcome(None, name, error=err)
    problems: dict[int, str] = {}
    for round_ in (1, 2):
        if not pending:
            break
        order = sorted(pending)
        answers = ask_many([pending[i] for i in order])
        retry = {}
        for i, answer in zip(order, answers):
            try:
                outcomes[i] = Outcome(parse_answer(answer, prompts[i].strip()), name)
            except ModelRejection as err:
                outcomes[i] = _check_refusal(fallback, prompts[i], seeds[i], name, err)
            except InvalidAnswer as err:
                problems[i] = str(err)
                retry[i] = retry_messages(pending[i], answer, str(err))
        pending = retry
    for i in pending:
        outcomes[i] = _fall_back(fallback, prompts[i], seeds[i], name, problems[i])
    return outcomes


def _fall_back(fallback, prompt: str, seed: int, name: str, problem: str) -> Outcome:
    used = getattr(fallback, "name", "fallback")
    reason = f"{name} output invalid twice: {problem}; used {used}"
    try:
        return Outcome(fallback.plan(prompt, seed=seed), used, reason)
    except (PlanError, InputError) as err:
        return Outcome(None, used, reason, error=err)


def _check_refusal(fallback, prompt: str, seed: int, name: str,
                   refusal: ModelRejection) -> Outcome:
    """A model's refusal stands only when the fallback planner, which knows the world's rules
    exactly, refuses too; its error then goes to the user, since it names what is unknown and
    what is accepted. Small models refuse valid prompts they do not understand ("a ruby dot")."""
    used = getattr(fallback, "name", "fallback")
    try:
        plan = fallback.plan(prompt, seed=seed)
    except (PlanError, InputError) as err:
        return Outcome(None, name, error=err)
    said = str(refusal)
    said = said if len(said) <= 120 else said[:117] + "..."   # small models repeat themselves
    return Outcome(plan, used, f"{name} refused the prompt ({said}), but {used} could plan it; "
                               f"used {used}")


def first_outcome(outcomes: list[Outcome], planner) -> ScenePlan:
    """plan()'s ending: record what was used on `planner`, then return the plan or raise."""
    outcome = outcomes[0]
    planner.last_used, planner.last_fallback = outcome.used, outcome.fallback_reason
    if outcome.error is not None:
        raise outcome.error
    return outcome.plan


# ---- the planner interface, shared by every language-model planner --------------------------
# A planner here has `name`, `fallback`, `last_used` and `last_fallback` (read by base.run_planner).

def plan_one(planner, prompt: str, seed: int, ask_many: AskMany) -> ScenePlan:
    """Planner.plan(): the plan, or the user-facing error (InputError, PlanError)."""
    outcomes = plan_with_model([prompt], [seed], ask_many, planner.name, planner.fallback)
    return first_outcome(outcomes, planner)


def plan_results(planner, prompts: list[str], seed: int, ask_many: AskMany) -> list[PlanResult]:
    """Planner.plan_many(): prompt i gets seed + i; each result's `seconds` is its share of the
    whole call, since a batch's prompts finish together."""
    start = time.perf_counter()
    seeds = [seed + i for i in range(len(prompts))]
    outcomes = plan_with_model(prompts, seeds, ask_many, planner.name, planner.fallback)
    share = (time.perf_counter() - start) / max(len(prompts), 1)
    if outcomes:
        planner.last_used, planner.last_fallback = outcomes[-1].used, outcomes[-1].fallback_reason
    return [PlanResult(prompt=p, plan=o.plan, planner=o.used, seed=s, seconds=share,
                       error=None if o.error is None else str(o.error),
                       fallback_reason=o.fallback_reason)
            for p, s, o in zip(prompts, seeds, outcomes)]
