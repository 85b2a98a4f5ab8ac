"""`turbogen train sr|denoise`: our restoration networks, from the bundled photos."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .train_cmd import out_dir, train


def _common(f):
    options = [
        click.option("--steps", type=click.IntRange(min=1), default=20000, show_default=True),
        click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=12.0,
                     show_default=True, help="Stop the training loop after this many minutes."),
        click.option("--batch", type=click.IntRange(min=1), default=16, show_default=True),
        click.option("--channels", type=click.IntRange(min=1), default=32, show_default=True),
        click.option("--eval-images", type=click.IntRange(min=0, max=5), default=5,
                     show_default=True, help="Held-out photos evaluated at the end (0: none)."),
        click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR"),
        click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True),
        click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _run(recipe, out: Path, as_json: bool) -> None:
    from ..train.restore_recipe import train_restore
    summary = train_restore(recipe, out)
    if as_json:
        click.echo(json.dumps({k: v for k, v in summary.items() if k != "losses"}, indent=2))
    else:
        click.echo(f"wrote {out} (config.json, model.safetensors, card.md)")


@train.command("sr")
@click.option("--scale", type=click.Choice(["2", "3", "4"]), default="2", show_default=True)
@click.option("--layers", type=click.IntRange(min=0), default=6, show_default=True)
@_common
def train_sr(scale, layers, steps, minutes, batch, channels, eval_images, out, seed, as_json):
    """Train our super-resolution network (residual ESPCN class) on the bundled photos.

    \b
    Examples:
      turbogen train sr --scale 2 --out runs/sr-x2
      turbogen train sr --scale 4 --steps 20 --eval-images 1 --out /tmp/sr   # a smoke run
    """
    from ..train.restore_recipe import RestoreRecipe
    recipe = RestoreRecipe("sr", int(scale), channels, layers, 96, batch, steps, minutes,
                           seed=seed, eval_images=eval_images)
    _run(recipe, out_dir(out, f"sr-x{scale}"), as_json)


@train.command("denoise")
@click.option("--layers", type=click.IntRange(min=0), default=8, show_default=True)
@_common
def train_denoise(layers, steps, minutes, batch, channels, eval_images, out, seed, as_json):
    """Train our denoiser (DnCNN class, noise level as input; Gaussian noise and JPEG).

    \b
    Examples:
      turbogen train denoise --out runs/denoise
    """
    from ..train.restore_recipe import RestoreRecipe
    recipe = RestoreRecipe("denoise", 1, channels, layers, 64, batch, steps, minutes,
                           seed=seed, eval_images=eval_images)
    _run(recipe, out_dir(out, "denoise"), as_json)
