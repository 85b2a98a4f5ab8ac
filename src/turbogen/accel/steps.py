"""Fewer sampling steps: the same network under another sampler and step count.

`steps=SAMPLER/N` (e.g. steps=flow_dpmpp/4). The step count is the largest lever a flow model
has: each step is one network call (Heun: two, but the last), so 8 -> 4 steps is 2x.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import AccelError
from ..samplers import SAMPLER_OBJECTIVE, SAMPLERS
from .model import AccelModel

MAX_STEPS = 1000


def parse_steps(arg: str | None, objective: str) -> tuple[str, int]:
    fits = [name for name, kind in SAMPLER_OBJECTIVE.items() if kind == objective]
    usage = f"write steps=SAMPLER/N with SAMPLER one of {', '.join(fits)}, e.g. steps={fits[0]}/4"
    if not arg or "/" not in arg:
        raise AccelError(f"steps needs a sampler and a step count: {usage}")
    sampler, _, count = arg.partition("/")
    if sampler not in SAMPLERS:
        raise AccelError(f"unknown sampler {sampler!r}; {usage}")
    if SAMPLER_OBJECTIVE[sampler] != objective:
        raise AccelError(f"sampler {sampler} reads {SAMPLER_OBJECTIVE[sampler]} predictions but "
                         f"this model predicts {objective}; {usage}")
    if not count.isdigit() or not 1 <= int(count) <= MAX_STEPS:
        raise AccelError(f"step count {count!r} is not a whole number from 1 to {MAX_STEPS}")
    return sampler, int(count)


def steps(model: AccelModel, arg: str | None = None) -> AccelModel:
    sampler, count = parse_steps(arg, model.config.objective.kind)
    config = replace(model.config, sampler=sampler, steps=count)
    return model.then(f"steps={sampler}/{count}", config=config)
