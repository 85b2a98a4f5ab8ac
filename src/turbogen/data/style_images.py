"""Style images that exist offline: procedural ones drawn by small deterministic functions.

No paintings can be downloaded here, so the bundled styles are drawn: `swirl` (noise smeared
along a curl flow field, line integral convolution, Cabral & Leedom 1993, in a warm/cool
palette: brush strokes that follow currents), `mosaic` (stained glass: Voronoi cells in bright
colours with dark lead lines) and `circles` (Kandinsky-like concentric rings on coloured
squares). Any image file works as a style too (`--style PATH`). Each is (H, W, 3) uint8 RGB.
The defaults draw the bundled style images; other seeds, palettes and cell counts draw the
varied style set that AdaIN trains on (data/adain_styles.py).
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError

SIZE = 256


def _flow_field(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A smooth divergence-free field (curl of a sum of random sine waves), unit length."""
    y, x = np.mgrid[0:n, 0:n] / n
    psi_x = np.zeros((n, n))
    psi_y = np.zeros((n, n))
    for _ in range(6):
        fx, fy = rng.uniform(1, 4, 2)
        phase = rng.uniform(0, 2 * np.pi)
        arg = 2 * np.pi * (fx * x + fy * y) + phase
        # stream function psi = sin(arg); velocity = (d psi/dy, -d psi/dx)
        psi_y += np.cos(arg) * fy
        psi_x += np.cos(arg) * fx
    vx, vy = psi_y, -psi_x
    norm = np.hypot(vx, vy) + 1e-6
    return vx / norm, vy / norm


def swirl(size: int = SIZE, seed: int = 0, palette: np.ndarray | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vx, vy = _flow_field(rng, size)
    noise = rng.random((size, size))
    y0, x0 = np.mgrid[0:size, 0:size].astype(np.float64)
    acc = noise.copy()
    for sign in (1.0, -1.0):            # trace the streamline both ways from every pixel
        px, py = x0.copy(), y0.copy()
        for _ in range(12):
            ix, iy = px.astype(int) % size, py.astype(int) % size
            px += sign * vx[iy, ix]
            py += sign * vy[iy, ix]
            acc += noise[py.astype(int) % size, px.astype(int) % size]
    lic = (acc - acc.mean()) / (acc.std() + 1e-6)          # stroke texture, ~N(0, 1)
    angle = np.arctan2(vy, vx)
    if palette is None:
        palette = np.array([[20, 40, 110], [40, 110, 190], [240, 200, 60], [250, 240, 190],
                            [30, 70, 60]], dtype=np.float64)
    t = (np.sin(angle * 2 + 3 * y0 / size) + 1) / 2 * (len(palette) - 1)   # colour by direction
    lo = np.floor(t).astype(int)
    hi = np.minimum(lo + 1, len(palette) - 1)
    frac = (t - lo)[..., None]
    colour = palette[lo] * (1 - frac) + palette[hi] * frac
    image = colour * (1 + 0.35 * lic[..., None])
    return np.clip(image, 0, 255).astype(np.uint8)


def mosaic(size: int = SIZE, seed: int = 1, palette: np.ndarray | None = None,
           cells: int = 90) -> np.ndarray:
    from scipy.spatial import cKDTree
    rng = np.random.default_rng(seed)
    points = rng.random((cells, 2)) * size
    grid = np.stack(np.mgrid[0:size, 0:size][::-1], -1).reshape(-1, 2) + 0.5
    dist, index = cKDTree(points).query(grid, k=2)
    edge = (dist[:, 1] - dist[:, 0]).reshape(size, size)     # distance to the nearest border
    if palette is None:
        palette = np.array([[200, 30, 40], [240, 170, 20], [30, 90, 200], [20, 150, 90],
                            [120, 40, 160], [240, 230, 200], [230, 90, 30]], dtype=np.float64)
    colours = palette[rng.integers(0, len(palette), len(points))]
    image = colours[index[:, 0]].reshape(size, size, 3)
    image *= 0.85 + 0.3 * rng.random((size, size, 1)) ** 3    # glass is uneven
    lead = np.clip((edge - 1.5) / 1.5, 0, 1)[..., None]       # dark lines, soft edge
    image = image * lead + np.array([25, 20, 20]) * (1 - lead)
    return np.clip(image, 0, 255).astype(np.uint8)


def circles(size: int = SIZE, seed: int = 2, palette: np.ndarray | None = None,
            cells: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if palette is None:
        palette = np.array([[230, 60, 50], [250, 200, 40], [40, 90, 180], [30, 30, 40],
                            [90, 170, 120], [240, 130, 160], [245, 240, 225]], dtype=np.float64)
    side = size // cells
    image = np.zeros((size, size, 3))
    yy, xx = np.mgrid[0:side, 0:side] + 0.5
    r = np.hypot(xx - side / 2, yy - side / 2)
    for i in range(cells):
        for j in range(cells):
            tile = np.broadcast_to(palette[rng.integers(len(palette))], (side, side, 3)).copy()
            radii = np.sort(rng.uniform(0.08, 0.48, rng.integers(3, 6)))[::-1] * side
            for radius in radii:                 # largest ring first, smaller ones on top
                disc = np.clip(radius - r + 0.5, 0, 1)[..., None]   # anti-aliased edge
                tile = tile * (1 - disc) + palette[rng.integers(len(palette))] * disc
            image[i * side:(i + 1) * side, j * side:(j + 1) * side] = tile
    return np.clip(image, 0, 255).astype(np.uint8)


STYLE_IMAGES = {"swirl": swirl, "mosaic": mosaic, "circles": circles}


def style_image(name: str, size: int = SIZE) -> np.ndarray:
    """A procedural style image by name; InputError listing the names for an unknown one."""
    if name not in STYLE_IMAGES:
        raise InputError(f"unknown style image {name!r}; procedural styles: "
                         f"{', '.join(STYLE_IMAGES)} (or give an image file)")
    return STYLE_IMAGES[name](size)
