"""Redraw part of a Shapes World image from a plan: masks from boxes and regions, masked
sampling with the text2img generator, and the composite that keeps every pixel outside the
mask exactly as it was.
"""
from __future__ import annotations

import numpy as np
import torch

from ..errors import InputError
from ..samplers import SAMPLER_OBJECTIVE, get_sampler
from ..samplers.guidance import guided
from ..samplers.masked import keep_known
from ..samplers.schedules import time_grid
from ..plan.scene_plan import ScenePlan
from ..verify.segment import segment
from .text2img import Text2Img, check_steps, initial_noise, model_device, start_run, to_uint8

DILATE_PX = 2           # anti-aliased edges and the verifier's sub-pixel box error
DEFAULT_STEPS = 8
DEFAULT_SAMPLER = "flow_dpmpp"


def dilate(mask: np.ndarray, px: int) -> np.ndarray:
    """Binary dilation by a (2 px + 1) square: max over shifted copies."""
    out = mask.copy()
    h, w = mask.shape
    padded = np.pad(mask, px)
    for dy in range(-px, px + 1):
        for dx in range(-px, px + 1):
            out |= padded[px + dy:px + dy + h, px + dx:px + dx + w]
    return out


def box_mask(boxes, size: int, px: int = DILATE_PX) -> np.ndarray:
    """(size, size) bool: every pixel a box touches, grown by `px`."""
    mask = np.zeros((size, size), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        c0, r0 = int(np.floor(x0 * size)) - px, int(np.floor(y0 * size)) - px
        c1, r1 = int(np.ceil(x1 * size)) + px, int(np.ceil(y1 * size)) + px
        mask[max(r0, 0):max(r1, 0), max(c0, 0):max(c1, 0)] = True
    return mask


def region_mask(image: np.ndarray, boxes, px: int = DILATE_PX) -> np.ndarray:
    """Pixels of the segmented objects whose centroid lies in one of `boxes`, grown by `px`:
    what the generator really drew there, which may spill past the box the verifier read."""
    size = image.shape[0]
    mask = np.zeros(image.shape[:2], dtype=bool)
    for region in segment(image).regions:
        cx, cy = (c / size for c in region.centroid)
        if any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes):
            mask |= region.alpha > 0.05
    return dilate(mask, px) if mask.any() else mask


def object_cores(image: np.ndarray, erode_px: int = 1) -> np.ndarray:
    """Pixels well inside an object (alpha 0.9 and more, eroded): what a background change
    keeps, while the edges, which blend into the old background, are redrawn."""
    core = np.zeros(image.shape[:2], dtype=bool)
    for region in segment(image).regions:
        core |= region.alpha >= 0.9
    return ~dilate(~core, erode_px)


@torch.no_grad()
def redraw(pipe: Text2Img, image: np.ndarray, plan: ScenePlan, mask: np.ndarray, seed: int,
           steps: int = DEFAULT_STEPS, sampler: str = DEFAULT_SAMPLER) -> np.ndarray:
    """`image` (H, W, 3) uint8 with the pixels under `mask` drawn anew for `plan`."""
    check_steps(steps)
    config = pipe.config
    if config.objective.kind != "flow" or SAMPLER_OBJECTIVE.get(sampler) != "flow":
        flows = ", ".join(k for k, v in SAMPLER_OBJECTIVE.items() if v == "flow")
        raise InputError(f"masked redrawing follows the flow path: it needs a flow model and "
                         f"one of the samplers {flows}; got {sampler!r} on a "
                         f"{config.objective.kind} model")
    device = model_device(pipe.denoiser)
    # 1. encode: the plan's layout maps (no text: the layout says everything an edit changes)
    cond = pipe.encode(None, [plan])
    # 2. sample inside the mask, on the known image's noise path outside it
    known = torch.from_numpy(image).permute(2, 0, 1)[None].float().to(device) / 127.5 - 1.0
    noise = initial_noise([seed], tuple(known.shape[1:]), device)
    redraw_map = torch.from_numpy(mask.astype(np.float32))[None, None].to(device)
    start_run(pipe.denoiser)
    denoiser = keep_known(guided(pipe.denoiser, config.guidance), known, noise, redraw_map)
    schedule = time_grid(steps, config.shift).to(device)
    x = get_sampler(sampler)(denoiser, noise.clone(), schedule, cond=cond, generator=None)
    # 3. composite: outside the mask, the original pixels, bit for bit
    drawn = to_uint8(x)[0]
    return np.where(mask[..., None], drawn, image)
