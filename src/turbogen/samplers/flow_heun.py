"""Heun's second-order method on the flow ODE (Karras et al. 2022, EDM Algorithm 1)."""
from __future__ import annotations

import torch


@torch.no_grad()
def sample_flow_heun(denoiser, x: torch.Tensor, schedule: torch.Tensor, *, cond=None,
                     generator: torch.Generator | None = None, callback=None) -> torch.Tensor:
    """Euler step, then correct with the velocity at its end point; the last step to t = 0
    stays Euler (EDM does the same). Two network calls per step but the last."""
    for i in range(len(schedule) - 1):
        t, t_next = schedule[i], schedule[i + 1]
        v = denoiser(x, t.expand(x.shape[0]), cond)
        x_euler = x + (t_next - t) * v
        if float(t_next) > 0:
            v_next = denoiser(x_euler, t_next.expand(x.shape[0]), cond)
            x = x + (t_next - t) * (v + v_next) / 2
        else:
            x = x_euler
        if callback is not None:
            callback({"i": i, "t": float(t), "x": x})
    return x
