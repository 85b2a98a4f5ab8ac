"""Knowledge distillation of a shrunk UNet (accel/prune.py) from its fp32 teacher.

BK-SDM (Kim et al. 2023) fine-tunes a block-removed student with three losses: the usual
denoising loss, output-level KD (the student's prediction matches the teacher's on the same
noisy input, time and condition) and feature-level KD (the student's block outputs match the
teacher's). Here the student's channels are a subset of the teacher's, so a student feature
is compared with the teacher's feature at the kept channel indices, no projection needed.
The feature term is normalised by the teacher feature's mean square, so its weight reads the
same at every level and width.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..samplers.schedules import ObjectiveConfig, add_noise
from .distill import FineTuneConfig


@dataclass(frozen=True)
class ShrinkConfig(FineTuneConfig):
    prune: float = 0.5                  # share of each level's channels removed
    channels: tuple[int, ...] | None = None     # explicit widths instead of `prune`
    blocks: int | None = None           # down blocks per level (None: the teacher's)
    mid: bool = True                    # False: drop the mid block (and its attention)
    output_weight: float = 1.0          # output KD: student velocity vs teacher velocity
    feature_weight: float = 0.1         # BK-SDM feature KD at every up block's output
    task_weight: float = 0.0            # plain flow-matching loss on the true velocity
    lr: float = 3e-4                    # a fine-tune, but of a damaged copy: higher than distill
    train_steps: int = 20000
    minutes: float = 30.0


@contextlib.contextmanager
def captured(modules: list[torch.nn.Module]):
    """Collect each module's output during the `with` body (hooks removed after, so copies
    such as the EMA model never inherit them)."""
    feats: list[torch.Tensor] = []
    handles = [m.register_forward_hook(lambda _m, _i, out: feats.append(out)) for m in modules]
    try:
        yield feats
    finally:
        for h in handles:
            h.remove()


class KDBatches:
    """Batch `step` of the scene stream, noised, with the teacher's velocity and features."""

    def __init__(self, stream, teacher, objective: ObjectiveConfig, kept: dict,
                 bf16: bool = True) -> None:
        self.stream, self.teacher, self.objective, self.bf16 = stream, teacher, objective, bf16
        levels = len(teacher.up)
        self.kept = [kept[f"up.{k}.out"] for k in range(levels)]

    @torch.no_grad()
    def __call__(self, step: int) -> dict:
        b = self.stream(step)
        x_t, truth = add_noise(b["x"], b["noise"], b["t"], self.objective)
        device = x_t.device
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.bf16), \
                captured(list(self.teacher.up)) as feats:
            target = self.teacher(x_t, b["t"], b["cond"]).float()
        feats = [f.float().index_select(1, idx.to(device)) for f, idx in zip(feats, self.kept)]
        return {"x": x_t, "t": b["t"], "cond": b["cond"], "target": target, "truth": truth,
                "feats": feats}


def kd_loss_fn(sc: ShrinkConfig):
    """loss(student, batch): weighted output KD + feature KD + task loss (BK-SDM's sum)."""
    def loss(student, batch: dict) -> torch.Tensor:
        with captured(list(student.up)) as feats:
            pred = student(batch["x"], batch["t"], batch["cond"]).float()
        total = sc.output_weight * F.mse_loss(pred, batch["target"])
        if sc.feature_weight:
            feat = sum(F.mse_loss(s.float(), t) / t.pow(2).mean().clamp_min(1e-6)
                       for s, t in zip(feats, batch["feats"])) / len(feats)
            total = total + sc.feature_weight * feat
        if sc.task_weight:
            total = total + sc.task_weight * F.mse_loss(pred, batch["truth"])
        return total
    return loss
