"""What the teacher-student recipes (distill_steps.py, shrink.py) share: the teacher's
fresh-scene stream, the trainer with its callbacks, the held-out set for samples and the card,
the run summary and the card's metrics table. Only the student, its batches and its loss
differ between them.
"""
from __future__ import annotations

import math
import platform
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Callable

import torch

from ...accel.distill import FineTuneConfig
from ..callbacks import EMA, Checkpointing, LossPlot, Progress, SampleGrid, ThreadTuner
from ..loop import Trainer
from ..shapes_stream import ShapesStream
from .card import METRIC_HELP
from .text2img_shapes64 import GRID_N, eval_set, generate, get_recipe, grid


def scene_stream(fc: FineTuneConfig, seed: int, encode, device) -> ShapesStream:
    return ShapesStream(seed + 1, fc.pool_size, fc.refresh, fc.batch_size, encode,
                        p_drop_layout=fc.p_drop_layout, p_drop_text=fc.p_drop_text,
                        device=device, channels_last=fc.channels_last)


def held_out(fc: FineTuneConfig, encode, s_config) -> tuple[list, torch.Tensor, Callable]:
    """(held-out plans, their text embeddings, model -> grid of exact renders | its draws)."""
    plans, emb, refs = eval_set(replace(get_recipe("shapes64"), eval_n=fc.eval_n), encode)
    n = min(GRID_N, len(plans))
    return plans, emb, lambda m: grid(refs[:n], generate(m, s_config, plans[:n], emb[:n]))


def student_trainer(student, batches, loss, fc: FineTuneConfig, out: Path, *, recipe: str,
                    label: str, title: str, sample_fn: Callable, stream: ShapesStream, device,
                    seed: int, resume: bool, log) -> Trainer:
    """The Trainer that fine-tunes `student` (AdamW, cosine lr, EMA, checkpoints in
    OUT/checkpoints, sample grid, loss plot titled `title`, progress bar `label`), resumed
    when asked and a checkpoint is there."""
    ckpt = Checkpointing(out / "checkpoints", every_s=fc.checkpoint_every_s,
                         meta={"recipe": recipe, "seed": seed})
    callbacks = [ThreadTuner(), Progress(label),
                 EMA(fc.ema_decay), SampleGrid(out, sample_fn, fc.sample_every),
                 LossPlot(out, fc.sample_every, title), ckpt]
    optimizer = torch.optim.AdamW(student.parameters(), lr=fc.lr, betas=(0.9, 0.99),
                                  weight_decay=0.0)
    trainer = Trainer(student, optimizer, batches, loss, max_steps=fc.train_steps,
                      max_seconds=fc.minutes * 60, callbacks=callbacks, device=device,
                      amp_dtype=torch.bfloat16 if fc.bf16 else None,
                      lr_schedule=lambda s, p: 0.5 * (1 + math.cos(math.pi * p)))
    if resume and ckpt.restore(trainer):
        log(f"resuming from step {trainer.state.step} ({out / 'checkpoints'})")
    stream.rebuild(trainer.state.step)
    return trainer


def run_summary(trainer: Trainer, teacher_name: str, seed: int, fc: FineTuneConfig,
                wall0: float, **extra) -> dict:
    """The fields every student's train_summary.json and card read, plus `extra`."""
    state = trainer.state
    threads = state.extra.get("threads", torch.get_num_threads())
    return {"teacher": str(teacher_name), "seed": seed, "steps": state.step,
            "images_seen": state.images, "train_minutes": state.seconds / 60,
            "wall_minutes": (time.perf_counter() - wall0) / 60,
            "stop_reason": trainer.stop_reason,
            "final_loss": state.losses[-1][1] if state.losses else math.nan,
            **extra, "device": str(trainer.device), "torch": torch.__version__,
            "machine": f"{platform.processor() or platform.machine()}, {threads} threads",
            "config": asdict(fc)}


def metrics_table(metrics: dict, first_column: str) -> list[str]:
    """The card's table of held-out metrics, a row per model, and what each column means."""
    lines = [f"| {first_column} | " + " | ".join(METRIC_HELP) + " |",
             "|---|" + "---|" * len(METRIC_HELP)]
    for name, row in metrics.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[k]:.4f}" for k in METRIC_HELP) + " |")
    return lines + ["", *(f"- {k}: {v}" for k, v in METRIC_HELP.items())]
