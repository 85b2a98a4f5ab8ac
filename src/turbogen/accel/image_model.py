"""Take an image-to-image network (x -> y, both (B, 3, H, W)) and return a faster one.

channels_last memory layout (oneDNN's native one for convolutions) and, optionally, bf16
autocast: this CPU (Zen 5, AVX-512 bf16) runs bf16 convolutions ~2.6x faster than fp32
(DESIGN.md). Autocast rather than bf16 weights, so what is not a convolution keeps its input's
precision: a residual network's skip path (SRNet's bicubic base) stays fp32 and only the small
correction is rounded. Input and output are fp32. benchmarks/realesrgan_speed.py reports the
speed and the PSNR of fast against fp32 output.
"""
from __future__ import annotations

from torch import nn

from .autocast import with_precision


def accelerate(model: nn.Module, precision: str = "bf16") -> nn.Module:
    """`model` (its weights now channels_last) wrapped to run channels_last, bf16 if asked
    (autocast.FastDenoiser, which serves image-to-image networks as well as denoisers)."""
    return with_precision(model, precision).eval()
