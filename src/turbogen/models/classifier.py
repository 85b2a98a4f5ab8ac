"""A small CNN classifier for 28-64 px images; its penultimate layer is the feature space of the
domain metrics (FID/KID/precision/recall on "LeNet features", as MNIST GAN papers do, since no
Inception weights can be had offline)."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class ClassifierConfig:
    image_size: int = 28
    channels: int = 1
    num_classes: int = 10
    width: int = 32                     # channels of the first block (x2 in the second)
    feature_dim: int = 128              # penultimate width = metric feature size
    dropout: float = 0.3

    def __post_init__(self) -> None:
        if self.image_size % 4 or self.num_classes < 2:
            raise ValueError("image_size must be a multiple of 4 and num_classes >= 2")


class Classifier(nn.Module):
    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        self.config = c = config
        w = c.width

        def block(c_in: int, c_out: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out),
                                 nn.ReLU(True), nn.Conv2d(c_out, c_out, 3, padding=1),
                                 nn.BatchNorm2d(c_out), nn.ReLU(True), nn.MaxPool2d(2))
        self.body = nn.Sequential(block(c.channels, w), block(w, 2 * w), nn.Flatten())
        self.features_head = nn.Sequential(
            nn.Dropout(c.dropout), nn.Linear(2 * w * (c.image_size // 4) ** 2, c.feature_dim),
            nn.ReLU(True))
        self.out = nn.Sequential(nn.Dropout(c.dropout), nn.Linear(c.feature_dim, c.num_classes))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """x in 0..1 (B, C, S, S) -> (B, feature_dim)."""
        return self.features_head(self.body(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))
