"""Take an image-to-image network (x -> y, both (B, 3, H, W)) and return a faster one.

channels_last memory layout (oneDNN's native one for convolutions) and, optionally, the weights
and activations in bf16: this CPU (Zen 5, AVX-512 bf16) runs bf16 convolutions ~2.6x faster
than fp32 (DESIGN.md). Input and output stay fp32, so callers see no change but rounding; the
benchmark (benchmarks/realesrgan_speed.py) reports speed and the PSNR of fast vs fp32 output.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

PRECISIONS = ("fp32", "bf16")


class FastImageModel(nn.Module):
    def __init__(self, model: nn.Module, dtype: torch.dtype = torch.float32) -> None:
        super().__init__()
        self.model = copy.deepcopy(model).to(dtype=dtype, memory_format=torch.channels_last)
        self.dtype = dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.to(self.dtype).contiguous(memory_format=torch.channels_last)
        return self.model(x).float()


def accelerate(model: nn.Module, precision: str = "bf16") -> nn.Module:
    """A channels_last copy of `model`, in bf16 when asked; the original is left as it was."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {PRECISIONS}")
    return FastImageModel(model, torch.bfloat16 if precision == "bf16" else torch.float32).eval()
