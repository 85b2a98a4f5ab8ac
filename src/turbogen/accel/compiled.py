"""torch.compile (Inductor) with freezing: fuses GroupNorm/SiLU/FiLM chains into few kernels.

Compiling costs 17-29 s per batch size on the 2-core CPU (DESIGN.md), paid on first use in
every process; it pays back only for long runs at a fixed batch size.

GAN/VAE generators and SR networks compile without freezing: freezing folds BatchNorm into the
preceding convolution, and on vae-mnist's decoder (ConvTranspose2d with bias, then BatchNorm)
that gave a max error of 0.157 per pixel against fp32 (rms 0.014; without freezing 2e-7).
"""
from __future__ import annotations

import torch

from .model import AccelModel


class _Unfrozen:
    """A compiled function called with Inductor's freezing off (compiling happens at the first
    call of each batch size, so the setting must hold during calls, not only here)."""

    def __init__(self, fn) -> None:
        self.fn = fn

    def __call__(self, *args):
        import torch._inductor.config as inductor
        with inductor.patch(freezing=False):
            return self.fn(*args)


def compiled(model: AccelModel, arg: str | None = None) -> AccelModel:
    net = model.torch_net("compile")
    import torch._inductor.config as inductor
    fn = torch.compile(model.denoiser if model.denoiser is not net else net, dynamic=False)
    if model.kind != "text2img":
        return model.then("compile", denoiser=_Unfrozen(fn), backend="compiled")
    inductor.freezing = True            # weights become constants: folds and fuses more
    return model.then("compile", denoiser=fn, backend="compiled")
