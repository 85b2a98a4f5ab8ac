"""Our small restoration networks: a residual ESPCN-class upscaler and a DnCNN-class denoiser.

SRNet works at the low resolution and upsamples once at the end by sub-pixel convolution
(Shi et al. 2016, ESPCN), so its cost grows with the input, not the output; it predicts only the
detail that bicubic interpolation misses (global residual, as VDSR, Kim et al. 2016), which is
what lets a small net train in minutes on a CPU. DnCNN (Zhang et al. 2017) predicts the noise and
subtracts it; ours drops BatchNorm (it adds nothing at this depth and complicates export) and,
like FFDNet (Zhang et al. 2018), takes the noise level as an extra input channel, so one network
covers every sigma and a user can turn it up or down. Images are (B, 3, H, W) in 0..1.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class SRConfig:
    scale: int = 2          # upscaling factor: 2, 3 or 4
    channels: int = 32      # feature width
    layers: int = 6         # 3x3 conv + ReLU layers between the head and the sub-pixel tail

    def to_dict(self) -> dict:
        return {"kind": "srnet", **asdict(self)}


def _conv_stack(c_in: int, width: int, layers: int) -> nn.Sequential:
    """Head conv then `layers` more 3x3 convs, each followed by ReLU, He-initialised.

    He init (He et al. 2015) keeps activations at unit scale through the ReLUs; PyTorch's
    default init shrinks them ~3x per layer, and after 7 layers the gradient reaching the
    first ones is ~1e-8: the net sat at plain bicubic for 2,000 steps (measured).
    """
    mods: list[nn.Module] = []
    for i in range(layers + 1):
        conv = nn.Conv2d(c_in if i == 0 else width, width, 3, padding=1)
        nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
        nn.init.zeros_(conv.bias)
        mods += [conv, nn.ReLU(inplace=True)]
    return nn.Sequential(*mods)


def _small_init(conv: nn.Conv2d) -> None:
    """Default init scaled by 0.1, bias 0: the net starts close to its skip path (bicubic or
    identity) but, unlike an all-zero layer, passes gradient to the body from the first step."""
    with torch.no_grad():
        conv.weight.mul_(0.1)
        conv.bias.zero_()


class SRNet(nn.Module):
    def __init__(self, config: SRConfig = SRConfig()) -> None:
        super().__init__()
        self.config = config
        s = config.scale
        self.body = _conv_stack(3, config.channels, config.layers)
        self.tail = nn.Conv2d(config.channels, 3 * s * s, 3, padding=1)
        self.shuffle = nn.PixelShuffle(s)
        _small_init(self.tail)              # start near plain bicubic: the residual is learnt

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.config.scale
        base = F.interpolate(x, scale_factor=s, mode="bicubic", align_corners=False)
        return base + self.shuffle(self.tail(self.body(x)))    # (B, 3, sH, sW)


@dataclass(frozen=True)
class DenoiseConfig:
    channels: int = 32      # feature width
    layers: int = 8         # 3x3 conv + ReLU layers between the head and the tail

    def to_dict(self) -> dict:
        return {"kind": "dncnn", **asdict(self)}


class DnCNN(nn.Module):
    def __init__(self, config: DenoiseConfig = DenoiseConfig()) -> None:
        super().__init__()
        self.config = config
        self.body = _conv_stack(4, config.channels, config.layers)
        self.tail = nn.Conv2d(config.channels, 3, 3, padding=1)
        _small_init(self.tail)

    def forward(self, x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        """x (B, 3, H, W); sigma (B,) noise standard deviation on the same 0..1 scale."""
        level = sigma.to(x.dtype).view(-1, 1, 1, 1).expand(-1, 1, *x.shape[2:])
        noise = self.tail(self.body(torch.cat([x, level], dim=1)))
        return x - noise        # residual learning: the net estimates the noise
