"""`turbogen vary IMAGE -n N --out DIR`: same content, new arrangements. Thin: pipelines/vary."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .main import cli


@cli.command("vary")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("-n", "n", type=click.IntRange(1, 256), default=4, show_default=True,
              help="How many variations.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, metavar="DIR",
              help="Folder to create, receiving 0000.png, 0001.png, ...")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty --out DIR.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Variation i uses seed + i for its layout and noise.")
@click.option("--verify", type=click.IntRange(min=1), default=3, show_default=True, metavar="N",
              help="Redraw each variation up to N times until it shows the same content.")
@click.option("--model", default="text2img-shapes64", show_default=True,
              help="Generator: a bundled name or a checkpoint folder.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per variation.")
def vary_command(image, n, out_dir, overwrite, seed, verify, model, as_json):
    """Read IMAGE into a caption and plan, then draw N new images of the same content.

    The objects (shapes, colours, sizes) and the background stay; where they stand is laid
    out anew for each image. Each variation is read back and checked against the source.

    \b
    Examples:
      turbogen vary scene.png -n 4 --out variations
      turbogen vary scene.png -n 8 --out v --seed 10 --json
    """
    from ..io_atomic import check_directory_target
    from .edit_cmd import read_canvas
    check_directory_target(out_dir, overwrite)
    pixels, notes = read_canvas(image)
    from ..pipelines.caption import Verifier
    from ..pipelines.text2img import Text2Img
    from ..pipelines.vary import vary
    result = vary(Text2Img.load(model), Verifier.load(), pixels, n, seed=seed, tries=verify)
    from .generate_cmd import _write
    files = _write(result.images, None, out_dir, overwrite)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    kept = sum(r.accepted for r in result.reports)
    if as_json:
        for file, plan, report, s in zip(files, result.plans, result.reports, result.seeds):
            click.echo(json.dumps({"file": file, "caption": result.caption, "seed": s,
                                   "plan": plan.to_dict(), "verify": report.to_dict()}))
    click.echo(f"read as: {result.caption}; wrote {len(files)} variations to {out_dir} "
               f"({kept}/{len(files)} keep the content by the verifier)", err=True)
