"""Repair the damaged parts of an image given a mask (white = repair).

Shapes World images (64 x 64, colours of the world) are repaired through the plan: the
damaged pixels are set to the background the verifier measures around them, the image is
read into a plan, and the generator redraws the masked pixels for that plan with masked
sampling (pipelines/masked_redraw.py); every unmasked pixel is kept. Other images (photos)
get biharmonic inpainting (scikit-image), which fills the hole smoothly from its border.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..verify.segment import coverage_along, find_background, _PALETTE
from ..world import CANVAS_PX
from .caption import Verifier
from .masked_redraw import DEFAULT_SAMPLER, DEFAULT_STEPS, redraw
from .text2img import Text2Img

METHODS = ("auto", "plan", "biharmonic")
WORLD_RESIDUAL = 24.0         # RGB distance from the nearest background->colour blend
WORLD_SHARE = 0.97            # of the undamaged pixels, for an image to count as Shapes World


def check_mask(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A bool (H, W) mask the size of the image; errors that say what is wrong."""
    if mask.shape[:2] != image.shape[:2]:
        raise InputError(f"the mask is {mask.shape[1]} x {mask.shape[0]} px but the image is "
                         f"{image.shape[1]} x {image.shape[0]}; they must be the same size")
    mask = mask.astype(bool)
    if mask.all():
        raise InputError("the mask covers the whole image: nothing is left to repair from")
    return mask


def is_shapes_world(image: np.ndarray, keep: np.ndarray) -> bool:
    """64 x 64, and nearly every undamaged pixel a blend of a background and a world colour."""
    if image.shape[:2] != (CANVAS_PX, CANVAS_PX):
        return False
    _, bg = find_background(image)
    _, residual = coverage_along(image.astype(np.float32), bg, _PALETTE)
    near = residual.min(axis=2) <= WORLD_RESIDUAL ** 2
    return bool(near[keep].mean() >= WORLD_SHARE)


def inpaint_biharmonic(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    from skimage.restoration import inpaint_biharmonic
    filled = inpaint_biharmonic(image.astype(np.float64) / 255.0, mask, channel_axis=-1)
    out = (np.clip(filled, 0, 1) * 255).round().astype(np.uint8)
    return np.where(mask[..., None], out, image)


def inpaint_plan(pipe: Text2Img, verifier: Verifier, image: np.ndarray, mask: np.ndarray,
                 seed: int = 0, steps: int = DEFAULT_STEPS, sampler: str = DEFAULT_SAMPLER):
    """(repaired image, the plan it was redrawn for)."""
    # 1. read the undamaged part: the hole filled with the background around it
    _, bg = find_background(_border_free(image, mask))
    filled = np.where(mask[..., None], np.round(bg).astype(np.uint8), image)
    plan = verifier.read(filled).plan
    # 2. redraw the hole for that plan; the network sees the true pixels around it
    out = redraw(pipe, image, plan, mask, seed, steps, sampler)
    return out, plan


def _border_free(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The image with damaged border pixels replaced by undamaged ones, for the background
    estimate (which reads the border)."""
    known = image[~mask]
    fill = np.median(known, axis=0).astype(np.uint8) if len(known) else np.zeros(3, np.uint8)
    return np.where(mask[..., None], fill, image).astype(np.uint8)


def choose_method(method: str, image: np.ndarray, mask: np.ndarray) -> str:
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method == "plan" and image.shape[:2] != (CANVAS_PX, CANVAS_PX):
        raise InputError(f"--method plan repairs 64 x 64 Shapes World images; this one is "
                         f"{image.shape[1]} x {image.shape[0]} (use --method biharmonic)")
    if method != "auto":
        return method
    return "plan" if is_shapes_world(image, ~mask) else "biharmonic"
