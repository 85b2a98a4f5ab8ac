"""Crops that the shape classifier reads: one region's coverage, scaled to a fixed window.

The classifier sees coverage (alpha), not colour: the segmenter has already divided out the
background and the object colour, so one network serves every colour pair, and a generator's
colour drift never reaches it. Each crop is centred on the region's pixel extent and scaled so
the extent fills the same share of the window whatever the object's size. Training and
inference both go through `native_crops` then `window_crops`, so they can never differ.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from .segment import Region

NATIVE_PX = 40          # the largest object (26.4 px) plus blur and window margin fits inside


def native_crops(regions: list[Region] | tuple[Region, ...], window_scale: float,
                 margin_px: float) -> tuple[np.ndarray, np.ndarray]:
    """(N, NATIVE_PX, NATIVE_PX) float32 coverage around each region, and its window geometry.

    Geometry rows are (dx, dy, side): the extent centre's offset from the crop centre and the
    window side, all in px. Pixels outside the image read as zero coverage.
    """
    crops = np.zeros((len(regions), NATIVE_PX, NATIVE_PX), dtype=np.float32)
    geometry = np.zeros((len(regions), 3), dtype=np.float32)
    half = NATIVE_PX // 2
    for i, region in enumerate(regions):
        x0, y0, x1, y1 = region.extent
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        left, top = math.floor(cx) - half, math.floor(cy) - half
        h, w = region.alpha.shape
        src_x, src_y = slice(max(left, 0), min(left + NATIVE_PX, w)), \
            slice(max(top, 0), min(top + NATIVE_PX, h))
        dst_x = slice(src_x.start - left, src_x.stop - left)
        dst_y = slice(src_y.start - top, src_y.stop - top)
        crops[i, dst_y, dst_x] = np.clip(region.alpha[src_y, src_x], 0.0, 1.0)
        side = min(window_scale * max(x1 - x0, y1 - y0) + margin_px, NATIVE_PX)
        geometry[i] = (cx - (left + half), cy - (top + half), side)
    return crops, geometry


def window_crops(crops: torch.Tensor, geometry: torch.Tensor, out_px: int,
                 jitter: torch.Tensor | None = None) -> torch.Tensor:
    """Resample native crops (N, S, S) to (N, 1, out_px, out_px) windows around each extent.

    `jitter` (N, 2, 3), training only, is an affine map applied to the window first (rotation,
    scale, shift in window units), so augmentation costs one grid_sample like the crop itself.
    """
    n = crops.shape[0]
    scale = geometry[:, 2] / NATIVE_PX
    theta = torch.zeros(n, 2, 3, dtype=crops.dtype)
    theta[:, 0, 0] = scale
    theta[:, 1, 1] = scale
    theta[:, :, 2] = geometry[:, :2] / (NATIVE_PX / 2)    # px -> grid units (align_corners off)
    if jitter is not None:
        # theta maps window coords to crop coords; composing theta . jitter jitters the window.
        full = torch.cat([jitter, torch.tensor([[[0.0, 0.0, 1.0]]]).expand(n, 1, 3)], dim=1)
        theta = theta @ full
    grid = F.affine_grid(theta, (n, 1, out_px, out_px), align_corners=False)
    return F.grid_sample(crops[:, None], grid, mode="bilinear", padding_mode="zeros",
                         align_corners=False)                 # (N, 1, out_px, out_px)
