"""How well generated images draw their plans, against the exact renderer (no detector needed).

- mse / psnr: against render(plan), over all pixels (0..255 scale for PSNR).
- object_color_acc: over pixels the plan's shapes cover fully, the share whose nearest world
  colour (8 object colours + 3 backgrounds) is the object's colour.
- background_acc: the same over pixels no shape touches, against the background colour.
- shape_iou: per object, IoU of the pixels drawn in its colour (nearest-colour rule) within its
  box's neighbourhood and the pixels its shape covers at least half; mean over objects.
"""
from __future__ import annotations

import numpy as np

from ..data.shapes_render import coverage, render
from ..plan.scene_plan import ScenePlan
from ..world import BACKGROUNDS, COLORS

NAMES = tuple(COLORS) + tuple(f"bg:{n}" for n in BACKGROUNDS)
PALETTE = np.array(list(COLORS.values()) + list(BACKGROUNDS.values()), dtype=np.float32)


def nearest_color(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> (H, W) index into NAMES of the nearest world colour."""
    diff = image[:, :, None, :].astype(np.float32) - PALETTE[None, None]     # (H, W, K, 3)
    return np.argmin((diff * diff).sum(-1), axis=-1)


def _coverage_map(plan: ScenePlan, size: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sum of all objects' coverage, and each object's coverage on the full canvas."""
    total = np.zeros((size, size))
    per_object = []
    for obj in plan.objects:
        row, col, alpha = coverage(obj, size)
        full = np.zeros((size, size))
        h, w = alpha.shape
        full[row:row + h, col:col + w] = alpha
        per_object.append(full)
        total += full
    return total, per_object


def image_metrics(image: np.ndarray, plan: ScenePlan) -> dict[str, float]:
    """Metrics of one (H, W, 3) uint8 image against its plan."""
    size = image.shape[0]
    ref = render(plan, size)
    mse = float(np.mean((image.astype(np.float64) - ref) ** 2))
    nearest = nearest_color(image)
    total, per_object = _coverage_map(plan, size)
    bg_index = NAMES.index(f"bg:{plan.background}")
    background = total == 0
    hits, count, ious = 0, 0, []
    for obj, cov in zip(plan.objects, per_object):
        index = NAMES.index(obj.color)
        full = cov >= 1.0
        hits += int((nearest[full] == index).sum())
        count += int(full.sum())
        near = _dilate(cov > 0, 2)
        drawn = (nearest == index) & near
        shape = cov >= 0.5
        union = (drawn | shape).sum()
        ious.append(float((drawn & shape).sum() / union) if union else 1.0)
    return {"mse": mse, "psnr": 10 * np.log10(255.0 ** 2 / max(mse, 1e-10)),
            "object_color_acc": hits / count if count else 1.0,
            "background_acc": float((nearest[background] == bg_index).mean())
            if background.any() else 1.0,
            "shape_iou": float(np.mean(ious)) if ious else 1.0}


def _dilate(mask: np.ndarray, r: int) -> np.ndarray:
    """Square dilation by r pixels, not wrapping around the edges."""
    h, w = mask.shape
    padded = np.pad(mask, r)
    out = np.zeros_like(mask)
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            out |= padded[dy:dy + h, dx:dx + w]
    return out


def batch_metrics(images: np.ndarray, plans: list[ScenePlan]) -> dict[str, float]:
    """Means over a batch of images (B, H, W, 3) and their plans."""
    rows = [image_metrics(img, plan) for img, plan in zip(images, plans)]
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}
