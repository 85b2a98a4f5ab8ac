"""`turbogen train distill`: a 1-4 step student of a text2img model (train/recipes/distill_steps.py)."""
from __future__ import annotations

import json
from dataclasses import replace

import click

from .train_cmd import out_dir, student_run_options, train


@train.command("distill")
@click.option("--teacher", default="text2img-shapes64", show_default=True, metavar="NAME|DIR",
              help="The text2img model to distil (bundled name or folder).")
@click.option("--steps", type=click.IntRange(1, 8), default=1, show_default=True,
              help="The student's Euler steps.")
@click.option("--teacher-sampler", default="flow_euler", show_default=True,
              help="How the teacher draws the targets (any flow sampler).")
@click.option("--per-step", type=click.IntRange(min=1), default=8, show_default=True,
              help="Teacher steps per student step.")
@student_run_options(out_default="distill-STEPS", minutes=25.0, train_steps=3000, lr=1e-4)
def distill(teacher, steps, teacher_sampler, per_step, out, minutes, train_steps, batch_size,
            lr, eval_n, resume, seed, as_json):
    """Step distillation: a copy of TEACHER that draws in 1-4 steps.

    \b
    The student starts from the teacher's weights and learns, for each of its steps, the one
    velocity that carries the teacher's trajectory (same noise, same plan) from that step's
    start to its end; the card compares student, teacher at the student's steps and teacher
    at its own steps on held-out plans. Sample it with `turbogen generate --model OUT`.

    \b
    Examples:
      turbogen train distill --steps 1 --out runs/distill-1 --minutes 25
      turbogen train distill --steps 2 --teacher-sampler flow_dpmpp --per-step 4 --out d2
      turbogen train distill --out runs/distill-1 --resume
    """
    from ..accel.distill import DistillConfig
    from ..train.recipes.distill_steps import run_distill
    dc = replace(DistillConfig(), steps=steps, teacher_sampler=teacher_sampler,
                 per_step=per_step, minutes=minutes, train_steps=train_steps,
                 batch_size=batch_size, lr=lr, eval_n=eval_n)
    out = out_dir(out, f"distill-{steps}")
    summary = run_distill(teacher, dc, out, seed=seed, resume=resume,
                          log=lambda msg: click.echo(msg, err=True))
    if as_json:
        click.echo(json.dumps(summary))
        return
    student = next(iter(summary["metrics"].values()))
    click.echo(f"wrote {out}: {summary['steps']} steps in {summary['train_minutes']:.1f} min; "
               f"{steps}-step student PSNR {student['psnr']:.2f} dB, shape IoU "
               f"{student['shape_iou']:.3f} (card.md compares it with the teacher)")
