"""Repair the damaged parts of an image given a mask (white = repair).

Shapes World images (64 x 64, colours of the world) are repaired through the plan: the hole
is first filled smoothly (biharmonic) so that objects it cuts keep their colour across it,
the image is read into a plan, objects the hole cuts are sized by their visible extent, and
the generator redraws the masked pixels for that plan with masked sampling
(pipelines/masked_redraw.py); every unmasked pixel is kept. Other images (photos)
get biharmonic inpainting (scikit-image), which fills the hole smoothly from its border.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..plan.scene_plan import SceneObject, ScenePlan
from ..verify.geometry import size_class
from ..verify.segment import coverage_along, find_background, segment, _PALETTE
from ..world import CANVAS_PX, SIZES_PX
from .caption import Verifier
from .masked_redraw import DEFAULT_SAMPLER, DEFAULT_STEPS, dilate, redraw
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
    # 1. read the undamaged part: the hole filled smoothly from its border first, so an
    #    object cut by the hole keeps its colour across it; then the boxes of cut objects
    #    are grown to what their visible part implies
    filled = inpaint_biharmonic(image, mask)
    plan = complete_hidden(verifier.read(filled).plan, filled, mask)
    # 2. redraw the hole for that plan; the network sees the true pixels around it
    out = redraw(pipe, image, plan, mask, seed, steps, sampler)
    return out, plan


VISIBLE_SHARE = 0.95        # a shape's pixel extent along its longer side, of its box side


def complete_hidden(plan: ScenePlan, image: np.ndarray, mask: np.ndarray) -> ScenePlan:
    """Objects that the hole cuts read too small: size them by their visible extent (its
    longer side is the whole box side unless the hole covers it) and keep the box over it."""
    size = image.shape[0]
    regions = segment(image).regions
    objects = []
    for obj in plan.objects:
        box_px = [v * size for v in obj.box]
        region = next((r for r in regions if box_px[0] <= r.centroid[0] <= box_px[2]
                       and box_px[1] <= r.centroid[1] <= box_px[3]), None)
        if region is None or not (dilate(region.pixels, 1) & mask).any():
            objects.append(obj)
            continue
        visible = region.pixels & ~mask
        ys, xs = np.nonzero(visible)
        if not len(xs):
            objects.append(obj)
            continue
        extent = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
        side = max(extent[2] - extent[0], extent[3] - extent[1]) / VISIBLE_SHARE
        new_size = size_class(max(side, (obj.box[2] - obj.box[0]) * size))
        if new_size == obj.size:
            objects.append(obj)
            continue
        s = SIZES_PX[new_size]
        x0 = _grow_into_hole(extent[0], extent[2], s, mask[ys.min():ys.max() + 1], size)
        y0 = _grow_into_hole(extent[1], extent[3], s, mask[:, xs.min():xs.max() + 1].T, size)
        objects.append(SceneObject(obj.shape, obj.color, new_size,
                                   tuple(round(v / size, 4) for v in (x0, y0, x0 + s, y0 + s))))
    return ScenePlan(background=plan.background, objects=tuple(objects))


def _grow_into_hole(lo: int, hi: int, side: float, band: np.ndarray, size: int) -> float:
    """Start of a span of `side` px covering [lo, hi), extended toward the hole's side."""
    if hi - lo >= side:
        return float(min(max((lo + hi - side) / 2, 0), size - side))
    after = band[:, hi:min(hi + 2, size)].any()
    start = lo if after else hi - side
    return float(min(max(start, 0), size - side))


def choose_method(method: str, image: np.ndarray, mask: np.ndarray) -> str:
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method == "plan" and image.shape[:2] != (CANVAS_PX, CANVAS_PX):
        raise InputError(f"--method plan repairs 64 x 64 Shapes World images; this one is "
                         f"{image.shape[1]} x {image.shape[0]} (use --method biharmonic)")
    if method != "auto":
        return method
    return "plan" if is_shapes_world(image, ~mask) else "biharmonic"
