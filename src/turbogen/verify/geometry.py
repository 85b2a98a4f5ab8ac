"""From a region's coverage and its shape to the box and size a planner would have written.

A Shapes World box is the square the renderer fits the shape into (data/shapes_render.py), and
not every shape fills it: a star's side points stop at 0.95 of the half-width and its lower
points at 0.81 of the half-height. Pixel extents also lose thin tips to anti-aliasing. The total
coverage (the shape's area) and the coverage-weighted centre survive both, and blur too, so the
box comes from them: side = sqrt(area / share of the box the shape fills), centre = centroid
moved by where the shape's centroid sits in its box.
"""
from __future__ import annotations

import math

from ..world import CANVAS_PX, SIZE_JITTER, SIZES_PX
from .segment import Region

_STAR_INNER = math.cos(math.radians(72)) / math.cos(math.radians(36))   # inner / outer radius
# Share of its square box each shape covers (box half-side 1: box area 4).
AREA_SHARE = {
    "circle": math.pi / 4,
    "square": 1.0,
    "triangle": 0.5,
    "diamond": 0.5,
    "star": 5 * _STAR_INNER * math.sin(math.radians(36)) / 4,   # ten triangles R * r * sin 36 / 2
}
# Centroid's vertical offset from the box centre, in half-sides (down positive): a triangle
# pointing up has its centroid a third of the way from its base's midpoint to the apex.
CENTROID_DROP = {"circle": 0.0, "square": 0.0, "triangle": 1 / 3, "diamond": 0.0, "star": 0.0}
# Boxes are kept just inside the +-SIZE_JITTER band so rounding to 4 decimals cannot leave it.
_BAND = SIZE_JITTER * 0.99


def size_class(side_px: float) -> str:
    """Nearest size class on a log scale (borders at the geometric means: 12.6 px, 19.6 px)."""
    return min(SIZES_PX, key=lambda name: abs(math.log(max(side_px, 1e-3) / SIZES_PX[name])))


def measured_side(region: Region, shape: str) -> float:
    """Side in px of the square box of a `shape` that covers `region.mass` px."""
    return math.sqrt(max(region.mass, 0.0) / AREA_SHARE[shape])


def object_box(region: Region, shape: str, canvas: int = CANVAS_PX
               ) -> tuple[str, tuple[float, float, float, float]]:
    """(size class, box normalised to 0..1) of a region drawn as `shape`.

    The side is clamped into its size class's jitter band and the box into the canvas, so the
    plan is one the renderer could draw; the measured side is `measured_side`.
    """
    side = measured_side(region, shape)
    size = size_class(side)
    nominal = SIZES_PX[size]
    side = min(max(side, nominal * (1 - _BAND)), nominal * (1 + _BAND))
    cx, cy = region.centroid
    cy -= CENTROID_DROP[shape] * side / 2
    x0 = min(max(cx - side / 2, 0.0), canvas - side)
    y0 = min(max(cy - side / 2, 0.0), canvas - side)
    box = tuple(round(v / canvas, 4) for v in (x0, y0, x0 + side, y0 + side))
    return size, box
