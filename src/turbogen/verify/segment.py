"""Split a Shapes World image into background and objects, without any learned part.

Every pixel of a render is a blend of the background and at most one object colour:
p = bg + alpha * (c - bg), alpha the share of the pixel the shape covers. So each pixel gets the
world colour whose segment bg -> c passes nearest to it, and its alpha along that segment; this
makes the threshold below mean "half covered" whatever the contrast (purple on gray is 93 RGB
levels from its background, yellow on black 280).
1. Pixels with alpha >= `threshold` form 8-connected components: objects are at least
   MIN_GAP_PX apart, which leaves a clear row or column between any two.
2. Strong blur can still join two objects; their well-covered cores stay apart, so a component
   with several cores is split between them (seeded growth).
3. A component covering less than any object can (`min_mass`) is a piece of its neighbour (noise
   cut off a thin tip) and joins it, or, alone, a speck and is dropped.
Measured on 1000 scenes per condition (benchmarks/verifier_accuracy.py): counts exact on renders
and on generator-like degradations; see weights/verifier-shapes/card.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..world import BACKGROUNDS, COLORS

COLOR_NAMES = tuple(COLORS)
_PALETTE = np.array([COLORS[name] for name in COLOR_NAMES], dtype=np.float32)       # (K, 3)
_BACKGROUND_NAMES = tuple(BACKGROUNDS)
_BACKGROUND_RGB = np.array([BACKGROUNDS[n] for n in _BACKGROUND_NAMES], dtype=np.float32)


@dataclass(frozen=True)
class SegmentConfig:
    threshold: float = 0.5      # alpha that puts a pixel inside an object (half covered)
    core: float | None = 0.7    # alpha of the cores that split blurred-together objects
    core_px: int = 4            # smaller cores are noise and split nothing
    min_mass: float = 14.0      # px of coverage below which a component is a fragment or a
                                # speck: the smallest object (a small star) covers ~24 px
    ring_px: int = 2            # coverage is summed this far around a component, so blurred
                                # edges below the threshold still count towards its size
    bg_radius: float = 60.0     # border pixels this close (RGB) to the chosen background
                                # colour estimate the image's actual background


@dataclass(frozen=True)
class Region:
    """One object as pixels: where it is, how much it covers, its colour."""

    color: str
    pixels: np.ndarray          # (H, W) bool: alpha >= threshold, the connected component
    alpha: np.ndarray           # (H, W) float32: coverage of `color`, zero away from the object
    extent: tuple[int, int, int, int]    # x0, y0, x1, y1 of `pixels` (x1, y1 exclusive)
    mass: float                 # total coverage in px: the shape's area
    centroid: tuple[float, float]        # coverage-weighted centre (x, y) in px


@dataclass(frozen=True)
class Segmentation:
    background: str
    background_rgb: tuple[float, float, float]   # as measured, not the nominal colour
    regions: tuple[Region, ...]
    specks: int                 # components dropped as too small


def find_background(image: np.ndarray, radius: float = 60.0) -> tuple[str, np.ndarray]:
    """The background class most border pixels are nearest to, and its measured colour."""
    border = np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])
    border = border.astype(np.float32)                                       # (P, 3)
    dist = np.linalg.norm(border[:, None, :] - _BACKGROUND_RGB[None], axis=2)  # (P, 3)
    votes = np.bincount(dist.argmin(axis=1), minlength=len(_BACKGROUND_NAMES))
    index = int(votes.argmax())
    near = border[dist[:, index] <= radius]
    rgb = np.median(near, axis=0) if len(near) else _BACKGROUND_RGB[index]
    return _BACKGROUND_NAMES[index], rgb.astype(np.float32)


def coverage_along(image: np.ndarray, bg: np.ndarray, colors: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Alpha and squared residual of every pixel on every segment bg -> colour.

    image (H, W, 3), bg (3,), colors (K, 3) -> alpha (H, W, K) clipped to 0..1, residual (H, W, K).
    """
    offset = image.astype(np.float32) - bg                       # (H, W, 3)
    direction = colors.astype(np.float32) - bg                   # (K, 3)
    length2 = np.maximum((direction ** 2).sum(axis=1), 1.0)      # (K,)
    dot = offset @ direction.T                                   # (H, W, K)
    alpha = np.clip(dot / length2, 0.0, 1.0)
    residual = (offset ** 2).sum(axis=2, keepdims=True) - 2 * alpha * dot + alpha ** 2 * length2
    return alpha, residual


def label_components(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8-connected components of a boolean mask: labels 1..n (0 = outside), and n.

    Each pixel repeatedly takes the largest label among itself and its neighbours (a 3 x 3 max
    filter), which floods each component with its largest index. Shapes World objects are at
    most ~30 px across, so this settles in a few dozen cheap whole-array steps.
    """
    h, w = mask.shape
    labels = np.where(mask, np.arange(1, h * w + 1, dtype=np.int32).reshape(h, w), 0)
    while True:
        grown = np.where(mask, np.maximum.reduce(_shifts(labels)), 0)
        if np.array_equal(grown, labels):
            return _renumber(labels)
        labels = grown


def _shifts(values: np.ndarray, mode: str = "constant") -> list[np.ndarray]:
    """The nine views of `values` moved by -1, 0, 1 px along each axis: a 3 x 3 neighbourhood."""
    h, w = values.shape
    if mode == "constant":          # np.pad's generality costs more than the maxima here
        padded = np.zeros((h + 2, w + 2), dtype=values.dtype)
        padded[1:-1, 1:-1] = values
    else:
        padded = np.pad(values, 1, mode=mode)
    return [padded[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)]


def _renumber(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Labels made consecutive, 1..n with 0 kept for the background; and n."""
    present = np.zeros(int(labels.max()) + 1, dtype=bool)      # a lookup table, no sort
    present[labels] = True
    present[0] = False
    lookup = np.cumsum(present, dtype=np.int32) * present
    return lookup[labels], int(present.sum())


def grow_seeds(seeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Labelled seeds spread into unlabelled `mask` pixels, one ring per step, until stuck."""
    labels = np.where(mask, seeds, 0)
    while True:
        grown = np.where(mask & (labels == 0), np.maximum.reduce(_shifts(labels)), labels)
        if np.array_equal(grown, labels):
            return labels
        labels = grown


def split_components(alpha: np.ndarray, config: SegmentConfig) -> tuple[np.ndarray, int]:
    """Components of alpha >= threshold, split where they hold several well-covered cores.

    Two objects at the minimum gap can blur into one component; their cores (alpha >= core)
    stay apart. Each core of at least `core_px` pixels grows back into the component; a
    component without such a core (a thin or tiny object) stays whole.
    """
    mask = alpha >= config.threshold
    if config.core is None:
        return label_components(mask)
    # Cores come from a 3 x 3 mean so pixel noise cannot break one object's core in two.
    smooth = sum(_shifts(alpha, mode="edge")) / 9
    cores, n = label_components(smooth >= config.core)
    sizes = np.bincount(cores.ravel(), minlength=n + 1)
    cores = np.where(sizes[cores] >= config.core_px, cores, 0)
    labels = grow_seeds(cores, mask)
    rest, _ = label_components(mask & (labels == 0))
    return _renumber(np.where(rest > 0, rest + labels.max(), labels))


def _dilate(mask: np.ndarray, steps: int) -> np.ndarray:
    for _ in range(steps):
        mask = np.logical_or.reduce(_shifts(mask))
    return mask


def absorb_fragments(labels: np.ndarray, n: int, alpha: np.ndarray, config: SegmentConfig
                     ) -> tuple[np.ndarray, int, int]:
    """Fold components smaller than any object into a neighbour within `ring_px`, or drop them.

    Noise can cut a thin tip off a low-contrast shape; the piece then lies right beside the
    rest of it, while whole objects keep MIN_GAP_PX from each other. Returns the new labels
    (1..m), m, and how many isolated specks were dropped.
    """
    near = [_dilate(labels == k, config.ring_px) for k in range(n + 1)]
    mass = np.array([alpha[near[k]].sum() for k in range(n + 1)])
    specks = 0
    for k in sorted(range(1, n + 1), key=lambda j: mass[j]):
        if mass[k] >= config.min_mass:
            break
        touching = np.unique(labels[near[k]])
        touching = touching[(touching != 0) & (touching != k)]
        if len(touching):
            target = int(touching[mass[touching].argmax()])
            labels = np.where(labels == k, target, labels)
            mass[target] += mass[k]
        else:
            labels = np.where(labels == k, 0, labels)
            specks += 1
    return (*_renumber(labels), specks)


def segment(image: np.ndarray, config: SegmentConfig = SegmentConfig()) -> Segmentation:
    """Background and object regions of an (H, W, 3) uint8 image, objects in reading order."""
    background, bg = find_background(image, config.bg_radius)
    alpha, residual = coverage_along(image, bg, _PALETTE)        # (H, W, K) each
    best = residual.argmin(axis=2)                               # (H, W)
    best_alpha = np.take_along_axis(alpha, best[..., None], axis=2)[..., 0]
    labels, n = split_components(best_alpha, config)
    labels, n, specks = absorb_fragments(labels, n, best_alpha, config)
    claimed = [_dilate(labels == k, config.ring_px) for k in range(1, n + 1)]
    regions = []
    for k in range(1, n + 1):
        pixels = labels == k
        # The ring stops at other components' rings: objects' edges never share a pixel.
        others = np.logical_or.reduce([c for j, c in enumerate(claimed) if j != k - 1]) \
            if n > 1 else np.zeros_like(pixels)
        area = claimed[k - 1] & ~(others & ~pixels)
        regions.append(_region(image, bg, pixels, area, residual))
    regions.sort(key=lambda r: (r.extent[1], r.extent[0]))
    return Segmentation(background=background, background_rgb=tuple(float(v) for v in bg),
                        regions=tuple(regions), specks=specks)


def _region(image: np.ndarray, bg: np.ndarray, pixels: np.ndarray, area: np.ndarray,
            residual: np.ndarray) -> Region:
    """Colour by least squares over the component; coverage of that colour over `area`."""
    k = int(residual[pixels].sum(axis=0).argmin())
    offset = image[area].astype(np.float32) - bg                 # (P, 3)
    direction = _PALETTE[k] - bg
    # Unclipped below zero: noise on background pixels then averages out instead of adding up.
    values = np.minimum(offset @ direction / max(float(direction @ direction), 1.0), 1.0)
    alpha = np.zeros(pixels.shape, dtype=np.float32)
    alpha[area] = values
    mass = float(values.sum())
    ys, xs = np.nonzero(area)
    weights = np.clip(values, 0.0, None)
    total = max(float(weights.sum()), 1e-6)
    centroid = (float((xs + 0.5) @ weights / total), float((ys + 0.5) @ weights / total))
    py, px = np.nonzero(pixels)
    extent = (int(px.min()), int(py.min()), int(px.max()) + 1, int(py.max()) + 1)
    return Region(color=COLOR_NAMES[k], pixels=pixels, alpha=alpha, extent=extent, mass=mass,
                  centroid=centroid)
