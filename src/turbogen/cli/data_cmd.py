"""`turbogen data ...`: make datasets. Thin: options in, `turbogen.data` does the work."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .main import cli


@cli.group()
def data() -> None:
    """Make training and evaluation datasets.

    \b
    Examples:
      turbogen data shapes --n 1000 --out shapes1k
      turbogen data shapes --n 50000 --out shapes50k --seed 7 --json
    """


@data.command("shapes")
@click.option("--n", "n", type=int, required=True, metavar="N",
              help="How many images to write (1 to 1,000,000).")
@click.option("--out", type=click.Path(path_type=Path), required=True, metavar="DIR",
              help="Folder to create; it must not exist or be empty (see --overwrite).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Same seed, same files, byte for byte.")
@click.option("--size", type=int, default=64, show_default=True, metavar="PX",
              help="Image side in pixels (16 to 512).")
@click.option("--overwrite", is_flag=True,
              help="Replace DIR if it holds files (only once the new dataset is complete).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as JSON (n, out, seed, seconds, images_per_second).")
def shapes(n: int, out: Path, seed: int, size: int, overwrite: bool, as_json: bool) -> None:
    """Write a Shapes World dataset: N scenes as PNGs plus their captions.

    \b
    Each scene holds 1 to 6 flat-coloured shapes (circle, square, triangle, diamond, star)
    on a white, gray or black background. DIR receives 00000.png, 00001.png, ... and
    captions.jsonl, one JSON line per image:
      {"file": "00000.png", "caption": "three small red stars above a blue disc on black",
       "plan": {ScenePlan}, "facts": {what the caption states, checkable against the plan}}
    The folder appears only once every file is written; an interrupted run leaves nothing.

    \b
    Example:
      turbogen data shapes --n 1000 --out shapes1k --seed 0
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, \
        TimeRemainingColumn

    from ..data.shapes_writer import check_options, write_shapes_dataset

    check_options(n, seed, size)        # before the progress bar: a bad option is one clean line
    columns = (TextColumn("writing {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(str(out), total=n)
        summary = write_shapes_dataset(out, n, seed=seed, size=size, overwrite=overwrite,
                                       progress=lambda done, total: bar.update(task,
                                                                               completed=done))
    if as_json:
        keys = ("n", "out", "seed", "size", "seconds", "images_per_second")
        click.echo(json.dumps({k: summary[k] for k in keys}))
    else:
        click.echo(f"wrote {n} images and captions.jsonl to {out} in {summary['seconds']:.1f} s "
                   f"({summary['images_per_second']} images/s, seed {seed}, {size} px)")
