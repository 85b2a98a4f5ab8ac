"""Variations: image -> caption -> new images with the same content, arranged anew.

The "understand, then regenerate" loop: the verifier reads the image into a plan and a
caption (pipelines/caption.py); the caption goes back through the planner with a new seed
per image, which lays the same objects out afresh (plan/layout.py); the generator draws each
new plan, and with `tries` > 1 each drawing is read back and redrawn until it shows the same
objects and background (pipelines/text2img_verify.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..plan.scene_plan import ScenePlan
from .caption import Verifier
from .text2img import Text2Img
from .text2img_verify import VerifyReport, generate_verified, plan_facts


@dataclass
class Variations:
    images: np.ndarray              # (N, 64, 64, 3) uint8
    source: ScenePlan               # what the input was read as
    caption: str
    plans: list[ScenePlan]
    reports: list[VerifyReport]     # per image: tries, and whether it keeps the content
    seeds: list[int]


def vary(pipe: Text2Img, verifier: Verifier, image: np.ndarray, n: int, seed: int = 0,
         tries: int = 1) -> Variations:
    if n < 1:
        raise InputError(f"-n takes the number of variations (1 or more), got {n}")
    # 1. understand
    reading = verifier.read(image)
    if not reading.plan.objects:
        raise InputError("nothing to vary: the verifier finds no object in the image")
    # 2. regenerate from the caption, a new layout per seed
    result, _ = generate_verified(pipe, [reading.caption] * n, seed=seed, candidates=tries,
                                  verifier=verifier.faithfulness)
    # 3. check the content against the source, whatever the planner made of the caption
    content = {k: v for k, v in plan_facts(reading.plan).items() if k != "exclude"}
    reports = []
    for i, out in enumerate(result.images):
        failures = verifier.faithfulness(out, content)
        reports.append(VerifyReport(candidates=tries, accepted=not failures, failures=failures))
    return Variations(result.images, reading.plan, reading.caption, result.plans, reports,
                      result.seeds)
