"""MLP GAN (Goodfellow et al. 2014), optionally class-conditional (Mirza & Osindero 2014).

Generator: z (+ label embedding) -> MLP -> image in -1..1. Discriminator: image -> MLP -> one
logit; conditional discriminators add a projection term <embed(y), h> (Miyato & Koyama 2018),
which conditions more sharply than concatenating the label to the input.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class MLPGANConfig:
    image_size: int = 28                # square images, side in pixels
    channels: int = 1                   # 1 grey, 3 RGB
    num_classes: int = 0                # 0 = unconditional
    z_dim: int = 64                     # latent size
    embed_dim: int = 16                 # label embedding width (generator)
    g_hidden: tuple[int, ...] = (256, 512)
    d_hidden: tuple[int, ...] = (512, 256)
    spectral_norm: bool = True          # on every discriminator layer (Miyato et al. 2018)
    dropout: float = 0.3                # discriminator dropout: slows its overfitting on 5k images

    def __post_init__(self) -> None:
        if self.image_size < 4 or self.channels not in (1, 3) or self.num_classes < 0:
            raise ValueError("image_size >= 4, channels 1 or 3, num_classes >= 0")


def _sn(layer: nn.Module, on: bool) -> nn.Module:
    return nn.utils.parametrizations.spectral_norm(layer) if on else layer


class MLPGenerator(nn.Module):
    def __init__(self, config: MLPGANConfig) -> None:
        super().__init__()
        self.config = c = config
        self.embed = nn.Embedding(c.num_classes, c.embed_dim) if c.num_classes else None
        width = c.z_dim + (c.embed_dim if c.num_classes else 0)
        layers: list[nn.Module] = []
        for hidden in c.g_hidden:
            layers += [nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.ReLU(True)]
            width = hidden
        layers += [nn.Linear(width, c.channels * c.image_size ** 2), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        c = self.config
        return self.net(z).view(-1, c.channels, c.image_size, c.image_size)   # (B, C, H, W)


class MLPDiscriminator(nn.Module):
    def __init__(self, config: MLPGANConfig) -> None:
        super().__init__()
        self.config = c = config
        width = c.channels * c.image_size ** 2
        layers: list[nn.Module] = []
        for hidden in c.d_hidden:
            layers += [_sn(nn.Linear(width, hidden), c.spectral_norm), nn.LeakyReLU(0.2, True),
                       nn.Dropout(c.dropout)]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.head = _sn(nn.Linear(width, 1), c.spectral_norm)
        self.embed = _sn(nn.Embedding(c.num_classes, width), c.spectral_norm) \
            if c.num_classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.body(x.flatten(1))                                  # (B, F)
        out = self.head(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(1)                  # projection term
        return out
