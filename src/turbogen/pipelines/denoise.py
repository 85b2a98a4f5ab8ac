"""`turbogen denoise`: our DnCNN-class network, told the noise level or estimating it."""
from __future__ import annotations

import numpy as np
import torch

from ..data.restore_io import Picture
from ..errors import InputError

MAX_SIGMA = 75.0


def estimate_sigma(image: np.ndarray) -> float:
    """Gaussian noise sigma (0..255 levels) by Immerkaer's fast estimator (CVIU 1996).

    The 3x3 mask is the difference of two Laplacians, so smooth image structure cancels and
    mostly noise remains: sigma = sqrt(pi/2) / (6 (W-2)(H-2)) * sum |I * M|, averaged over the
    colour channels. Strong texture reads as a little noise; tiny images give 0.
    """
    if min(image.shape[:2]) < 3:
        return 0.0
    x = image.astype(np.float64)
    conv = (x[:-2, :-2] - 2 * x[:-2, 1:-1] + x[:-2, 2:]
            - 2 * x[1:-1, :-2] + 4 * x[1:-1, 1:-1] - 2 * x[1:-1, 2:]
            + x[2:, :-2] - 2 * x[2:, 1:-1] + x[2:, 2:])
    h, w = image.shape[:2]
    return float(np.sqrt(np.pi / 2) * np.abs(conv).sum() / (6 * (w - 2) * (h - 2) * x.shape[2]))


def denoise_rgb(rgb: np.ndarray, sigma: float | None = None, model: str = "denoise"
                ) -> tuple[np.ndarray, float]:
    """(cleaned image, the sigma used): `sigma` in 0..255 levels, estimated when None."""
    if sigma is None:
        sigma = min(estimate_sigma(rgb), MAX_SIGMA)
    if not 0 <= sigma <= MAX_SIGMA:
        raise InputError(f"--sigma {sigma:g} is out of range: give 0..{MAX_SIGMA:g} "
                         "(noise standard deviation in 0..255 levels)")
    from .restore_model import load_restore_model, run_on_image
    net = load_restore_model(model)
    level = torch.full((1,), sigma / 255.0, device=next(net.parameters()).device)
    pad = net.config.layers + 2        # receptive-field radius of the conv stack
    return run_on_image(lambda t: net(t, level), rgb, 1, tile=256, pad=pad), sigma


def nl_means_rgb(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """The classical baseline: scikit-image's non-local means (Buades et al. 2005), told sigma.

    h = 0.8 sigma with sigma passed in, as scikit-image's documentation advises; fast mode,
    5x5 patches searched 13x13 (its defaults, about 1 s per megapixel here).
    """
    from skimage.restoration import denoise_nl_means
    s = sigma / 255.0
    out = denoise_nl_means(rgb.astype(np.float32) / 255.0, h=0.8 * s, sigma=s, fast_mode=True,
                           patch_size=5, patch_distance=6, channel_axis=-1)
    return (np.clip(out, 0, 1) * 255).round().astype(np.uint8)


def denoise_picture(picture: Picture, sigma: float | None = None) -> tuple[Picture, float]:
    rgb, used = denoise_rgb(picture.rgb, sigma)
    return Picture(rgb, picture.alpha, picture.notes), used
