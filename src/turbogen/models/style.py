"""A slim Johnson-style transformer network for fast style transfer, and the Gram-matrix loss.

TransformerNet follows Johnson et al. 2016 (two strided downsampling convs, residual blocks at a
quarter of the resolution, two upsampling stages, 9x9 convs at both ends, instance norm as in
Ulyanov et al. 2016) but is slimmer (16/32/64 channels, 3 residual blocks, 0.28M parameters:
4.3 GFLOP per 256 px image against 20.2 for the original's 32/64/128 channels and 5 blocks,
counted by torch's FlopCounterMode) so that 10 images/s fit on two CPU cores. Upsampling is
nearest-neighbour + conv, not transposed conv, which avoids checkerboard artefacts (Odena et al.
2016). Images are (B, 3, H, W) RGB in 0..1; H and W need not be multiples of 4.

StyleLoss is Gatys et al. 2016's perceptual objective on VGG16 features: content = MSE of one
layer's activations, style = MSE of Gram matrices (channel correlations) over several layers,
plus a small total-variation term. Each MSE is divided by its target's mean square, so every
term starts near 1 whatever the layer's scale or the style image, and one set of weights
serves all styles (raw Gram errors differed 3x between two of our styles and ~1e6 between
layers).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class TransformerConfig:
    width: int = 16         # channels at full resolution; x2 at 1/2, x4 at 1/4
    res_blocks: int = 3     # residual blocks at 1/4 resolution
    edge_kernel: int = 9    # kernel of the first and last conv (Johnson: 9)

    def to_dict(self) -> dict:
        return {"kind": "transformer", **asdict(self)}


class ConvLayer(nn.Sequential):
    """Reflection pad (no dark borders) + conv [+ instance norm + ReLU]."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int = 1,
                 norm_act: bool = True) -> None:
        mods: list[nn.Module] = [nn.ReflectionPad2d(kernel // 2),
                                 nn.Conv2d(c_in, c_out, kernel, stride)]
        if norm_act:
            mods += [nn.InstanceNorm2d(c_out, affine=True), nn.ReLU(inplace=True)]
        super().__init__(*mods)


class ResidualBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(ConvLayer(channels, channels, 3),
                                  ConvLayer(channels, channels, 3, norm_act=False),
                                  nn.InstanceNorm2d(channels, affine=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class TransformerNet(nn.Module):
    def __init__(self, config: TransformerConfig = TransformerConfig()) -> None:
        super().__init__()
        self.config = config
        w, k = config.width, config.edge_kernel
        self.down = nn.Sequential(ConvLayer(3, w, k), ConvLayer(w, 2 * w, 3, 2),
                                  ConvLayer(2 * w, 4 * w, 3, 2))
        self.res = nn.Sequential(*[ResidualBlock(4 * w) for _ in range(config.res_blocks)])
        self.up1 = ConvLayer(4 * w, 2 * w, 3)
        self.up2 = ConvLayer(2 * w, w, 3)
        self.out = ConvLayer(w, 3, k, norm_act=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[-2:]
        h = self.res(self.down(x))                                     # (B, 4w, H/4, W/4)
        half = (-(-size[0] // 2), -(-size[1] // 2))                    # ceil: odd sides
        h = self.up1(F.interpolate(h, size=half, mode="nearest"))      # (B, 2w, H/2, W/2)
        h = self.up2(F.interpolate(h, size=size, mode="nearest"))      # (B, w, H, W)
        # a sigmoid keeps 0..1 without the dead gradients of a clamp
        return torch.sigmoid(self.out(h))


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) -> (B, C, C) channel correlations, divided by C*H*W (Johnson et al.)."""
    b, c, h, w = features.shape
    flat = features.float().reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


def total_variation(x: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of neighbouring pixels: discourages high-frequency noise."""
    return (x[..., 1:, :] - x[..., :-1, :]).abs().mean() + \
        (x[..., :, 1:] - x[..., :, :-1]).abs().mean()


def _relative_mse(x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(x, target) / target.pow(2).mean().clamp_min(1e-8)


@dataclass(frozen=True)
class StyleWeights:
    content_layer: str = "relu2_2"
    style_layers: tuple[str, ...] = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
    content: float = 1.0
    style: float = 5.0
    tv: float = 0.5

    def layers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.style_layers, self.content_layer)))


class StyleLoss(nn.Module):
    """loss(image, content features) against fixed style Grams; returns (total, parts)."""

    def __init__(self, vgg: nn.Module, style_image: torch.Tensor,
                 weights: StyleWeights = StyleWeights()) -> None:
        super().__init__()
        self.vgg, self.weights = vgg, weights
        with torch.no_grad():
            feats = vgg(style_image)
            grams = {name: gram_matrix(feats[name]) for name in weights.style_layers}
        for name, gram in grams.items():
            self.register_buffer(f"gram_{name}", gram)

    def content_target(self, content: torch.Tensor) -> torch.Tensor:
        layer = self.weights.content_layer
        with torch.no_grad():
            return self.vgg(content, (layer,))[layer].float()

    def forward(self, image: torch.Tensor, content_target: torch.Tensor
                ) -> tuple[torch.Tensor, dict[str, float]]:
        w = self.weights
        feats = self.vgg(image, w.layers())
        content = _relative_mse(feats[w.content_layer].float(), content_target)
        style = sum(_relative_mse(gram_matrix(feats[name]),
                                  getattr(self, f"gram_{name}").expand(len(image), -1, -1))
                    for name in w.style_layers) / len(w.style_layers)
        tv = total_variation(image.float())
        total = w.content * content + w.style * style + w.tv * tv
        parts = {"content": content, "style": style, "tv": tv}
        return total, {k: float(v.detach()) for k, v in parts.items()}
