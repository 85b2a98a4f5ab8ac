"""Samplers: plain functions `(denoiser, x, schedule, *, cond, generator, callback) -> x`."""
from __future__ import annotations

from ..errors import InputError
from .ddim import sample_ddim
from .diffusers_flow import sample_diffusers_flow_euler
from .flow_dpmpp import sample_flow_dpmpp
from .flow_euler import sample_flow_euler
from .flow_heun import sample_flow_heun

SAMPLERS = {
    "flow_euler": sample_flow_euler,
    "flow_heun": sample_flow_heun,
    "flow_dpmpp": sample_flow_dpmpp,
    "ddim": sample_ddim,
    "diffusers_flow_euler": sample_diffusers_flow_euler,   # the baseline users know
}
# Which objective's predictions each sampler reads (samplers/schedules.py).
SAMPLER_OBJECTIVE = {"flow_euler": "flow", "flow_heun": "flow", "flow_dpmpp": "flow",
                    "ddim": "eps", "diffusers_flow_euler": "flow"}


def get_sampler(name: str):
    if name not in SAMPLERS:
        raise InputError(f"unknown sampler {name!r}; choose one of: {', '.join(SAMPLERS)}")
    return SAMPLERS[name]
