"""Step distillation: a copy of the generator that draws in 1-4 Euler steps what the teacher
draws in many (trajectory distillation; the "distill" stage of rectified flow, Liu et al. 2022,
and progressive distillation's targets, Salimans & Ho 2022, taken in one go).

For a student of N steps on the grid t_0 = 1 > t_1 > ... > t_N = 0, the teacher integrates the
same noise over a grid N x `per_step` times finer that contains the student's, and its states
x(t_k) are kept. The student learns, for every segment k, the one velocity that carries
x(t_k) to x(t_k+1) in one Euler step: v* = (x(t_k+1) - x(t_k)) / (t_k+1 - t_k). A plain flow
model predicts the *instantaneous* velocity, whose straight-line extrapolation over a long
segment lands on the blurry average of the images it could become; the student predicts the
*average* velocity along the teacher's curved path, so one step lands on one sharp image.

The student starts from the teacher's weights (same network, same conditioning), so minutes
of fine-tuning suffice. Teacher targets are made on the fly (no grad, bf16 autocast where it is
fast) from the same fresh-scene stream the teacher was trained on.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

from ..errors import InputError
from ..pipelines.text2img_model import Text2ImgConfig
from ..samplers import get_sampler
from ..samplers.guidance import guided
from ..samplers.schedules import time_grid

MAX_STUDENT_STEPS = 8


@dataclass(frozen=True)
class FineTuneConfig:
    """How a student is fine-tuned from its teacher (step distillation here, a shrunk student
    in kd.py): the teacher's own fresh-scene stream, AdamW, EMA, checkpoints, a held-out card."""
    batch_size: int = 32
    lr: float = 1e-4                    # a fine-tune of the teacher's weights, not a new model
    train_steps: int = 3000
    minutes: float = 25.0
    ema_decay: float = 0.995
    pool_size: int = 4096               # fresh-scene stream, as in the teacher's recipe
    refresh: int = 8
    p_drop_layout: float = 0.1          # keep the text-only mode alive, as the teacher had it
    p_drop_text: float = 0.1
    bf16: bool = True
    channels_last: bool = True
    checkpoint_every_s: float = 300.0
    sample_every: int = 200
    eval_n: int = 256


@dataclass(frozen=True)
class DistillConfig(FineTuneConfig):
    steps: int = 1                      # the student's Euler steps
    teacher_sampler: str = "flow_euler"
    per_step: int = 8                   # teacher steps per student step (8: the teacher's own
    #                                     default at 1 student step, its best PSNR in the card)

    def check(self, config: Text2ImgConfig) -> None:
        if config.objective.kind != "flow":
            raise InputError("step distillation needs a flow-matching (velocity) teacher; this "
                             f"model predicts {config.objective.kind}")
        if not 1 <= self.steps <= MAX_STUDENT_STEPS:
            raise InputError(f"--steps must be 1 to {MAX_STUDENT_STEPS} (the point is fewer "
                             f"steps), got {self.steps}")
        if self.per_step < 1:
            raise InputError(f"--per-step must be at least 1, got {self.per_step}")
        get_sampler(self.teacher_sampler)          # a clear error for an unknown name


def student_config(teacher: Text2ImgConfig, dc: DistillConfig) -> Text2ImgConfig:
    """The student samples with plain Euler in `dc.steps` steps on the teacher's time grid."""
    return replace(teacher, sampler="flow_euler", steps=dc.steps, guidance=1.0)


@torch.no_grad()
def teacher_states(teacher, config: Text2ImgConfig, dc: DistillConfig, noise: torch.Tensor,
                   cond: dict) -> torch.Tensor:
    """(N + 1, B, C, H, W): the teacher's states at the student's N + 1 grid times, from noise."""
    sample = get_sampler(dc.teacher_sampler)
    schedule = time_grid(dc.steps * dc.per_step, config.shift).to(noise.device)
    kept = {0: noise}

    def keep(info: dict) -> None:
        i = info["i"] + 1                            # the state after step i sits at time i + 1
        if i % dc.per_step == 0:
            kept[i // dc.per_step] = info["x"].float()
    denoiser = guided(teacher, config.guidance)
    sample(denoiser, noise, schedule, cond=cond, generator=None, callback=keep)
    return torch.stack([kept[k] for k in range(dc.steps + 1)])


def segment_batch(states: torch.Tensor, times: torch.Tensor, cond: dict) -> dict:
    """Every (start state, start time, target velocity) of every segment, as one batch."""
    n = states.shape[0] - 1
    x = states[:-1].flatten(0, 1)                                    # (N * B, C, H, W)
    dt = (times[1:] - times[:-1]).view(n, 1, 1, 1, 1).to(states.dtype)
    target = ((states[1:] - states[:-1]) / dt).flatten(0, 1)
    t = times[:-1].repeat_interleave(states.shape[1]).to(states.device)
    repeated = {k: v.repeat(n, *([1] * (v.ndim - 1))) for k, v in cond.items()}
    return {"x": x, "t": t, "target": target, "cond": repeated}


def distill_loss(student, batch: dict) -> torch.Tensor:
    pred = student(batch["x"], batch["t"], batch["cond"])
    return F.mse_loss(pred.float(), batch["target"])


class TeacherBatches:
    """Batch `step` of the scene stream, turned into the student's segment batch."""

    def __init__(self, stream, teacher, config: Text2ImgConfig, dc: DistillConfig) -> None:
        self.stream, self.teacher, self.config, self.dc = stream, teacher, config, dc
        self.times = time_grid(dc.steps, config.shift)
        self.autocast = dc.bf16

    def __call__(self, step: int) -> dict:
        batch = self.stream(step)
        noise, cond = batch["noise"], batch["cond"]
        device = noise.device
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.autocast):
            states = teacher_states(self.teacher, self.config, self.dc, noise, cond)
        return segment_batch(states, self.times.to(device), cond)


def frozen_teacher(net: torch.nn.Module) -> torch.nn.Module:
    """An eval-mode copy without gradients: the student's weights start as this one's."""
    teacher = copy.deepcopy(net).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher
