"""Draw a ScenePlan as Shapes World v1 pixels: flat colours, anti-aliased edges (DESIGN.md).

Each shape is an exact region of the plane, written as an inside test on coordinates normalised
to its box (u, v in -1..1, v downwards). A pixel's coverage is the fraction of an S x S grid of
sample points inside that region (supersampling), computed only over the pixels the box touches.
A pixel that the shape covers fully gets the colour exactly; edge pixels blend with what lies
below, and later objects paint over earlier ones.
"""
from __future__ import annotations

import io
import math
import os

import numpy as np
from PIL import Image

from ..errors import InputError
from ..io_atomic import atomic_write_bytes
from ..plan.scene_plan import SceneObject, ScenePlan
from ..world import BACKGROUNDS, COLORS

SUBSAMPLES = 8            # 8 x 8 samples per pixel: 65 coverage levels; 8 also lets _pool count
                          # one pixel row's samples as the 8 bytes of a uint64
MIN_SIZE, MAX_SIZE = 1, 4096


# Inside tests on box-normalised coordinates: u across (-1 left, 1 right), v down (-1 top,
# 1 bottom). Called with u as a row (1, W*S) and v as a column (H*S, 1), each is one or a few
# broadcast comparisons that yield a (H*S, W*S) boolean grid.
def _inside_circle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u * u <= 1.0 - v * v


def _inside_square(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.abs(u) <= np.where(np.abs(v) <= 1.0, 1.0, -1.0)


def _inside_triangle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    # Apex at (0, -1), base from (-1, 1) to (1, 1): the half-width grows from 0 to 1 downwards.
    return np.abs(u) <= np.where(v <= 1.0, (v + 1.0) / 2.0, -1.0)


def _inside_diamond(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.abs(u) <= 1.0 - np.abs(v)


# A regular pentagram is cut out by five lines, each through two outer points; its inner
# corners then sit at radius cos 72 / cos 36 = 0.382 of the outer one. Line k lies at distance
# cos 72 from the centre with its normal towards outer point k (72k degrees clockwise from up).
# A point is in the star when it is on the far side of at most one line: the centre pentagon
# violates none, each of the five tips exactly one, everything outside at least two.
_STAR_ANGLES = np.radians(72.0 * np.arange(5))
_STAR_NORMALS = [(math.sin(a), -math.cos(a)) for a in _STAR_ANGLES]
_STAR_OFFSET = math.cos(math.radians(72.0))
STAR_INNER_RATIO = _STAR_OFFSET / math.cos(math.radians(36.0))     # 0.382 = 1 / golden ratio^2


def _inside_star(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    violations = None
    for nu, nv in _STAR_NORMALS:
        beyond = (nu * u > _STAR_OFFSET - nv * v).view(np.uint8)
        violations = beyond if violations is None else violations + beyond
    return violations <= 1


INSIDE = {
    "circle": _inside_circle,
    "square": _inside_square,
    "triangle": _inside_triangle,
    "diamond": _inside_diamond,
    "star": _inside_star,
}


def _axis_samples(lo: float, hi: float, size: int) -> tuple[int, int, np.ndarray]:
    """First pixel the span [lo, hi] touches, how many it touches, and their sample points.

    Sample k of pixel j sits at (j * S + k + 0.5) / (S * size): S evenly spaced points per pixel.
    """
    first = max(int(math.floor(lo * size)), 0)
    last = min(int(math.ceil(hi * size)), size)
    steps = np.arange(first * SUBSAMPLES, last * SUBSAMPLES, dtype=np.float32)
    return first, last - first, (steps + 0.5) / (SUBSAMPLES * size)


_BYTE_SUM = np.uint64(0x0101010101010101)   # multiplying adds up the 8 bytes into the top one


def _pool(inside: np.ndarray, h: int, w: int) -> np.ndarray:
    """Fraction of samples inside each pixel: (H*S, W*S) bool -> (H, W) float.

    Adding the 8 sample rows of a pixel row as uint64 words adds bytes lane by lane (each at most
    8); one multiply then sums the 8 lanes. Several times faster than a mean over axes (1, 3).
    """
    words = inside.reshape(h, SUBSAMPLES, w * SUBSAMPLES).view(np.uint64)   # (H, S, W)
    per_byte = words.sum(axis=1, dtype=np.uint64)                          # (H, W), lanes <= 8
    counts = (per_byte * _BYTE_SUM) >> np.uint64(56)
    return counts / (SUBSAMPLES * SUBSAMPLES)


def coverage(obj: SceneObject, size: int) -> tuple[int, int, np.ndarray]:
    """(row, col, alpha): the fraction of each pixel the shape covers, over its box's pixels."""
    x0, y0, x1, y1 = obj.box
    col, w, xs = _axis_samples(x0, x1, size)
    row, h, ys = _axis_samples(y0, y1, size)
    # float32 is plenty for positions known to 1/8 pixel, and halves the memory traffic.
    u = ((xs - np.float32((x0 + x1) / 2)) / np.float32((x1 - x0) / 2))[None, :]   # (1, W*S)
    v = ((ys - np.float32((y0 + y1) / 2)) / np.float32((y1 - y0) / 2))[:, None]   # (H*S, 1)
    inside = np.ascontiguousarray(INSIDE[obj.shape](u, v))      # (H*S, W*S)
    return row, col, _pool(inside, h, w)


def render(plan: ScenePlan, size: int = 64) -> np.ndarray:
    """The plan drawn at `size` x `size`: uint8 array of shape (size, size, 3)."""
    if not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        raise InputError(f"image size must be a whole number of pixels in "
                         f"{MIN_SIZE}..{MAX_SIZE}, got {size!r}")
    canvas = np.empty((size, size, 3), dtype=np.float64)
    canvas[:] = BACKGROUNDS[plan.background]
    for obj in plan.objects:
        row, col, alpha = coverage(obj, size)
        h, w = alpha.shape
        region = canvas[row:row + h, col:col + w]              # a view: blends in place
        color = np.asarray(COLORS[obj.color], dtype=np.float64)
        region += alpha[:, :, None] * (color - region)
    return np.rint(canvas).astype(np.uint8)


def render_image(plan: ScenePlan, size: int = 64) -> Image.Image:
    return Image.fromarray(render(plan, size))


def png_bytes(image: np.ndarray) -> bytes:
    """PNG encoding of an (H, W, 3) uint8 array; the same pixels always give the same bytes."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def save_png(plan_or_array: ScenePlan | np.ndarray, path: str | os.PathLike,
             size: int = 64) -> None:
    """Write a plan (rendered at `size`) or an (H, W, 3) uint8 array as a PNG, atomically."""
    if isinstance(plan_or_array, ScenePlan):
        image = render(plan_or_array, size)
    else:
        image = np.asarray(plan_or_array)
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise InputError(f"save_png takes a ScenePlan or an (H, W, 3) uint8 array, got "
                             f"{image.dtype} array of shape {image.shape}")
    atomic_write_bytes(path, png_bytes(image))
