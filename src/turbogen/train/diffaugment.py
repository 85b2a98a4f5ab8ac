"""Differentiable augmentation for GAN training on small data sets (DiffAugment, Zhao et al. 2020).

The same random translation and cutout are drawn independently for every image, real or fake,
just before the discriminator sees it; being differentiable, the generator's gradient passes
through them, so D cannot memorise 5,000 images while G is never taught to draw augmented ones.
The paper's "translation,cutout" policy (colour is left alone: it changes what a digit is not,
but our data sets are mostly grey). Pixels are in -1..1; uncovered areas get `fill` (-1, the
black background of MNIST and Animal-MNIST).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def translate(x: torch.Tensor, generator: torch.Generator, ratio: float = 0.125,
              fill: float = -1.0) -> torch.Tensor:
    """Shift each image by up to `ratio` of its size in x and y (whole pixels)."""
    b, _, h, w = x.shape
    s = max(int(h * ratio + 0.5), 1)
    dy, dx = (torch.randint(-s, s + 1, (2, b, 1, 1), generator=generator, device=x.device)
              + s)
    rows = torch.arange(h, device=x.device).view(1, h, 1) + dy              # (B, H, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w) + dx              # (B, 1, W)
    padded = F.pad(x, [s, s, s, s], value=fill)                           # (B, C, H+2s, W+2s)
    batch = torch.arange(b, device=x.device).view(b, 1, 1)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)  # (B, C, H, W)


def cutout(x: torch.Tensor, generator: torch.Generator, ratio: float = 0.5,
           fill: float = -1.0) -> torch.Tensor:
    """Blank one square of side `ratio` x size per image, anywhere (it may overhang the edge)."""
    b, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    y0 = torch.randint(-(sh // 2), h - sh // 2, (b, 1, 1), generator=generator, device=x.device)
    x0 = torch.randint(-(sw // 2), w - sw // 2, (b, 1, 1), generator=generator, device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    hole = (ys >= y0) & (ys < y0 + sh) & (xs >= x0) & (xs < x0 + sw)      # (B, H, W)
    return x.masked_fill(hole.unsqueeze(1), fill)


def diff_augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """DiffAugment's translation + cutout policy, fresh randomness per image."""
    return cutout(translate(x, generator), generator)
