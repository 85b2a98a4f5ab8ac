"""ScenePlan -> layout maps: box-masked attribute maps, as GLIGEN / LLM-grounded Diffusion do.

Inside each object's box a pixel carries what should be drawn there: the shape (one-hot), the
colour, how much of the pixel the box covers, and where in the box the pixel sits (u, v in
-1..1, v downwards, the coordinates the renderer's inside tests use), so a network can draw the
shape's geometry pointwise. The background colour fills every pixel; the last channel says that a
layout is present at all (all zeros = dropped, for classifier-free guidance and text-only models).

Boxes are at least 2 px apart in valid plans; where a user's boxes overlap, later objects win,
as they paint over earlier ones in the renderer.
"""
from __future__ import annotations

import math

import numpy as np

from ..plan.scene_plan import SceneObject, ScenePlan
from ..world import BACKGROUNDS, CANVAS_PX, COLORS, SHAPES

# Channel layout of the maps, in order.
SHAPE_CH = slice(0, 5)          # one-hot over world.SHAPES, inside the box
COLOR_CH = slice(5, 8)          # object RGB scaled to -1..1, inside the box
OCCUPANCY_CH = 8                # fraction of the pixel's area inside the box, 0..1
UV_CH = slice(9, 11)            # box-relative pixel-centre coordinates, about -1..1
BACKGROUND_CH = slice(11, 14)   # background RGB in -1..1, everywhere
PRESENT_CH = 14                 # 1 everywhere when a layout is given
LAYOUT_CHANNELS = 15


def rgb_unit(rgb: tuple[int, int, int]) -> np.ndarray:
    """0..255 RGB -> -1..1, the range images are trained in."""
    return np.asarray(rgb, dtype=np.float32) / 127.5 - 1.0


def _axis(lo: float, hi: float, size: int) -> tuple[int, np.ndarray, np.ndarray]:
    """First pixel the span [lo, hi] (0..1) touches, each touched pixel's overlap with the
    span (fraction of the pixel, 0..1) and its centre's position in the span (-1..1 inside)."""
    first = max(int(math.floor(lo * size)), 0)
    last = min(int(math.ceil(hi * size)), size)
    edges = np.arange(first, last + 1, dtype=np.float32) / size        # (n + 1,)
    overlap = (np.minimum(edges[1:], hi) - np.maximum(edges[:-1], lo)) * size
    centres = (edges[:-1] + edges[1:]) / 2
    rel = (centres - (lo + hi) / 2) / ((hi - lo) / 2)
    return first, np.clip(overlap, 0.0, 1.0), rel


def _paint(maps: np.ndarray, obj: SceneObject, size: int) -> None:
    x0, y0, x1, y1 = obj.box
    col, occ_x, u = _axis(x0, x1, size)
    row, occ_y, v = _axis(y0, y1, size)
    h, w = len(v), len(u)
    if h == 0 or w == 0:
        return
    region = maps[:, row:row + h, col:col + w]                      # (C, h, w), a view
    region[:BACKGROUND_CH.start] = 0.0                              # a later object wins
    region[SHAPES.index(obj.shape)] = 1.0
    region[COLOR_CH] = rgb_unit(COLORS[obj.color])[:, None, None]
    region[OCCUPANCY_CH] = occ_y[:, None] * occ_x[None, :]
    region[UV_CH.start] = u[None, :]
    region[UV_CH.start + 1] = v[:, None]


def layout_maps(plan: ScenePlan, size: int = CANVAS_PX) -> np.ndarray:
    """The plan's layout maps: float32 (LAYOUT_CHANNELS, size, size)."""
    maps = np.zeros((LAYOUT_CHANNELS, size, size), dtype=np.float32)
    maps[BACKGROUND_CH] = rgb_unit(BACKGROUNDS[plan.background])[:, None, None]
    maps[PRESENT_CH] = 1.0
    for obj in plan.objects:
        _paint(maps, obj, size)
    return maps


def layout_batch(plans, size: int = CANVAS_PX) -> np.ndarray:
    """(B, LAYOUT_CHANNELS, size, size) for a list of plans."""
    return np.stack([layout_maps(p, size) for p in plans]) if plans else \
        np.zeros((0, LAYOUT_CHANNELS, size, size), dtype=np.float32)
