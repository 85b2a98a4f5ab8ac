"""Training pairs for restoration: random crops of the bundled photos, degraded on the fly.

Super-resolution uses the standard degradation of the SR literature (the low-res image is the
high-res one shrunk by PIL bicubic, rounded to uint8); denoising adds Gaussian noise of a random
sigma, or a JPEG round trip at a random quality, so one network handles both. Crops are drawn in
proportion to each photo's area and flipped / rotated (8 dihedral variants).
"""
from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from .degrade import add_noise, jpeg


def dihedral(patch: np.ndarray, k: int) -> np.ndarray:
    """One of the 8 flips/rotations of an (H, W, C) array (k in 0..7)."""
    patch = np.rot90(patch, k % 4)
    return patch[:, ::-1] if k >= 4 else patch


def shrink(image: np.ndarray, scale: int) -> np.ndarray:
    """PIL bicubic downscale by an integer factor: the low-res input SR is evaluated on."""
    h, w = image.shape[:2]
    small = Image.fromarray(image).resize((w // scale, h // scale), Image.Resampling.BICUBIC)
    return np.asarray(small)


def to_tensor(images: list[np.ndarray]) -> torch.Tensor:
    """List of (H, W, 3) uint8 -> (B, 3, H, W) float in 0..1."""
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 255.0


class PatchSource:
    """Random crops of a set of photos, by area, with dihedral augmentation."""

    def __init__(self, photos: dict[str, np.ndarray], patch: int, seed: int = 0) -> None:
        self.photos = [p for p in photos.values() if min(p.shape[:2]) >= patch]
        areas = np.array([p.shape[0] * p.shape[1] for p in self.photos], dtype=np.float64)
        self.weights = areas / areas.sum()
        self.patch, self.seed = patch, seed

    def crops(self, step: int, n: int) -> tuple[list[np.ndarray], np.random.Generator]:
        rng = np.random.default_rng((self.seed, step))      # a resumed run sees the same data
        out = []
        for index in rng.choice(len(self.photos), size=n, p=self.weights):
            photo = self.photos[index]
            y = rng.integers(0, photo.shape[0] - self.patch + 1)
            x = rng.integers(0, photo.shape[1] - self.patch + 1)
            crop = photo[y:y + self.patch, x:x + self.patch]
            out.append(np.ascontiguousarray(dihedral(crop, int(rng.integers(8)))))
        return out, rng


def sr_batch(source: PatchSource, step: int, n: int, scale: int
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """(low-res, high-res) tensors of `n` crops; the crop size must be a multiple of scale."""
    crops, _ = source.crops(step, n)
    return to_tensor([shrink(c, scale) for c in crops]), to_tensor(crops)


def noisy(image: np.ndarray, rng: np.random.Generator, max_sigma: float, jpeg_share: float
          ) -> np.ndarray:
    """Gaussian noise of sigma ~ U(0, max_sigma) (in 0..255 levels), or a JPEG round trip.

    The result is rounded and clipped to uint8 like any noisy file a user hands us (DnCNN's
    paper keeps it unclipped; our eval clips too, so train and test agree).
    """
    if rng.random() < jpeg_share:
        return jpeg(image, int(rng.integers(10, 91)))
    sigma = rng.uniform(0.0, max_sigma)
    return add_noise(image, sigma, rng)


def denoise_batch(source: PatchSource, step: int, n: int, max_sigma: float = 55.0,
                  jpeg_share: float = 0.25) -> tuple[torch.Tensor, torch.Tensor]:
    """(degraded, clean) tensors."""
    crops, rng = source.crops(step, n)
    return to_tensor([noisy(c, rng, max_sigma, jpeg_share) for c in crops]), to_tensor(crops)
