"""DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2) on the flow ODE, as diffusers'
DPMSolverMultistepScheduler with use_flow_sigmas and prediction_type="flow_prediction".

For x_t = (1 - t) x0 + t noise, alpha_t = 1 - t, sigma_t = t and lambda_t = log(alpha_t / sigma_t);
the data prediction is x0 = x - t v. Each step reuses the previous step's x0 (multistep), so it
costs one network call, like Euler, but is second order.
"""
from __future__ import annotations

import math

import torch


def _lam(t: float) -> float:
    """log-SNR lambda_t = log((1 - t) / t): -inf at t = 1 (noise), +inf at t = 0 (data)."""
    if t >= 1.0:
        return -math.inf
    if t <= 0.0:
        return math.inf
    return math.log(1.0 - t) - math.log(t)


@torch.no_grad()
def sample_flow_dpmpp(denoiser, x: torch.Tensor, schedule: torch.Tensor, *, cond=None,
                      generator: torch.Generator | None = None, callback=None) -> torch.Tensor:
    """Integrate from schedule[0] (noise) to schedule[-1] (data) with one call per step.

    The first step and the last one (to t = 0) are first order, as diffusers' defaults
    (lower_order_final, final_sigmas_type="zero"); the first order step is exactly Euler's.
    """
    times = [float(t) for t in schedule]
    x0_prev, h_prev = None, math.inf
    for i in range(len(times) - 1):
        s, t = times[i], times[i + 1]
        v = denoiser(x, schedule[i].expand(x.shape[0]), cond)
        x0 = x - s * v
        h = _lam(t) - _lam(s)
        # exp(-h) = (sigma_t alpha_s) / (alpha_t sigma_s), finite at both ends of the grid
        e = 0.0 if t <= 0.0 else (t * (1.0 - s)) / ((1.0 - t) * s)
        d = x0
        if x0_prev is not None and t > 0.0 and math.isfinite(h_prev) and math.isfinite(h):
            r = h_prev / h
            d = x0 + (x0 - x0_prev) / (2.0 * r)        # midpoint form: D0 + D1 / 2
        x = (t / s) * x - (1.0 - t) * (e - 1.0) * d
        x0_prev, h_prev = x0, h
        if callback is not None:
            callback({"i": i, "t": s, "x": x, "x0": x0})
    return x
