"""Image degradations that make exact renders look like a generator's output.

A generator draws Shapes World approximately: soft edges, colour that drifts a little, pixel
noise, small artefacts. The verifier trains on renders degraded this way and is benchmarked on
them. Every function takes and returns an (H, W, 3) uint8 array; randomness comes from the numpy
Generator passed in, so a seed fixes the result.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur with edge-replicating borders; sigma in pixels (0 = unchanged)."""
    if sigma <= 0:
        return image
    radius = max(1, int(np.ceil(3 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    out = image.astype(np.float32)
    for axis in (0, 1):
        padded = np.pad(out, [(radius, radius) if a == axis else (0, 0) for a in range(3)],
                        mode="edge")
        length = out.shape[axis]
        out = sum(w * np.take(padded, np.arange(k, k + length), axis=axis)
                  for k, w in enumerate(taps))
    return _to_uint8(out)


def add_noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Independent Gaussian noise per pixel and channel, sigma in 0..255 levels."""
    if sigma <= 0:
        return image
    return _to_uint8(image + rng.normal(0.0, sigma, image.shape))


def shift_colors(image: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    """One random gain and offset per channel: the whole palette drifts by up to `amount` levels."""
    if amount <= 0:
        return image
    gain = 1.0 + rng.uniform(-amount, amount, 3) / 255.0
    offset = rng.uniform(-amount, amount, 3)
    return _to_uint8(image * gain + offset)


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    """A JPEG round trip: blocky, ringing artefacts around edges.

    Chroma keeps full resolution (4:4:4): a generator has no reason to halve it, and 4:2:0 wipes
    out a small pink star on white, whose luma hardly differs from the background.
    """
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=int(quality), subsampling=0)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def warp(image: np.ndarray, amount: float, rng: np.random.Generator, cell: int = 8
         ) -> np.ndarray:
    """Wobble edges: move pixels along a smooth random field up to about `amount` px.

    The field is Gaussian noise on a coarse grid (one value per `cell` px), bilinearly
    upsampled, so straight edges bend gently the way a generator's do.
    """
    if amount <= 0:
        return image
    h, w = image.shape[:2]
    coarse = rng.normal(0.0, amount / 2, (2, h // cell + 2, w // cell + 2))
    ys, xs = np.arange(h) / cell, np.arange(w) / cell
    field = np.stack([_bilinear(c, ys[:, None], xs[None, :]) for c in coarse])    # (2, H, W)
    y = np.clip(np.arange(h)[:, None] + field[0], 0, h - 1)
    x = np.clip(np.arange(w)[None, :] + field[1], 0, w - 1)
    return _to_uint8(_bilinear(image.astype(np.float32), y, x))


def _bilinear(values: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """values sampled at fractional (y, x) (broadcast together), clamped to the edges."""
    y0 = np.clip(np.floor(y).astype(int), 0, values.shape[0] - 2)
    x0 = np.clip(np.floor(x).astype(int), 0, values.shape[1] - 2)
    fy, fx = y - y0, x - x0
    if values.ndim == 3:
        fy, fx = fy[..., None], fx[..., None]
    top = values[y0, x0] * (1 - fx) + values[y0, x0 + 1] * fx
    bottom = values[y0 + 1, x0] * (1 - fx) + values[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Degradation:
    """A fixed recipe: warp, blur, colour drift, noise, then optionally JPEG."""

    warp: float = 0.0            # edge wobble, about this many px
    blur: float = 0.0            # Gaussian sigma, pixels
    noise: float = 0.0           # Gaussian sigma, 0..255 levels
    color_shift: float = 0.0     # per-channel gain/offset range, 0..255 levels
    jpeg_quality: int = 0        # 0 = no JPEG round trip

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        image = warp(image, self.warp, rng)
        image = gaussian_blur(image, self.blur)
        image = shift_colors(image, self.color_shift, rng)
        image = add_noise(image, self.noise, rng)
        return jpeg(image, self.jpeg_quality) if self.jpeg_quality else image


# Named settings the benchmark reports. "generator" is what our small generators' samples look
# like to the eye at 64 px: slightly soft edges and a little noise.
DEGRADATIONS = {
    "exact": Degradation(),
    "generator": Degradation(blur=0.7, noise=6.0, color_shift=8.0),
    "harsh": Degradation(blur=1.0, noise=12.0, color_shift=16.0, jpeg_quality=75),
    "wobbly": Degradation(warp=1.0, blur=0.5, noise=4.0, color_shift=8.0),
}


def random_degradation(rng: np.random.Generator, strength: float = 1.0) -> Degradation:
    """A random recipe for training augmentation, from exact up to a bit beyond 'harsh'."""
    def maybe(p: float, high: float) -> float:
        return float(rng.uniform(0.0, high * strength)) if rng.random() < p else 0.0

    quality = int(rng.integers(60, 96)) if rng.random() < 0.2 * strength else 0
    return Degradation(blur=maybe(0.7, 1.2), noise=maybe(0.7, 14.0),
                       color_shift=maybe(0.5, 20.0), jpeg_quality=quality)
