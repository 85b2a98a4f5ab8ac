"""Classifier-free guidance (Ho & Salimans 2022) as a denoiser wrapper."""
from __future__ import annotations

import torch


def zeros_cond(cond: dict) -> dict:
    """The unconditional input models are trained with: every conditioning tensor zeroed."""
    return {key: torch.zeros_like(value) for key, value in cond.items()}


def guided(denoiser, scale: float, uncond=zeros_cond):
    """A denoiser returning u + scale (c - u) from one doubled batch; scale 1 is the original.

    `uncond(cond)` builds the unconditional conditioning (default: all zeros, flags off).
    """
    if scale == 1.0:
        return denoiser

    def guided_denoiser(x: torch.Tensor, t: torch.Tensor, cond: dict) -> torch.Tensor:
        null = uncond(cond)
        both = {key: torch.cat([cond[key], null[key]]) for key in cond}
        c, u = denoiser(torch.cat([x, x]), torch.cat([t, t]), both).chunk(2)
        return u + scale * (c - u)

    return guided_denoiser
