"""Where an edited object goes: a free box at a place, beside or between other objects, or
near a spot, following the planner's rules (inside the canvas, 2 px apart, strictly inside a
named place). Used by plan/edit_apply.py.
"""
from __future__ import annotations

import numpy as np

from ..errors import PlanError
from ..world import size_fraction
from .edit_instruction import Edit
from .rules import GAP, place_ranges
from .scene_plan import SceneObject

EPS = 1e-3
CANDIDATES = 2048         # centres tried per placement; the nearest to the wanted spot wins


def boxes_apart(a, b) -> bool:
    return (a[2] + GAP <= b[0] + 1e-9 or b[2] + GAP <= a[0] + 1e-9
            or a[3] + GAP <= b[1] + 1e-9 or b[3] + GAP <= a[1] + 1e-9)



def with_box(obj: SceneObject, box) -> SceneObject:
    return SceneObject(shape=obj.shape, color=obj.color, size=obj.size,
                       box=tuple(round(float(v), 4) for v in box))


def destination(size: str, edit: Edit, refs, others, rng, obj) -> tuple:
    """A free box of `size` at the edit's place and beside its reference objects."""
    side = size_fraction(size)
    for clear in (True, False):
        bounds = np.array([[side / 2, 1 - side / 2], [side / 2, 1 - side / 2]])
        if edit.place:
            (xl, xh), (yl, yh) = place_ranges(edit.place)
            for axis, (lo, hi) in enumerate(((xl, xh), (yl, yh))):
                bounds[axis] = [max(bounds[axis][0], lo + (EPS if lo > 0 else 0)),
                                min(bounds[axis][1], hi - (EPS if hi < 1 else 0))]
        anchor = bounds.mean(axis=1)
        if edit.between is not None:       # halfway between the two
            anchor = np.mean([r.center for r in refs], axis=0)
        if edit.place and edit.place != "center":
            words = edit.place.split()
            for axis, (low, high) in enumerate((("left", "right"), ("top", "bottom"))):
                lo, hi = bounds[axis]
                if low in words:     # well into the place, a quarter of its width from the edge
                    anchor[axis] = lo + (hi - lo) / 4
                elif high in words:
                    anchor[axis] = hi - (hi - lo) / 4
                elif obj is not None:    # "move the star to the left": it keeps its height
                    anchor[axis] = obj.center[axis]
        relations = [None] if not edit.relation else BESIDE_ORDER \
            if edit.relation[0] == "beside" else [edit.relation[0]]
        for relation in relations:
            b, a = (bounds, anchor) if relation is None else \
                _beside(bounds, side, relation, refs, clear)
            if (b[:, 0] <= b[:, 1]).all():
                box = best_box(side, b, a, others, rng)
                if box is not None:
                    return box
    what = f"{obj.color} {obj.shape}" if obj is not None else "new object"
    where = " ".join(x for x in (edit.place and f"at the {edit.place}",
                                 edit.relation and f"{edit.relation[0]} "
                                 f"{edit.relation[1].describe()}") if x)
    raise PlanError(f"no free room for the {what} {where}: other objects are in the way")


BESIDE_ORDER = ("right of", "left of", "below", "above")
_AXIS = {"left of": (0, -1), "right of": (0, 1), "above": (1, -1), "below": (1, 1)}


def _beside(bounds, side, relation, refs, clear):
    """Narrow `bounds` so the centre is `relation` of every reference; anchor next to them."""
    axis, sign = _AXIS[relation]
    centres = np.array([r.center for r in refs])
    sides = np.array([r.box[2] - r.box[0] for r in refs])
    margin = (np.maximum(sides, side) / 2 + (GAP if clear else 0)) if clear else EPS
    bounds = bounds.copy()
    if sign < 0:
        bounds[axis][1] = min(bounds[axis][1], float(np.min(centres[:, axis] - margin)))
    else:
        bounds[axis][0] = max(bounds[axis][0], float(np.max(centres[:, axis] + margin)))
    anchor = centres.mean(axis=0)
    anchor[axis] += sign * (side + float(sides.max())) / 2 + sign * 2 * GAP
    return bounds, np.clip(anchor, bounds[:, 0], bounds[:, 1])


def best_box(side, bounds, anchor, others, rng, stay=None):
    """The free centre in `bounds` nearest `anchor` (boxes 2 px apart plus a pixel, so the
    edited region does not touch its neighbours); None when none is free."""
    cand = rng.uniform(bounds[:, 0], bounds[:, 1], size=(CANDIDATES, 2))
    if stay is not None:
        cand[0] = np.clip(stay, bounds[:, 0], bounds[:, 1])
    cand = np.vstack([np.clip(anchor, bounds[:, 0], bounds[:, 1])[None], cand])
    for gap in (GAP * 1.5, GAP + EPS):
        ok = np.ones(len(cand), dtype=bool)
        for box in others:
            need = (side + (box[2] - box[0])) / 2 + gap
            ocx, ocy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            ok &= (np.abs(cand[:, 0] - ocx) >= need) | (np.abs(cand[:, 1] - ocy) >= need)
        if ok.any():
            break
    else:
        return None
    dist = np.linalg.norm(cand - anchor, axis=1) + np.where(ok, 0, np.inf)
    cx, cy = cand[int(np.argmin(dist))]
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
