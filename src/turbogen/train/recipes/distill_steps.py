"""Recipe: distil a text2img model into a 1-4 step student (accel/distill.py holds the method).

`turbogen train distill --teacher text2img-shapes64 --steps 1` runs this: the student is a
fine-tune of the teacher's weights on the same fresh-scene stream, its card compares it with
the teacher at its own steps and with the undistilled teacher cut to the student's steps, on
the same held-out plans and seeds.
"""
from __future__ import annotations

import json
import math
import platform
import time
from dataclasses import asdict, replace
from pathlib import Path

import torch

from ...accel.distill import (DistillConfig, TeacherBatches, distill_loss, frozen_teacher,
                              student_config)
from ...eval.image_metrics import batch_metrics
from ...io_atomic import atomic_write_text
from ...models.unet import count_parameters
from ...pipelines.text2img_model import load_text2img, save_text2img
from ...text import text_encoder
from ..callbacks import EMA, Checkpointing, LossPlot, Progress, SampleGrid, ThreadTuner, eval_model
from ..checkpoint import earlier_run
from ..loop import Trainer, pick_device
from ..shapes_stream import ShapesStream
from .card import METRIC_HELP
from .text2img_shapes64 import GRID_N, eval_set, generate, get_recipe, grid


def run_distill(teacher_name: str, dc: DistillConfig, out: str | Path, *, seed: int = 0,
                resume: bool = False, log=print) -> dict:
    """Train the student, then write it (config.json, model.safetensors, card.md, samples)."""
    out = Path(out)
    checkpoints = out / "checkpoints"
    earlier_run(checkpoints, resume)
    wall0 = time.perf_counter()
    device = pick_device()
    net, config = load_text2img(teacher_name, device)
    dc.check(config)
    torch.manual_seed(seed)
    teacher = frozen_teacher(net)
    student = net.train()                     # starts as the teacher's weights
    for p in student.parameters():
        p.requires_grad_(True)
    if dc.channels_last:
        teacher = teacher.to(memory_format=torch.channels_last)
        student = student.to(memory_format=torch.channels_last)
    encode = text_encoder(config.text_encoder)
    plans, emb, refs = eval_set(replace(get_recipe("shapes64"), eval_n=dc.eval_n), encode)
    s_config = student_config(config, dc)
    stream = ShapesStream(seed + 1, dc.pool_size, dc.refresh, dc.batch_size, encode,
                          p_drop_layout=dc.p_drop_layout, p_drop_text=dc.p_drop_text,
                          device=device, channels_last=dc.channels_last)
    n = min(GRID_N, len(plans))
    sample_fn = lambda m: grid(refs[:n], generate(m, s_config, plans[:n], emb[:n]))  # noqa: E731
    ckpt = Checkpointing(checkpoints, every_s=dc.checkpoint_every_s,
                         meta={"recipe": "distill", "seed": seed})
    callbacks = [ThreadTuner(), Progress(f"distill {dc.steps}-step"), EMA(dc.ema_decay),
                 SampleGrid(out, sample_fn, dc.sample_every),
                 LossPlot(out, dc.sample_every, f"step distillation, {dc.steps} step(s)"), ckpt]
    optimizer = torch.optim.AdamW(student.parameters(), lr=dc.lr, betas=(0.9, 0.99),
                                  weight_decay=0.0)
    trainer = Trainer(student, optimizer, TeacherBatches(stream, teacher, config, dc),
                      distill_loss, max_steps=dc.train_steps, max_seconds=dc.minutes * 60,
                      callbacks=callbacks, device=device,
                      amp_dtype=torch.bfloat16 if dc.bf16 else None,
                      lr_schedule=lambda s, p: 0.5 * (1 + math.cos(math.pi * p)))
    if resume and ckpt.restore(trainer):
        log(f"resuming from step {trainer.state.step} ({checkpoints})")
    stream.rebuild(trainer.state.step)
    log(f"distilling {teacher_name} ({config.sampler} x {config.steps}) into a "
        f"{dc.steps}-step student; teacher targets: {dc.teacher_sampler} x "
        f"{dc.steps * dc.per_step}; {count_parameters(student) / 1e6:.2f}M parameters on "
        f"{device}")
    trainer.fit()
    final = eval_model(trainer)
    rows = {
        f"student, flow_euler x {dc.steps}": batch_metrics(generate(final, s_config, plans, emb),
                                                           plans),
        f"teacher, flow_euler x {dc.steps} (no distillation)":
            batch_metrics(generate(teacher, s_config, plans, emb), plans),
        f"teacher, {dc.teacher_sampler} x {dc.steps * dc.per_step} (its targets)":
            batch_metrics(generate(teacher, replace(config, sampler=dc.teacher_sampler,
                                                    steps=dc.steps * dc.per_step),
                                   plans, emb), plans),
    }
    save_text2img(out, final, s_config)
    state = trainer.state
    summary = {"teacher": str(teacher_name), "seed": seed, "steps": state.step,
               "images_seen": state.images, "train_minutes": state.seconds / 60,
               "wall_minutes": (time.perf_counter() - wall0) / 60,
               "stop_reason": trainer.stop_reason,
               "final_loss": state.losses[-1][1] if state.losses else math.nan,
               "metrics": rows, "device": str(device), "torch": torch.__version__,
               "machine": f"{platform.processor() or platform.machine()}, "
                          f"{state.extra.get('threads', torch.get_num_threads())} threads",
               "config": asdict(dc)}
    write_distill_card(out, summary)
    return summary


def write_distill_card(folder: Path, summary: dict) -> None:
    dc = summary["config"]
    lines = [
        f"# text2img, step-distilled to {dc['steps']} step(s)",
        "",
        f"A fine-tune of `{summary['teacher']}` that draws in {dc['steps']} Euler step(s) what the "
        f"teacher draws with {dc['teacher_sampler']} in {dc['steps'] * dc['per_step']} "
        "(trajectory distillation: accel/distill.py).",
        "",
        "## How it was made",
        "",
        f"- command: `turbogen train distill --teacher {summary['teacher']} --steps "
        f"{dc['steps']} --per-step {dc['per_step']} --minutes {dc['minutes']:g} --seed "
        f"{summary['seed']}`",
        f"- {summary['steps']} steps at batch {dc['batch_size']} = "
        f"{summary['images_seen'] // dc['steps']:,} teacher trajectories "
        f"({summary['stop_reason']}), lr {dc['lr']} cosine to 0, EMA "
        f"{dc['ema_decay']}",
        f"- training time: {summary['train_minutes']:.1f} min of training loop "
        f"({summary['wall_minutes']:.1f} min wall incl. evaluation) on {summary['device']} "
        f"({summary['machine']}), torch {summary['torch']}",
        f"- final loss (velocity MSE, last 10 steps): {summary['final_loss']:.5f}",
        "",
        f"## How well it draws ({dc['eval_n']} held-out plans, same seeds in every row)",
        "",
        "| model, sampler x steps | " + " | ".join(METRIC_HELP) + " |",
        "|---|" + "---|" * len(METRIC_HELP),
    ]
    for name, metrics in summary["metrics"].items():
        lines.append(f"| {name} | " + " | ".join(f"{metrics[k]:.4f}" for k in METRIC_HELP)
                     + " |")
    lines += ["", *(f"- {k}: {v}" for k, v in METRIC_HELP.items()), "",
              "`samples.png`: (exact render | student) pairs; `loss_curve.png`: the loss.", ""]
    atomic_write_text(folder / "card.md", "\n".join(lines))
    atomic_write_text(folder / "train_summary.json", json.dumps(summary, indent=2) + "\n")
