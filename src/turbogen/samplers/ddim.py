"""DDIM (Song et al. 2021, eq. 12) for noise-predicting denoisers; eta = 0 is deterministic."""
from __future__ import annotations

import torch

from .schedules import alpha_bar_cosine


@torch.no_grad()
def sample_ddim(denoiser, x: torch.Tensor, schedule: torch.Tensor, *, cond=None,
                generator: torch.Generator | None = None, callback=None,
                alpha_bar=alpha_bar_cosine, eta: float = 0.0,
                clip_x0: float | None = 1.0) -> torch.Tensor:
    """Step through times `schedule` (1 -> 0) with signal levels `alpha_bar(t)`.

    As diffusers' DDIMScheduler: the x0 estimate is clipped to +-clip_x0 (None: no clipping)
    but the noise estimate is not recomputed from it. eta > 0 adds fresh noise from `generator`.
    """
    for i in range(len(schedule) - 1):
        t, t_next = schedule[i], schedule[i + 1]
        a, a_next = alpha_bar(t), alpha_bar(t_next)
        eps = denoiser(x, t.expand(x.shape[0]), cond)
        x0 = (x - (1 - a).sqrt() * eps) / a.sqrt()
        if clip_x0 is not None:
            x0 = x0.clamp(-clip_x0, clip_x0)
        sigma = eta * ((1 - a_next) / (1 - a) * (1 - a / a_next)).sqrt()
        x = a_next.sqrt() * x0 + (1 - a_next - sigma ** 2).clamp(min=0).sqrt() * eps
        if eta > 0:
            noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
            x = x + sigma * noise
        if callback is not None:
            callback({"i": i, "t": float(t), "x": x, "x0": x0})
    return x
