"""Random Shapes World v1 scenes, and whole training examples (plan, caption, image).

Everything is drawn from the numpy Generator passed in, so a seed fixes the scene. Box
coordinates are rounded to 4 decimals, the precision of ScenePlan.to_dict, so a plan read back
from JSON is the same plan and passes the same checks.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..plan.rules import GAP, apart
from ..plan.scene_plan import SceneObject, ScenePlan
from ..world import BACKGROUNDS, CANVAS_PX, COLORS, MAX_OBJECTS, SHAPES, SIZES_PX
from .shapes_captions import Caption, caption_scene
from .shapes_render import render

JITTER = 0.08              # box side within +-8% of nominal: inside the +-10% rules allow
REPEAT_P = 0.35            # chance an object copies an earlier one's look ("three red stars")
EXCLUDE_P = 0.30           # chance a scene carries exclusions ("... and no blue things")
PLACE_TRIES = 60           # random positions tried per object before it is made smaller
MAX_RESTARTS = 8           # whole-scene retries before every object is drawn small
_SMALLER = {"large": "medium", "medium": "small"}
_DECIMALS = 4


@dataclass(frozen=True)
class Example:
    plan: ScenePlan
    caption: Caption
    image: np.ndarray        # (size, size, 3) uint8


def _pick(rng: np.random.Generator, options):
    options = list(options)
    return options[int(rng.integers(len(options)))]


def _looks(rng: np.random.Generator, n: int) -> list[tuple[str, str, str]]:
    """(shape, color, size) per object; some repeat an earlier one so scenes have groups."""
    looks: list[tuple[str, str, str]] = []
    for _ in range(n):
        if looks and rng.random() < REPEAT_P:
            looks.append(_pick(rng, looks))
        else:
            looks.append((_pick(rng, SHAPES), _pick(rng, COLORS), _pick(rng, SIZES_PX)))
    return looks


def _try_place(rng: np.random.Generator, shape: str, color: str, size: str,
               placed: list[SceneObject]) -> SceneObject | None:
    """A box at the first of PLACE_TRIES random positions that keeps MIN_GAP_PX from the rest.

    All candidates are drawn at once and screened with numpy; rules.apart, on the rounded box,
    has the final word so the sampler and the consistency check can never disagree.
    """
    side = SIZES_PX[size] * (1 + rng.uniform(-JITTER, JITTER)) / CANVAS_PX
    corners = rng.uniform(0.0, 1.0 - side, size=(PLACE_TRIES, 2))          # (T, 2): x0, y0
    ok = np.ones(PLACE_TRIES, dtype=bool)
    for other in placed:
        ox0, oy0, ox1, oy1 = other.box
        x0, y0 = corners[:, 0], corners[:, 1]
        ok &= ((x0 + side + GAP <= ox0) | (ox1 + GAP <= x0)
               | (y0 + side + GAP <= oy0) | (oy1 + GAP <= y0))
    for x0, y0 in corners[ok]:
        box = tuple(round(float(v), _DECIMALS) for v in (x0, y0, x0 + side, y0 + side))
        obj = SceneObject(shape=shape, color=color, size=size, box=box)
        if all(apart(obj, other) for other in placed):
            return obj
    return None


def _place_all(rng: np.random.Generator, looks) -> list[SceneObject]:
    """Rejection-sample positions; an object that finds no room shrinks a size class.

    Six large boxes barely fit on 64 x 64 at all, so crowded scenes need the fallback. If even a
    small box finds no room, start over; after a few such restarts everything is drawn small,
    which always fits quickly, so the loop ends.
    """
    for _ in range(MAX_RESTARTS):
        placed = _place_once(rng, looks)
        if placed is not None:
            return placed
    small = [(shape, color, "small") for shape, color, _ in looks]
    while (placed := _place_once(rng, small)) is None:
        pass
    return placed


def _place_once(rng: np.random.Generator, looks) -> list[SceneObject] | None:
    placed: list[SceneObject] = []
    for shape, color, size in looks:
        obj = _try_place(rng, shape, color, size, placed)
        while obj is None and size in _SMALLER:
            size = _SMALLER[size]
            obj = _try_place(rng, shape, color, size, placed)
        if obj is None:
            return None
        placed.append(obj)
    return placed


def _exclusion_candidates(objects: list[SceneObject]) -> list[dict]:
    """Selectors (colour, shape, or both) that no object in the scene matches."""
    colors = {o.color for o in objects}
    shapes = {o.shape for o in objects}
    pairs = {(o.color, o.shape) for o in objects}
    candidates = [{"color": c} for c in COLORS if c not in colors]
    candidates += [{"shape": s} for s in SHAPES if s not in shapes]
    candidates += [{"color": c, "shape": s} for c in COLORS for s in SHAPES
                   if (c, s) not in pairs and c in colors and s in shapes]
    return candidates


def _overlaps(a: dict, b: dict) -> bool:
    """True when one selector covers the other ("no blue things" already says "no blue squares")."""
    return all(b.get(k) == v for k, v in a.items()) or all(a.get(k) == v for k, v in b.items())


def _exclusions(rng: np.random.Generator, objects: list[SceneObject]) -> tuple[dict, ...]:
    if rng.random() >= EXCLUDE_P:
        return ()
    candidates = _exclusion_candidates(objects)
    # Draw the kind first so colour-only, shape-only and pair exclusions are all common.
    by_kind: dict[tuple, list[dict]] = {}
    for sel in candidates:
        by_kind.setdefault(tuple(sorted(sel)), []).append(sel)
    chosen: list[dict] = []
    for _ in range(int(rng.integers(1, 3))):
        fresh = {kind: [s for s in sels if not any(_overlaps(s, c) for c in chosen)]
                 for kind, sels in by_kind.items()}
        fresh = {kind: sels for kind, sels in fresh.items() if sels}
        if not fresh:
            break
        chosen.append(_pick(rng, fresh[_pick(rng, fresh)]))
    return tuple(chosen)


def sample_scene(rng: np.random.Generator, n_objects: int | None = None) -> ScenePlan:
    """A random scene that passes plan.rules.consistency_problems: 1 to 6 objects, apart."""
    if n_objects is None:
        n_objects = int(rng.integers(1, MAX_OBJECTS + 1))
    if not 1 <= n_objects <= MAX_OBJECTS:
        raise ValueError(f"a scene holds 1 to {MAX_OBJECTS} objects, got {n_objects}")
    background = _pick(rng, BACKGROUNDS)
    objects = _place_all(rng, _looks(rng, n_objects))
    return ScenePlan(background=background, objects=tuple(objects),
                     exclude=_exclusions(rng, objects))


def sample_example(seed: int, index: int, size: int = 64) -> Example:
    """Example `index` of the dataset with this seed: its own stream, so any item is cheap."""
    rng = np.random.default_rng([seed, index])
    plan = sample_scene(rng)
    return Example(plan=plan, caption=caption_scene(plan, rng), image=render(plan, size))
