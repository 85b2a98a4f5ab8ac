"""A small conditional UNet for 64 x 64 Shapes World images.

Ho et al. 2020's UNet cut down for a CPU: residual blocks with GroupNorm and SiLU, the time
embedding (plus a projected MiniLM prompt embedding) applied as FiLM scale and shift (Dhariwal &
Nichol 2021's adaptive GroupNorm), and optional self-attention at the lowest resolution only.
Layout maps (cond/layout.py) are concatenated to the input, as in SD inpainting / ControlNet-lite
designs: each pixel is told what to draw there. With `patch` > 1 the input is folded
space-to-depth (pixel unshuffle) so the whole network runs at a coarser grid, where convolutions
are wider and use the CPU better; the output is unfolded back.

The model is a denoiser: forward(x, t, cond) -> prediction (velocity or noise, see
train/objectives.py), x in -1..1, t in 0..1 (1 = pure noise).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class UNetConfig:
    image_channels: int = 3             # RGB
    layout_channels: int = 15           # cond/layout.py maps; 0 = no layout input
    text_dim: int = 385                 # MiniLM 384 + present flag; 0 = no text input
    channels: tuple[int, ...] = (64, 96, 128)    # width per resolution level
    blocks: int = 1                     # residual blocks per level on the way down
    attention: bool = True              # self-attention at the lowest resolution
    mid: bool = True                    # mid block (ResBlock, attention, ResBlock); BK-SDM
    #                                     students (Kim et al. 2023) drop it
    heads: int = 4
    patch: int = 2                      # space-to-depth factor at the input (1 = none)
    emb_dim: int = 128                  # time / text embedding width
    groups: int = 8                     # GroupNorm groups

    def __post_init__(self) -> None:
        if not self.channels or any(c % self.groups for c in self.channels):
            raise ValueError(f"channels {self.channels} must be non-empty multiples of "
                             f"groups={self.groups}")
        if self.patch < 1 or self.blocks < 1:
            raise ValueError("patch and blocks must be at least 1")
        if self.attention and not self.mid:
            raise ValueError("attention sits in the mid block: set attention=False with mid=False")


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Transformer sinusoids of 1000 t: (B,) -> (B, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device) / half)
    angles = 1000.0 * t.float()[:, None] * freqs[None, :]
    return torch.cat([angles.cos(), angles.sin()], dim=1)


class ResBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, emb_dim: int, groups: int) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.film = nn.Linear(emb_dim, 2 * c_out)      # scale and shift from the embedding
        self.norm2 = nn.GroupNorm(groups, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)             # each block starts as the identity
        nn.init.zeros_(self.conv2.bias)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.film(emb)[:, :, None, None].chunk(2, dim=1)   # (B, C, 1, 1) each
        h = self.norm2(h) * (1 + scale) + shift
        return self.skip(x) + self.conv2(F.silu(h))


class SelfAttention(nn.Module):
    def __init__(self, channels: int, heads: int, groups: int) -> None:
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        qkv = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w)
        q, k, v = qkv.transpose(-1, -2).unbind(1)                # (B, heads, HW, C/heads)
        y = F.scaled_dot_product_attention(q, k, v)             # (B, heads, HW, C/heads)
        y = y.transpose(-1, -2).reshape(b, c, h, w)
        return x + self.out(y)


class UNet(nn.Module):
    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        self.config = cfg = config
        p2 = cfg.patch * cfg.patch
        chans = cfg.channels
        self.time_mlp = nn.Sequential(nn.Linear(cfg.emb_dim, cfg.emb_dim), nn.SiLU(),
                                      nn.Linear(cfg.emb_dim, cfg.emb_dim))
        self.text_proj = nn.Linear(cfg.text_dim, cfg.emb_dim) if cfg.text_dim else None
        self.stem = nn.Conv2d((cfg.image_channels + cfg.layout_channels) * p2, chans[0], 3,
                              padding=1)
        block = lambda a, b: ResBlock(a, b, cfg.emb_dim, cfg.groups)   # noqa: E731
        self.down = nn.ModuleList()
        self.downsample = nn.ModuleList()
        c_prev = chans[0]
        for i, c in enumerate(chans):
            self.down.append(nn.ModuleList(block(c_prev if j == 0 else c, c)
                                           for j in range(cfg.blocks)))
            c_prev = c
            if i < len(chans) - 1:
                self.downsample.append(nn.Conv2d(c, c, 3, stride=2, padding=1))
        self.mid1 = block(chans[-1], chans[-1]) if cfg.mid else None
        self.attn = SelfAttention(chans[-1], cfg.heads, cfg.groups) if cfg.attention else None
        self.mid2 = block(chans[-1], chans[-1]) if cfg.mid else None
        self.up = nn.ModuleList()
        self.upsample = nn.ModuleList()
        for i in reversed(range(len(chans))):
            c = chans[i]
            self.up.append(block(c_prev + c, c))        # concatenated skip from the way down
            c_prev = c
            if i > 0:
                self.upsample.append(nn.Conv2d(c, chans[i - 1], 3, padding=1))
                c_prev = chans[i - 1]
        self.out_norm = nn.GroupNorm(cfg.groups, chans[0])
        self.out = nn.Conv2d(chans[0], cfg.image_channels * p2, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def embed(self, t: torch.Tensor, cond: dict) -> torch.Tensor:
        emb = self.time_mlp(timestep_embedding(t, self.config.emb_dim))
        if self.text_proj is not None:
            emb = emb + self.text_proj(cond["text"].to(emb.dtype))
        return F.silu(emb)

    def forward(self, x: torch.Tensor, t: torch.Tensor, cond: dict) -> torch.Tensor:
        if t.ndim == 0:
            t = t.expand(x.shape[0])
        emb = self.embed(t, cond)
        skip = self.shallow_down(x, cond, emb)
        return self.shallow_up(self.deep(skip, emb), skip, emb)

    # The forward pass in three parts, so that DeepCache (accel/deepcache.py) can run the first
    # level alone and reuse `deep` from an earlier step.
    def shallow_down(self, x: torch.Tensor, cond: dict, emb: torch.Tensor) -> torch.Tensor:
        """Stem and the first level's blocks: the first skip, (B, C0, H/p, W/p)."""
        cfg = self.config
        h = x
        if cfg.layout_channels:
            h = torch.cat([h, cond["layout"].to(x.dtype)], dim=1)  # (B, 3 + 15, H, W)
        if cfg.patch > 1:
            h = F.pixel_unshuffle(h, cfg.patch)                    # (B, 18 p^2, H/p, W/p)
        h = self.stem(h)
        for blk in self.down[0]:
            h = blk(h, emb)
        return h

    def deep(self, skip: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        """Every level below the first, from its skip to the input of its up block."""
        h, skips = skip, []
        for i in range(1, len(self.down)):
            h = self.downsample[i - 1](h)
            for blk in self.down[i]:
                h = blk(h, emb)
            skips.append(h)
        if self.mid1 is not None:
            h = self.mid1(h, emb)
        if self.attn is not None:
            h = self.attn(h)
        if self.mid2 is not None:
            h = self.mid2(h, emb)
        for i, blk in enumerate(self.up[:-1]):
            h = blk(torch.cat([h, skips.pop()], dim=1), emb)
            h = F.interpolate(h, scale_factor=2.0, mode="nearest")
            h = self.upsample[i](h)
        return h

    def shallow_up(self, h: torch.Tensor, skip: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        """The first level's up block and the output layer: (B, 3, H, W)."""
        h = self.up[-1](torch.cat([h, skip], dim=1), emb)
        h = self.out(F.silu(self.out_norm(h)))
        if self.config.patch > 1:
            h = F.pixel_shuffle(h, self.config.patch)              # (B, 3, H, W)
        return h


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
