"""Best of N: draw candidates until the verifier accepts one.

A verifier is any function `(image (64, 64, 3) uint8, facts) -> list of failures` (empty =
faithful); facts are in plan/facts.py format. The default one reads the image back with the
bundled verifier (pipelines/caption.py). Candidate k of image i uses seed seeds[i] + k * n (n
images), so every candidate of every image has its own plan and noise, and candidate 0 is the
plain `generate` result.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, TurbogenError
from ..plan.scene_plan import ScenePlan
from .text2img import Generated, Text2Img


@dataclass
class VerifyReport:
    candidates: int                      # how many were drawn for this image
    accepted: bool                       # the kept image passed the verifier
    failures: list[str] = field(default_factory=list)   # of the kept image

    def to_dict(self) -> dict:
        return {"candidates": self.candidates, "accepted": self.accepted,
                "failures": self.failures}


def load_verifier():
    """The bundled image verifier as `(image, facts) -> failures`; InputError when missing."""
    try:
        from .caption import Verifier
        verifier = Verifier.load()
    except (ImportError, OSError) as err:
        raise InputError(f"--verify needs the image verifier, which is not available: {err}") \
            from None
    return verifier.faithfulness


def prompt_facts(prompt: str) -> dict | None:
    """What the prompt states, as the default planner's grammar reads it; None if unreadable."""
    from ..plan.default import DefaultPlanner, request_facts
    try:
        return request_facts(DefaultPlanner().read(prompt))
    except TurbogenError:
        return None


def plan_facts(plan: ScenePlan) -> dict:
    """Every object of a plan (exact counts per look), its background and exclusions."""
    looks = Counter((o.shape, o.color, o.size) for o in plan.objects)
    return {"objects": [{"count": n, "shape": s, "color": c, "size": z}
                        for (s, c, z), n in looks.items()],
            "exact_total": True, "background": plan.background,
            "exclude": [dict(e) for e in plan.exclude]}


def generate_verified(pipe: Text2Img, prompts: list[str] | None = None, *,
                      plans: list[ScenePlan] | None = None, seed: int = 0, candidates: int = 4,
                      verifier=None, **kwargs) -> tuple[Generated, list[VerifyReport]]:
    """Like `pipe(...)`, redrawing each image that fails the verifier, up to `candidates`
    times; an image no candidate satisfies keeps the one with the fewest failures."""
    if candidates < 1:
        raise InputError(f"--verify takes the number of candidates (1 or more), got {candidates}")
    verifier = verifier or load_verifier()
    first = pipe(prompts, plans=plans, seed=seed, **kwargs)
    before = dict(first.timings)          # the redraws' own timings are added to these
    n = len(first.plans)
    facts = [(prompt_facts(p) if prompts is not None else None) or plan_facts(plan)
             for p, plan in zip(prompts or [None] * n, first.plans)]
    t0 = time.perf_counter()
    failures = [verifier(img, f) for img, f in zip(first.images, facts)]
    counts = [1] * n
    for k in range(1, candidates):
        todo = [i for i in range(n) if failures[i]]
        if not todo:
            break
        again = pipe([prompts[i] for i in todo] if prompts is not None else None,
                     plans=[plans[i] for i in todo] if plans is not None else None,
                     seeds=[first.seeds[i] + k * n for i in todo], **kwargs)
        for j, i in enumerate(todo):
            counts[i] += 1
            fails = verifier(again.images[j], facts[i])
            if len(fails) < len(failures[i]):
                first.images[i] = again.images[j]
                first.plans[i], first.seeds[i], failures[i] = again.plans[j], again.seeds[j], fails
        for key, value in again.timings.items():
            first.timings[key] = first.timings.get(key, 0.0) + value
    redraws = first.timings.get("total", 0.0) - before.get("total", 0.0)
    verify_s = time.perf_counter() - t0 - redraws
    first.timings["verify"] = verify_s
    first.timings["total"] = first.timings.get("total", 0.0) + verify_s
    reports = [VerifyReport(c, not f, list(f)) for c, f in zip(counts, failures)]
    first.images = np.ascontiguousarray(first.images)
    return first, reports
