"""Masked sampling for flow models: redraw inside a mask, keep the rest (RePaint, Lugmayr et
al. 2022, Alg. 1, without resampling jumps), as a denoiser wrapper any flow sampler can run.

Outside the mask the image is known, and on the rectified-flow path x_t = (1 - t) x0 + t noise
its velocity is exactly noise - x0 at every t. The wrapper (a) puts the known noisy image
outside the mask before the network looks, so the redrawn part sees its true surroundings at
the current noise level, and (b) returns the known velocity there, so Euler and DPM-Solver++
steps keep the outside on its path exactly (DPM++'s data prediction x - t v is then x0 itself).
Inside the mask the network's velocity is used as is.
"""
from __future__ import annotations

import torch


def keep_known(denoiser, known: torch.Tensor, noise: torch.Tensor, redraw: torch.Tensor):
    """A denoiser that redraws where `redraw` is 1 and follows `known` where it is 0.

    known: (B, C, H, W) clean images in -1..1; noise: the sampler's starting noise, same shape;
    redraw: (B, 1, H, W) or (1, 1, H, W), 1 = draw anew.
    """
    keep = 1.0 - redraw.to(known.dtype)
    known_v = noise - known                          # velocity of the straight path

    def masked_denoiser(x: torch.Tensor, t: torch.Tensor, cond) -> torch.Tensor:
        tb = t.view(-1, 1, 1, 1).to(x.dtype)
        x = keep * ((1 - tb) * known + tb * noise) + (1 - keep) * x
        v = denoiser(x, t, cond)
        return keep * known_v + (1 - keep) * v.to(x.dtype)

    return masked_denoiser
