"""Arbitrary style transfer with adaptive instance normalisation (Huang & Belongie 2017).

A frozen VGG16 encoder f (models/vgg.py, HED weights) maps content c and style s to features;
AdaIN gives the content features the style's per-channel mean and std,
    t = sigma(f(s)) * (f(c) - mu(f(c))) / sigma(f(c)) + mu(f(s)),
and a decoder g, mirroring the encoder, paints g(t). One decoder serves every style image.
Training minimises content ||f(g(t)) - t|| + style sum_l ||mu(f_l(g(t))) - mu(f_l(s))|| +
||sigma(...) - sigma(...)|| over relu1_1, relu2_1, relu3_1[, relu4_1]. The paper stops the
encoder at VGG19's relu4_1; here the default stops at relu3_1 (VGG16 blocks 1-3): block 4
would double each training step on a 2-core CPU. At inference alpha in [0, 1] blends t with
f(c) (style strength). Each MSE is divided by its target's mean square, as in models/style.py,
so the terms start near 1 whatever the layer's scale.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .vgg import BLOCKS, WIDTHS, VGG16Features

ENCODER_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1")


@dataclass(frozen=True)
class AdaINConfig:
    layer: str = "relu3_1"      # the encoder's last layer, where AdaIN acts (paper: relu4_1)
    width: int = 64             # decoder channels at full resolution; 64 mirrors VGG16
    # the decoder's input is multiplied by this. HED VGG16 features are Caffe-scaled (relu3_1
    # RMS ~25 on the photos); 0.04 gives O(1) inputs and, in a 120-step A/B at 64 px, a 50x
    # smaller first loss and a 7% lower loss at the end. The bundled decoder predates it: 1.0
    input_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.layer not in ENCODER_LAYERS[1:]:
            raise ValueError(f"AdaIN layer {self.layer!r}; choose one of "
                             f"{', '.join(ENCODER_LAYERS[1:])}")

    @property
    def depth(self) -> int:
        """VGG blocks the encoder reaches: 3 for relu3_1."""
        return int(self.layer[4])

    def style_layers(self) -> tuple[str, ...]:
        return ENCODER_LAYERS[:self.depth]

    def to_dict(self) -> dict:
        return {"kind": "adain", **asdict(self)}


def mean_std(features: torch.Tensor, eps: float = 1e-5) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, C, H, W) -> per-channel mean and std over H, W, each (B, C, 1, 1), in fp32."""
    flat = features.float().flatten(2)                                    # (B, C, H*W)
    mean = flat.mean(-1)
    std = (flat.var(-1, unbiased=False) + eps).sqrt()
    return mean[..., None, None], std[..., None, None]


def adain(content: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
    """Content features renormalised to the style features' channel mean and std (eq. 8)."""
    c_mean, c_std = mean_std(content)
    s_mean, s_std = mean_std(style)
    return (content.float() - c_mean) / c_std * s_std + s_mean


def _conv(c_in: int, c_out: int, relu: bool = True) -> list[nn.Module]:
    # reflection padding, as in the paper's decoder: no dark borders
    return [nn.ReflectionPad2d(1), nn.Conv2d(c_in, c_out, 3)] + ([nn.ReLU()] if relu else [])


class Decoder(nn.Module):
    """The encoder mirrored: convs in reverse order, nearest x2 upsampling for each max-pool
    (no transposed convs: no checkerboards), no normalisation; the last conv gives RGB 0..1
    unbounded (clamped when an image is made). Channels scale with `width`."""

    def __init__(self, config: AdaINConfig = AdaINConfig()) -> None:
        super().__init__()
        self.config = config
        widths = [WIDTHS[b] * config.width // 64 for b in range(config.depth)]
        layers: list[nn.Module] = []
        c_in = WIDTHS[config.depth - 1]                     # the encoder's output channels
        for b in range(config.depth - 1, 0, -1):            # e.g. relu3_1: levels 3, 2
            layers += _conv(c_in, widths[b - 1]) + [nn.Upsample(scale_factor=2)]
            c_in = widths[b - 1]
            for _ in range(BLOCKS[b - 1] - 1):              # the block's other convs
                layers += _conv(c_in, c_in)
        self.body = nn.Sequential(*layers, *_conv(c_in, 3, relu=False))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        # (B, C, H/4, W/4) -> (B, 3, H, W) for relu3_1
        return self.body(t * self.config.input_scale)


class AdaINNet(nn.Module):
    """encoder (frozen VGG16Features) + AdaIN + decoder; `forward(content, style, alpha)`."""

    def __init__(self, encoder: VGG16Features, config: AdaINConfig = AdaINConfig()) -> None:
        super().__init__()
        missing = set(config.style_layers()) - set(encoder.layers)
        if missing:
            raise ValueError(f"the encoder must return {sorted(missing)} for AdaIN at "
                             f"{config.layer}")
        self.config = config
        self.encoder = encoder.requires_grad_(False)
        self.decoder = Decoder(config)

    def encode(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.encoder(x, self.config.style_layers())

    def target(self, content: torch.Tensor, style: torch.Tensor, alpha: float = 1.0
               ) -> torch.Tensor:
        """t = alpha * AdaIN(f(c), f(s)) + (1 - alpha) * f(c); a style batch of 1 serves all."""
        fc = self.encoder(content, (self.config.layer,))[self.config.layer]
        fs = self.encoder(style, (self.config.layer,))[self.config.layer]
        t = adain(fc, fs.expand(len(fc), -1, -1, -1) if len(fs) == 1 else fs)
        return t if alpha == 1.0 else alpha * t + (1 - alpha) * fc.float()

    def forward(self, content: torch.Tensor, style: torch.Tensor, alpha: float = 1.0
                ) -> torch.Tensor:
        """(B, 3, H, W) RGB 0..1 content, (B or 1, 3, H', W') style -> (B, 3, H4, W4), where
        H4, W4 are H, W rounded down to the encoder's pooling (a multiple of 4 for relu3_1)."""
        return self.decoder(self.target(content, style, alpha).to(content.dtype))


def _relative_mse(x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(x, target) / target.pow(2).mean().clamp_min(1e-8)


def adain_loss(net: AdaINNet, content: torch.Tensor, style: torch.Tensor,
               style_weight: float) -> tuple[torch.Tensor, dict[str, float]]:
    """The paper's objective (eq. 11-13): content loss to the AdaIN target + mean/std style
    loss over the encoder's layers; returns (total, parts)."""
    layer = net.config.layer
    with torch.no_grad():
        style_feats = net.encode(style)
        fc = net.encoder(content, (layer,))[layer]
        t = adain(fc, style_feats[layer])
    image = net.decoder(t.to(content.dtype))
    out = net.encode(image)
    content_loss = _relative_mse(out[layer].float(), t)
    style_loss = 0.0
    for name in net.config.style_layers():
        o_mean, o_std = mean_std(out[name])
        s_mean, s_std = mean_std(style_feats[name])
        style_loss = style_loss + _relative_mse(o_mean, s_mean) + _relative_mse(o_std, s_std)
    style_loss = style_loss / len(net.config.style_layers())
    total = content_loss + style_weight * style_loss
    return total, {"content": float(content_loss.detach()), "style": float(style_loss.detach())}
