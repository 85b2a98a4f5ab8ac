"""Euler's method on the flow ODE dx/dt = v(x, t) (rectified flow, Liu et al. 2022, Alg. 1)."""
from __future__ import annotations

import torch


@torch.no_grad()
def sample_flow_euler(denoiser, x: torch.Tensor, schedule: torch.Tensor, *, cond=None,
                      generator: torch.Generator | None = None, callback=None) -> torch.Tensor:
    """Integrate from schedule[0] (noise, t = 1) to schedule[-1] (data, t = 0).

    `denoiser(x, t, cond)` predicts the velocity noise - x0. Deterministic: `generator` is unused.
    """
    for i in range(len(schedule) - 1):
        t, t_next = schedule[i], schedule[i + 1]
        v = denoiser(x, t.expand(x.shape[0]), cond)
        x = x + (t_next - t) * v
        if callback is not None:
            callback({"i": i, "t": float(t), "x": x})
    return x
