"""`turbogen train ...`: reproduce bundled checkpoints from their recipes.

This module defines the `train` group; other modules (train_verifier_cmd) add commands to it.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from .main import cli

TEXT2IMG_RECIPES = ("shapes64", "shapes64-text", "tiny")


@cli.group()
def train() -> None:
    """Train models from recipes (the bundled checkpoints come from these).

    \b
    Examples:
      turbogen train text2img --recipe shapes64 --out runs/shapes64
      turbogen train text2img --recipe shapes64 --out runs/shapes64 --resume
      turbogen train text2img --recipe tiny --out /tmp/tiny
    """


def out_dir(out: Path | None, default: str) -> Path:
    """The --out folder (runs/DEFAULT when not given), created; a clear error when it cannot be."""
    out = out or Path("runs") / default
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create --out {out}: {err.strerror}") from None
    return out


def student_run_options(*, out_default: str, minutes: float, train_steps: int, lr: float):
    """The options `train distill` and `train shrink` share (train/recipes/student_run.py):
    where the student goes, how long it trains, how it is scored, resume, seed, --json."""
    options = [
        click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR",
                     help=f"Where the student goes. Default: runs/{out_default}."),
        click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=minutes,
                     show_default=True, help="Wall-clock cap on the training loop."),
        click.option("--train-steps", type=click.IntRange(min=1), default=train_steps,
                     show_default=True,
                     help="Cap on optimizer steps (whichever cap comes first ends the run)."),
        click.option("--batch-size", type=click.IntRange(min=1), default=32, show_default=True),
        click.option("--lr", type=click.FloatRange(min=0, min_open=True), default=lr,
                     show_default=True),
        click.option("--eval-n", type=click.IntRange(min=1), default=256, show_default=True,
                     help="Held-out plans scored for the card."),
        click.option("--resume", is_flag=True, help="Continue from OUT/checkpoints."),
        click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True),
        click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON."),
    ]

    def apply(command):
        for option in reversed(options):     # decorators apply bottom-up: keep --help's order
            command = option(command)
        return command
    return apply


@train.command("text2img")
@click.option("--recipe", type=click.Choice(TEXT2IMG_RECIPES), default="shapes64",
              show_default=True, help="shapes64: the bundled model (~75 min on 2 CPU cores); "
                                      "tiny: a few steps, for tests.")
@click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Where the model goes (config.json, model.safetensors, card.md, samples.png, "
                   "loss_curve.png). Default: runs/text2img-RECIPE.")
@click.option("--checkpoints", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Training checkpoints for --resume. Default: OUT/checkpoints.")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop the training loop after this many minutes (default: the recipe's).")
@click.option("--steps", type=click.IntRange(min=1), default=None,
              help="Training steps (default: the recipe's).")
@click.option("--resume", is_flag=True, help="Continue from the newest checkpoint.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seeds the weights, the scenes and the noise.")
@click.option("--objective", type=click.Choice(["flow", "eps"]), default=None,
              help="Override the recipe's objective: flow matching (velocity, Euler sampling) "
                   "or eps diffusion (cosine schedule, DDIM sampling).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def train_text2img(recipe, out, checkpoints, minutes, steps, resume, seed, objective, as_json):
    """Train the layout + text conditioned UNet on fresh Shapes World scenes.

    \b
    Writes, in OUT: config.json + model.safetensors (EMA weights) + card.md (how it was
    trained, for how long, loss and held-out metrics) + samples.png (exact render | generated
    pairs) + loss_curve.png, and checkpoints every few minutes. An interrupted run continues
    with --resume.
    """
    from ..train.recipes.text2img_shapes64 import get_recipe, run_recipe
    if seed < 0:
        raise InputError(f"--seed must be 0 or more, got {seed}")
    out = out_dir(out, f"text2img-{recipe}")
    summary = run_recipe(get_recipe(recipe, objective), out, seed=seed, checkpoints=checkpoints,
                         resume=resume, steps=steps, minutes=minutes,
                         log=lambda msg: click.echo(msg, err=True))
    if as_json:
        click.echo(json.dumps({k: v for k, v in summary.items() if k != "recipe_config"}))
    else:
        m = summary["metrics"]
        click.echo(f"wrote {out}: {summary['steps']} steps in {summary['train_minutes']:.1f} min, "
                   f"loss {summary['final_loss']:.4f}, object colour acc "
                   f"{m['object_color_acc']:.3f}, shape IoU {m['shape_iou']:.3f}, "
                   f"PSNR {m['psnr']:.1f} dB")
