"""How often the verifier reads a scene's objects exactly right, on fresh Shapes World renders.

Objects are matched one to one by box IoU (greedy, highest first). A matched pair agrees when
IoU >= 0.5 and shape, colour and size are equal. Agreement = agreeing pairs / (truth objects +
found objects - agreeing pairs): every miss and every invented object counts against it. Scenes
come from seeds the verifier's recipe never trains on.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..data.degrade import DEGRADATIONS
from ..data.shapes_render import render
from ..data.shapes_sampler import sample_scene
from ..errors import InputError
from ..plan.scene_plan import ScenePlan

EVAL_SEED = 1_000_003      # training uses seed 0 (train/verifier_recipe.py)
MIN_IOU = 0.5


def box_iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match_objects(truth: ScenePlan, found: ScenePlan) -> list[tuple[int, int, float]]:
    """(truth index, found index, IoU) pairs, greedily by IoU; overlapping boxes only."""
    pairs = sorted(((box_iou(t.box, f.box), i, j) for i, t in enumerate(truth.objects)
                    for j, f in enumerate(found.objects)), reverse=True)
    used_t, used_f, matches = set(), set(), []
    for iou, i, j in pairs:
        if iou > 0 and i not in used_t and j not in used_f:
            used_t.add(i)
            used_f.add(j)
            matches.append((i, j, iou))
    return matches


@dataclass
class Tally:
    scenes: int = 0
    scenes_right: int = 0       # background and every object right, nothing extra
    background: int = 0
    truth: int = 0
    found: int = 0
    located: int = 0            # matched with IoU >= MIN_IOU
    shape: int = 0              # ... and the attribute right (counted over located pairs)
    color: int = 0
    size: int = 0
    agreeing: int = 0           # located with shape, colour and size right
    ious: list[float] = field(default_factory=list)
    mistakes: list[dict] = field(default_factory=list)

    def add(self, truth: ScenePlan, found: ScenePlan, index: int) -> None:
        self.scenes += 1
        self.truth += len(truth.objects)
        self.found += len(found.objects)
        self.background += truth.background == found.background
        agreeing = 0
        for i, j, iou in match_objects(truth, found):
            t, f = truth.objects[i], found.objects[j]
            self.ious.append(iou)
            if iou < MIN_IOU:
                continue
            self.located += 1
            self.shape += t.shape == f.shape
            self.color += t.color == f.color
            self.size += t.size == f.size
            agreeing += (t.shape, t.color, t.size) == (f.shape, f.color, f.size)
        self.agreeing += agreeing
        right = (agreeing == len(truth.objects) == len(found.objects)
                 and truth.background == found.background)
        self.scenes_right += right
        if not right and len(self.mistakes) < 20:
            self.mistakes.append({"scene": index, "truth": truth.to_dict(),
                                  "found": found.to_dict()})

    def report(self) -> dict:
        located = max(self.located, 1)
        return {
            "scenes": self.scenes, "objects": self.truth, "found": self.found,
            "agreement": _ratio(self.agreeing, self.truth + self.found - self.agreeing),
            "recall": _ratio(self.agreeing, self.truth),
            "precision": _ratio(self.agreeing, self.found),
            "scene_accuracy": _ratio(self.scenes_right, self.scenes),
            "background_accuracy": _ratio(self.background, self.scenes),
            "located": _ratio(self.located, self.truth),
            "shape_accuracy": round(self.shape / located, 5),
            "color_accuracy": round(self.color / located, 5),
            "size_accuracy": round(self.size / located, 5),
            "median_iou": round(float(np.median(self.ious)), 4) if self.ious else None,
            "p5_iou": round(float(np.percentile(self.ious, 5)), 4) if self.ious else None,
        }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 5) if b else None


def eval_scenes(n: int, seed: int, degradation: str):
    """(index, plan, pixels) of evaluation scene i: sample_scene(rng([seed, i])), degraded."""
    if degradation not in DEGRADATIONS:
        raise InputError(f"unknown degradation {degradation!r}; known: {', '.join(DEGRADATIONS)}")
    degrade = DEGRADATIONS[degradation]
    for i in range(n):
        plan = sample_scene(np.random.default_rng([seed, i]))
        yield i, plan, degrade(render(plan), np.random.default_rng([seed, i, 1]))


def evaluate_verifier(verifier, n: int = 1000, seed: int = EVAL_SEED,
                      degradation: str = "exact", batch: int = 64,
                      progress: Callable[[int, int], None] | None = None) -> dict:
    """Agreement report on n fresh scenes; images/s counts reading time only (not rendering)."""
    if n < 1:
        raise InputError(f"evaluate at least 1 scene, got n={n}")
    tally, seconds, pending = Tally(), 0.0, []

    def flush() -> None:
        nonlocal seconds
        start = time.perf_counter()
        readings = verifier.read_many([pixels for _, _, pixels in pending])
        seconds += time.perf_counter() - start
        for (index, plan, _), reading in zip(pending, readings):
            tally.add(plan, reading.plan, index)
        pending.clear()
        if progress is not None:
            progress(tally.scenes, n)

    for item in eval_scenes(n, seed, degradation):
        pending.append(item)
        if len(pending) == batch:
            flush()
    if pending:
        flush()
    return {"degradation": degradation, "seed": seed, **tally.report(),
            "images_per_second": round(n / seconds, 1), "mistakes": tally.mistakes}
