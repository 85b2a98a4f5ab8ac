"""The forward (noising) processes the samplers invert, and their time grids.

Time t runs from 0 (data) to 1 (noise) for both objectives, and is what denoisers receive.
- "flow": rectified flow / flow matching (Liu et al. 2022; Lipman et al. 2022):
  x_t = (1 - t) x0 + t noise, the network predicts the velocity noise - x0.
- "eps": diffusion (Ho et al. 2020) in continuous time: x_t = sqrt(a(t)) x0 + sqrt(1 - a(t)) noise
  with a(t) = alpha-bar from a cosine (Nichol & Dhariwal 2021) or linear-beta schedule; the
  network predicts the noise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

OBJECTIVES = ("flow", "eps")
NOISE_SCHEDULES = ("cosine", "linear")
MIN_ALPHA_BAR = 1e-4        # keeps 1 / sqrt(a) finite at t = 1 (Nichol & Dhariwal clip at 0.999)


@dataclass(frozen=True)
class ObjectiveConfig:
    kind: str = "flow"          # "flow" (velocity) or "eps" (noise prediction)
    schedule: str = "cosine"    # eps only: alpha-bar schedule, "cosine" or "linear"

    def __post_init__(self) -> None:
        if self.kind not in OBJECTIVES:
            raise ValueError(f"unknown objective {self.kind!r}; choose one of {OBJECTIVES}")
        if self.schedule not in NOISE_SCHEDULES:
            raise ValueError(f"unknown noise schedule {self.schedule!r}; "
                             f"choose one of {NOISE_SCHEDULES}")


def alpha_bar_cosine(t: torch.Tensor, s: float = 0.008) -> torch.Tensor:
    f = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    return (f / math.cos(s / (1 + s) * math.pi / 2) ** 2).clamp(MIN_ALPHA_BAR, 1.0)


def alpha_bar_linear(t: torch.Tensor, beta0: float = 1e-4, beta1: float = 0.02,
                     n: int = 1000) -> torch.Tensor:
    """DDPM's betas linear in 1e-4..0.02 over 1000 steps, integrated in continuous time."""
    integral = n * (beta0 * t + 0.5 * (beta1 - beta0) * t * t)
    return torch.exp(-integral).clamp(MIN_ALPHA_BAR, 1.0)


ALPHA_BARS = {"cosine": alpha_bar_cosine, "linear": alpha_bar_linear}


def alpha_bar_fn(objective: ObjectiveConfig):
    return ALPHA_BARS[objective.schedule]


def add_noise(x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor,
              objective: ObjectiveConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """(x_t, regression target) for clean images x0 (B, C, H, W) at times t (B,)."""
    tb = t.view(-1, 1, 1, 1).to(x0.dtype)
    if objective.kind == "flow":
        return (1 - tb) * x0 + tb * noise, noise - x0
    a = alpha_bar_fn(objective)(tb)
    return a.sqrt() * x0 + (1 - a).sqrt() * noise, noise


def time_grid(steps: int, shift: float = 1.0) -> torch.Tensor:
    """steps + 1 times from 1 down to 0. `shift` > 1 spends more steps at high noise
    (SD3's timestep shift t' = shift t / (1 + (shift - 1) t))."""
    if steps < 1:
        raise ValueError(f"need at least 1 sampling step, got {steps}")
    t = torch.linspace(1.0, 0.0, steps + 1, dtype=torch.float64)
    return (shift * t / (1 + (shift - 1) * t)).float()
