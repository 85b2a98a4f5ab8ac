"""bf16 autocast and channels_last as methods (the wrapper itself is autocast.FastDenoiser)."""
from __future__ import annotations

import copy

import torch

from .autocast import FastDenoiser, cpu_has_fast_bf16
from .model import AccelModel
from ..errors import AccelError


def channels_last(model: AccelModel, arg: str | None = None) -> AccelModel:
    net = copy.deepcopy(model.torch_net("channels_last"))   # .to(memory_format) is in place
    return model.then("channels_last", net=net, denoiser=FastDenoiser(net))


def bf16(model: AccelModel, arg: str | None = None) -> AccelModel:
    net = copy.deepcopy(model.torch_net("bf16"))
    device = next(net.parameters()).device
    if device.type == "cpu" and not cpu_has_fast_bf16():
        raise AccelError("bf16 needs a CPU with native bf16 (avx512_bf16 or amx_bf16 in "
                         "/proc/cpuinfo); this one would emulate it, slower than fp32")
    return model.then("bf16", net=net, denoiser=FastDenoiser(net, torch.bfloat16),
                      weights_dtype="bf16")
