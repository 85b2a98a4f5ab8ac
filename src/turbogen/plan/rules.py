"""The geometric rules of ScenePlan v1: places, relations, sizes, gaps (DESIGN.md).

Planners use them to build plans, the evaluator to score plans, and the verifier later to score
images: one definition, so the three can never disagree.
"""
from __future__ import annotations

from ..world import CANVAS_PX, MIN_GAP_PX, PLACE_HIGH, PLACE_LOW, PLACES, RELATIONS, size_of_side
from .scene_plan import SceneObject, ScenePlan

GAP = MIN_GAP_PX / CANVAS_PX


def place_ranges(place: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Allowed (x range, y range) of a box centre for an absolute place."""
    if place not in PLACES:
        raise ValueError(f"unknown place {place!r}; known: {', '.join(PLACES)}")
    x, y = (0.0, 1.0), (0.0, 1.0)
    if place == "center":
        return (PLACE_LOW, PLACE_HIGH), (PLACE_LOW, PLACE_HIGH)
    words = place.split()
    if "left" in words:
        x = (0.0, PLACE_LOW)
    if "right" in words:
        x = (PLACE_HIGH, 1.0)
    if "top" in words:
        y = (0.0, PLACE_LOW)
    if "bottom" in words:
        y = (PLACE_HIGH, 1.0)
    return x, y


def in_place(obj: SceneObject, place: str) -> bool:
    """Strict inequalities at the edges, as DESIGN.md states them (x < 0.4 is left)."""
    (xl, xh), (yl, yh) = place_ranges(place)
    cx, cy = obj.center
    if place == "center":
        return xl <= cx <= xh and yl <= cy <= yh
    return _inside(cx, xl, xh) and _inside(cy, yl, yh)


def _inside(v: float, lo: float, hi: float) -> bool:
    return (lo == 0.0 or v > lo) and (hi == 1.0 or v < hi)


def relation_holds(a: SceneObject, relation: str, b: SceneObject) -> bool:
    (ax, ay), (bx, by) = a.center, b.center
    if relation == "left of":
        return ax < bx
    if relation == "right of":
        return ax > bx
    if relation == "above":
        return ay < by
    if relation == "below":
        return ay > by
    raise ValueError(f"unknown relation {relation!r}; known: {', '.join(RELATIONS)}")


def group_relation_holds(group_a, relation: str, group_b) -> bool:
    """'A left of B' holds when every A is left of every B, and both groups exist."""
    group_a, group_b = list(group_a), list(group_b)
    return bool(group_a and group_b) and all(
        relation_holds(a, relation, b) for a in group_a for b in group_b if a is not b)


def apart(a: SceneObject, b: SceneObject, gap: float = GAP) -> bool:
    """Boxes separated by at least `gap` on some axis."""
    ax0, ay0, ax1, ay1 = a.box
    bx0, by0, bx1, by1 = b.box
    eps = 1e-9
    return (ax1 + gap <= bx0 + eps or bx1 + gap <= ax0 + eps
            or ay1 + gap <= by0 + eps or by1 + gap <= ay0 + eps)


def consistency_problems(plan: ScenePlan) -> list[str]:
    """What makes a structurally valid plan unable to be drawn as Shapes World v1."""
    problems = []
    if not plan.objects:
        problems.append("a scene holds at least one object")
    for i, obj in enumerate(plan.objects):
        x0, y0, x1, y1 = obj.box
        w, h = x1 - x0, y1 - y0
        if size_of_side(w) != obj.size or size_of_side(h) != obj.size:
            problems.append(f"objects[{i}] is {obj.size} but its box is "
                            f"{w * CANVAS_PX:.1f} x {h * CANVAS_PX:.1f} px")
        for sel in plan.exclude:
            if obj.matches(sel):
                problems.append(f"objects[{i}] ({obj.color} {obj.shape}) matches exclusion {sel}")
        for j in range(i):
            if not apart(obj, plan.objects[j]):
                problems.append(f"objects[{j}] and objects[{i}] are closer than {MIN_GAP_PX} px")
    return problems
