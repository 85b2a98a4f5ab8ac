"""Recipe: distil a text2img model into a 1-4 step student (accel/distill.py holds the method).

`turbogen train distill --teacher text2img-shapes64 --steps 1` runs this: the student is a
fine-tune of the teacher's weights on the same fresh-scene stream, its card compares it with
the teacher at its own steps and with the undistilled teacher cut to the student's steps, on
the same held-out plans and seeds.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import torch

from ...accel.distill import (DistillConfig, TeacherBatches, distill_loss, frozen_teacher,
                              student_config)
from ...eval.image_metrics import batch_metrics
from ...io_atomic import atomic_write_text
from ...models.unet import count_parameters
from ...pipelines.text2img_model import load_text2img, save_text2img
from ...text import text_encoder
from ..callbacks import eval_model
from ..checkpoint import earlier_run
from ..loop import pick_device
from .student_run import (held_out, metrics_table, run_summary, scene_stream,
                          student_trainer)
from .text2img_shapes64 import generate


def run_distill(teacher_name: str, dc: DistillConfig, out: str | Path, *, seed: int = 0,
                resume: bool = False, log=print) -> dict:
    """Train the student, then write it (config.json, model.safetensors, card.md, samples)."""
    out = Path(out)
    earlier_run(out / "checkpoints", resume)
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
    s_config = student_config(config, dc)
    plans, emb, sample_fn = held_out(dc, encode, s_config)
    stream = scene_stream(dc, seed, encode, device)
    trainer = student_trainer(student, TeacherBatches(stream, teacher, config, dc), distill_loss,
                              dc, out, recipe="distill", label=f"distill {dc.steps}-step",
                              title=f"step distillation, {dc.steps} step(s)",
                              sample_fn=sample_fn, stream=stream, device=device, seed=seed,
                              resume=resume, log=log)
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
    summary = run_summary(trainer, teacher_name, seed, dc, wall0, metrics=rows)
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
        *metrics_table(summary["metrics"], "model, sampler x steps"),
        "",
        "`samples.png`: (exact render | student) pairs; `loss_curve.png`: the loss.", ""]
    atomic_write_text(folder / "card.md", "\n".join(lines))
    atomic_write_text(folder / "train_summary.json", json.dumps(summary, indent=2) + "\n")
