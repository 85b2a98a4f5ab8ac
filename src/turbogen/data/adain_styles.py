"""A large, varied set of style images that can be made offline, for training AdaIN.

AdaIN learns one decoder for every style, so it needs many styles (the paper: 80,000 WikiArt
paintings). None can be downloaded here, so the set is drawn and borrowed:
- `swirl`, `mosaic`, `circles` (data/style_images.py) with random seeds, random palettes and
  cell counts; the three bundled images themselves (default palettes, seeds 0-2) never appear;
- `noise`: fractal (1/f) noise coloured by a random matplotlib colormap, at a random scale;
- `texture`: crops of the training photos (brick, grass, gravel, retina, hubble, ...), half of
  them recoloured through a random colormap, so grey textures get colours too.
HELDOUT_FAMILIES are drawn only for evaluation: `waves` (interfering sine gratings in a random
palette) is a family the decoder never trains on, a test of styles unlike any it has seen.
Every image is (SIZE, SIZE, 3) uint8 RGB, a deterministic function of (family, seed).
"""
from __future__ import annotations

import numpy as np

from .style_images import circles, mosaic, swirl

SIZE = 256
TRAIN_FAMILIES = ("swirl", "mosaic", "circles", "noise", "texture")
HELDOUT_FAMILIES = ("waves",)
FIRST_SEED = 100        # seeds 0-2 drew the bundled style images; training variants start here


def random_palette(rng: np.random.Generator, n: int) -> np.ndarray:
    """n colours: random hues around 1-3 centres, random saturation and value, (n, 3) 0..255."""
    import matplotlib.colors as mcolors
    centres = rng.uniform(0, 1, rng.integers(1, 4))
    hue = (rng.choice(centres, n) + rng.normal(0, 0.08, n)) % 1.0
    hsv = np.stack([hue, rng.uniform(0.2, 1.0, n), rng.uniform(0.15, 1.0, n)], -1)
    return mcolors.hsv_to_rgb(hsv) * 255


def _colormap(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """values in 0..1 -> RGB through a random matplotlib colormap (sometimes reversed)."""
    import matplotlib
    names = sorted(n for n in matplotlib.colormaps if not n.endswith("_r"))
    cmap = matplotlib.colormaps[names[rng.integers(len(names))]]
    if rng.random() < 0.5:
        cmap = cmap.reversed()
    return (cmap(values)[..., :3] * 255).astype(np.uint8)


def fractal_noise(rng: np.random.Generator, size: int) -> np.ndarray:
    """1/f^beta noise (beta random: smooth clouds to fine grain), normalised to 0..1."""
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    spectrum = (rng.normal(size=f.shape) + 1j * rng.normal(size=f.shape)) / f ** rng.uniform(
        0.8, 2.2)
    noise = np.fft.irfft2(spectrum, s=(size, size))
    noise = (noise - noise.min()) / (np.ptp(noise) + 1e-9)
    if rng.random() < 0.3:                       # posterised: flat bands, like a screen print
        noise = np.floor(noise * rng.integers(3, 7)) / 6
    return noise


def waves(rng: np.random.Generator, size: int) -> np.ndarray:
    """Interfering sine gratings of random directions and frequencies, banded in a palette."""
    y, x = np.mgrid[0:size, 0:size] / size
    field = np.zeros((size, size))
    for _ in range(rng.integers(2, 5)):
        angle, freq = rng.uniform(0, np.pi), rng.uniform(2, 14)
        field += np.sin(2 * np.pi * freq * (x * np.cos(angle) + y * np.sin(angle))
                        + rng.uniform(0, 2 * np.pi))
    palette = random_palette(rng, int(rng.integers(3, 7)))
    bands = ((field - field.min()) / (np.ptp(field) + 1e-9) * (len(palette) - 1e-6)).astype(int)
    return palette[bands].astype(np.uint8)


def texture(rng: np.random.Generator, size: int, photos: list[np.ndarray]) -> np.ndarray:
    """A random crop of a training photo at a random scale, half the time recoloured."""
    from PIL import Image
    photo = photos[rng.integers(len(photos))]
    h, w = photo.shape[:2]
    side = int(rng.uniform(0.25, 1.0) * min(h, w))
    y, x = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
    crop = np.asarray(Image.fromarray(photo[y:y + side, x:x + side])
                      .resize((size, size), Image.Resampling.BICUBIC))
    if rng.random() < 0.5:
        grey = crop.astype(np.float64).mean(-1)
        crop = _colormap(rng, (grey - grey.min()) / (np.ptp(grey) + 1e-9))
    return crop


def draw_style(family: str, seed: int, size: int = SIZE,
               photos: list[np.ndarray] | None = None) -> np.ndarray:
    """One style image of a family; `photos` (the training photos) only for `texture`."""
    rng = np.random.default_rng((seed, TRAIN_FAMILIES.index(family) if family in
                                 TRAIN_FAMILIES else 99))
    if family == "swirl":
        return swirl(size, seed, random_palette(rng, int(rng.integers(3, 7))))
    if family == "mosaic":
        return mosaic(size, seed, random_palette(rng, int(rng.integers(3, 8))),
                      cells=int(rng.integers(20, 250)))
    if family == "circles":
        return circles(size, seed, random_palette(rng, int(rng.integers(3, 8))),
                       cells=int(rng.choice([2, 4, 8])))
    if family == "noise":
        return _colormap(rng, fractal_noise(rng, size))
    if family == "texture":
        return texture(rng, size, photos or [])
    if family == "waves":
        return waves(rng, size)
    raise ValueError(f"unknown style family {family!r}; known: "
                     f"{', '.join(TRAIN_FAMILIES + HELDOUT_FAMILIES)}")


def style_set(n: int, photos: list[np.ndarray], size: int = SIZE,
              families: tuple[str, ...] = TRAIN_FAMILIES) -> list[np.ndarray]:
    """n training style images, the families taking turns, seeds from FIRST_SEED."""
    return [draw_style(families[i % len(families)], FIRST_SEED + i, size, photos)
            for i in range(n)]
