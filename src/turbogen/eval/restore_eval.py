"""`turbogen eval sr|denoise`: restoration quality on held-out photos, and speed.

Each method is a callable on (H, W, 3) uint8 arrays, so this module needs no model code: the CLI
hands in pipelines, a recipe hands in the network it just trained.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from ..data.degrade import add_noise
from ..data.restore_patches import shrink
from .restore_metrics import modcrop, psnr_y, ssim_y

Method = Callable[[np.ndarray], np.ndarray]


def _score(method: Method, inputs: dict[str, np.ndarray], targets: dict[str, np.ndarray],
           border: int) -> dict:
    """Mean Y-PSNR / Y-SSIM over the images, per-image PSNR, and output megapixels/s."""
    rows, pixels, seconds = {}, 0, 0.0
    for name, x in inputs.items():
        t0 = time.perf_counter()
        out = method(x)
        seconds += time.perf_counter() - t0
        pixels += out.shape[0] * out.shape[1]
        rows[name] = {"psnr": psnr_y(out, targets[name], border),
                      "ssim": ssim_y(out, targets[name], border)}
    return {"psnr": float(np.mean([r["psnr"] for r in rows.values()])),
            "ssim": float(np.mean([r["ssim"] for r in rows.values()])),
            "megapixels_per_s": pixels / 1e6 / max(seconds, 1e-9),
            "per_image_psnr": {k: round(v["psnr"], 3) for k, v in rows.items()}}


def eval_sr(methods: dict[str, Method], images: dict[str, np.ndarray], scale: int) -> dict:
    """Each method upscales the PIL-bicubic-shrunk photo; Y-PSNR/SSIM with border = scale."""
    targets = {k: modcrop(v, scale) for k, v in images.items()}
    inputs = {k: shrink(v, scale) for k, v in targets.items()}
    results = {name: _score(m, inputs, targets, scale) for name, m in methods.items()}
    return {"task": "sr", "scale": scale, "images": list(images), "methods": results}


def eval_denoise(methods: dict[str, Method], images: dict[str, np.ndarray],
                 sigmas=(15, 25, 50), seed: int = 0) -> dict:
    """Each method cleans the photo plus Gaussian noise (fixed seed, uint8-clipped)."""
    out = {}
    for sigma in sigmas:
        rng = np.random.default_rng((seed, sigma))
        noisy = {k: add_noise(v, float(sigma), rng) for k, v in images.items()}
        scored = {"noisy": _score(lambda x: x, noisy, images, 0)}
        scored.update({name: _score(m, noisy, images, 0) for name, m in methods.items()})
        out[str(sigma)] = scored
    return {"task": "denoise", "sigmas": list(sigmas), "images": list(images), "methods": out}
