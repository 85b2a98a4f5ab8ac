"""`turbogen train shrink`: a pruned, distilled text2img student (train/recipes/shrink.py)."""
from __future__ import annotations

import json
from dataclasses import replace

import click

from ..errors import InputError
from .train_cmd import out_dir, student_run_options, train


def parse_channels(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        widths = tuple(int(c) for c in text.split(","))
    except ValueError:
        raise InputError(f"--channels takes comma-separated widths, one per level, e.g. "
                         f"32,48,64; got {text!r}") from None
    return widths


@train.command("shrink")
@click.option("--teacher", default="text2img-shapes64", show_default=True, metavar="NAME|DIR",
              help="The text2img model to shrink (bundled name or folder).")
@click.option("--prune", "amount", type=float, default=0.5, show_default=True,
              help="Share of each level's channels to remove, 0 <= P < 1.")
@click.option("--channels", default=None, metavar="W1,W2,...",
              help="Explicit widths per level instead of --prune (multiples of the GroupNorm "
                   "groups, at most the teacher's).")
@click.option("--blocks", type=click.IntRange(min=1), default=None,
              help="Down blocks per level to keep (default: the teacher's).")
@click.option("--drop-mid", is_flag=True, help="Drop the mid block (BK-SDM) and its attention.")
@click.option("--feature-weight", type=click.FloatRange(min=0), default=0.1, show_default=True,
              help="Feature KD weight at the up blocks' outputs (0: output KD only).")
@click.option("--task-weight", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Weight of the plain flow-matching loss on the true velocity.")
@student_run_options(out_default="shrink", minutes=30.0, train_steps=20000, lr=3e-4)
def shrink(teacher, amount, channels, blocks, drop_mid, feature_weight, task_weight, out,
           minutes, train_steps, batch_size, lr, eval_n, resume, seed, as_json):
    """A smaller, faster copy of TEACHER: channels pruned, then distilled from it.

    \b
    Whole channels are removed by L1 importance (so the student is a narrower dense UNet),
    optionally with fewer blocks or no mid block (BK-SDM), and the student is fine-tuned to
    match the teacher's velocity (and block features) on the same inputs. The card compares
    teacher, pruned-only and student on held-out plans. Use it with `turbogen bench -m
    student=OUT` or `turbogen generate --model OUT`.

    \b
    Examples:
      turbogen train shrink --prune 0.5 --out runs/shrink-50 --minutes 30
      turbogen train shrink --channels 32,64,96 --drop-mid --out runs/shrink-bk
    """
    from ..accel.kd import ShrinkConfig
    from ..accel.prune import pruned_channels
    from ..train.recipes.shrink import run_shrink
    from ..models.unet import UNetConfig
    widths = parse_channels(channels)
    if widths is None:
        pruned_channels(UNetConfig(), amount)       # a clear error for a bad amount, up front
    sc = replace(ShrinkConfig(), prune=amount, channels=widths, blocks=blocks,
                 mid=not drop_mid, feature_weight=feature_weight, task_weight=task_weight,
                 minutes=minutes, train_steps=train_steps, batch_size=batch_size, lr=lr,
                 eval_n=eval_n)
    out = out_dir(out, "shrink")
    summary = run_shrink(teacher, sc, out, seed=seed, resume=resume,
                         log=lambda msg: click.echo(msg, err=True))
    if as_json:
        click.echo(json.dumps(summary))
        return
    m = summary["metrics"]
    click.echo(f"wrote {out}: {summary['parameters']['student']:,} parameters (teacher "
               f"{summary['parameters']['teacher']:,}), {summary['steps']} steps in "
               f"{summary['train_minutes']:.1f} min; PSNR teacher "
               f"{m['teacher']['psnr']:.2f} / pruned {m['pruned, no fine-tune']['psnr']:.2f} / "
               f"student {m['student (pruned + KD fine-tune)']['psnr']:.2f} dB (card.md)")
