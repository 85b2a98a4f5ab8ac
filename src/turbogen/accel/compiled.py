"""torch.compile (Inductor) with freezing: fuses GroupNorm/SiLU/FiLM chains into few kernels.

Compiling costs 17-29 s per batch size on the 2-core CPU (DESIGN.md), paid on first use in
every process; it pays back only for long runs at a fixed batch size.
"""
from __future__ import annotations

import torch

from .model import AccelModel


def compiled(model: AccelModel, arg: str | None = None) -> AccelModel:
    net = model.torch_net("compile")
    import torch._inductor.config as inductor
    inductor.freezing = True            # weights become constants: folds and fuses more
    fn = torch.compile(model.denoiser if model.denoiser is not net else net, dynamic=False)
    return model.then("compile", denoiser=fn, backend="compiled")
