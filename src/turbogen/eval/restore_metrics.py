"""PSNR and SSIM the way super-resolution and denoising papers report them.

SR papers (since SRCNN) compare on the luma channel only, BT.601 Y in 16..235 as MATLAB's
rgb2ycbcr gives it, after cropping `scale` pixels from every border (interpolation there lacks
neighbours). SSIM is Wang et al. 2004 with an 11x11 Gaussian window, sigma 1.5.
"""
from __future__ import annotations

import numpy as np
import torch

from .domain_metrics import ssim as _ssim


def y_channel(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W) float64 Y in 16..235 (ITU-R BT.601)."""
    rgb = image.astype(np.float64) / 255.0
    return 16.0 + rgb @ np.array([65.481, 128.553, 24.966])


def _crop(a: np.ndarray, border: int) -> np.ndarray:
    return a[border:a.shape[0] - border, border:a.shape[1] - border] if border else a


def psnr_y(x: np.ndarray, ref: np.ndarray, border: int = 0) -> float:
    """PSNR in dB of two (H, W, 3) uint8 images on Y, `border` pixels cropped from each side."""
    diff = _crop(y_channel(x), border) - _crop(y_channel(ref), border)
    mse = max(float(np.mean(diff * diff)), 1e-10)
    return 10 * np.log10(255.0 ** 2 / mse)


def ssim_y(x: np.ndarray, ref: np.ndarray, border: int = 0) -> float:
    """SSIM of two (H, W, 3) uint8 images on Y (scaled to 0..1), `border` cropped."""
    def tensor(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(_crop(y_channel(a), border) / 255.0)[None, None]
    return _ssim(tensor(x), tensor(ref), window=11, sigma=1.5)


def modcrop(image: np.ndarray, scale: int) -> np.ndarray:
    """Crop to a multiple of `scale` (top-left kept), so low-res x scale == high-res exactly."""
    h, w = image.shape[:2]
    return image[:h - h % scale, :w - w % scale]
