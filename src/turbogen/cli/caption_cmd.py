"""`turbogen caption IMAGE...`: read images back as ScenePlans and captions. Thin."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from .main import cli


@cli.command()
@click.argument("images", nargs=-1, metavar="IMAGE...", type=click.Path(path_type=Path))
@click.option("--weights", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Verifier weights folder (default: the bundled verifier-shapes).")
@click.option("--json", "as_json", is_flag=True, default=True,
              help="JSON lines (the only output form; accepted for symmetry with other commands).")
def caption(images: tuple[Path, ...], weights: Path | None, as_json: bool) -> None:
    """Read Shapes World images back: objects, colours, sizes, boxes, background, a caption.

    \b
    Prints one JSON line per image, in order:
      {"image": "a.png", "plan": {ScenePlan}, "caption": "two small red stars ...",
       "notes": [...], "confidence": [shape probability per object]}
    Images of another size are resized to 64 x 64 (a note says so). An image that cannot be
    read gets {"image": ..., "error": "..."}; the exit code is non-zero only when none could.

    \b
    Examples:
      turbogen caption out/00000.png
      turbogen caption shapes1k/*.png > readings.jsonl
    """
    if not images:
        raise InputError("give at least one image file, e.g. turbogen caption picture.png")
    from ..pipelines.caption import Verifier

    verifier = Verifier.load(weights)
    read = 0
    for path in images:
        try:
            reading = verifier.read_file(path)
        except InputError as err:
            click.echo(json.dumps({"image": str(path), "error": str(err)}))
            continue
        read += 1
        click.echo(json.dumps({"image": str(path), **reading.to_dict()}))
    if not read:
        raise InputError(f"none of the {len(images)} image(s) could be read; see the error "
                         "field of each line")
