"""The loop diffusers users know: FlowMatchEulerDiscreteScheduler stepping a flow model.

The baseline row of `turbogen bench`: the same network sampled through diffusers' scheduler at
the same number of steps, its own time grid (1 down to 1/1000, then 0) included. diffusers is
imported on first use only (1.2 s).
"""
from __future__ import annotations

import torch

from ..errors import InputError


@torch.no_grad()
def sample_diffusers_flow_euler(denoiser, x: torch.Tensor, schedule: torch.Tensor, *, cond=None,
                                generator: torch.Generator | None = None,
                                callback=None) -> torch.Tensor:
    """len(schedule) - 1 steps of diffusers' flow Euler; `schedule` only sets the count."""
    try:
        from diffusers import FlowMatchEulerDiscreteScheduler
    except ImportError:
        raise InputError("the diffusers_flow_euler sampler needs diffusers: "
                         "pip install diffusers") from None
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=1.0)
    scheduler.set_timesteps(len(schedule) - 1, device=x.device)
    for i, step in enumerate(scheduler.timesteps):
        t = (step / 1000).expand(x.shape[0]).to(x.dtype)     # diffusers' timesteps are 1000 t
        x = scheduler.step(denoiser(x, t, cond), step, x).prev_sample
        if callback is not None:
            callback({"i": i, "t": float(t[0]), "x": x})
    return x
