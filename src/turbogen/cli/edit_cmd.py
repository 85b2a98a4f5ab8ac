"""`turbogen edit IMAGE "INSTRUCTION" -o OUT`: change a Shapes World image through its plan.
Thin: pipelines/edit.py does it."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .generate_cmd import check_png_path
from .main import cli


def read_canvas(path: Path):
    """A 64 x 64 RGB image file as pixels, with notes on any conversion."""
    from ..data.image_io import load_rgb
    return load_rgb(path)


@cli.command("edit")
@click.argument("image", type=click.Path(path_type=Path))
@click.argument("instruction")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              metavar="OUT.png", help="Where to write the edited image.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Noise and placement seed; same seed, same bytes.")
@click.option("--verify", type=click.IntRange(min=1), default=1, show_default=True,
              metavar="N", help="Read the result back and redraw with the next seed while the "
                                "verifier says the edit failed, up to N tries.")
@click.option("--steps", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="Sampling steps of the redraw.")
@click.option("--sampler", default="flow_dpmpp", show_default=True,
              help="flow_euler, flow_heun or flow_dpmpp.")
@click.option("--model", default="text2img-shapes64", show_default=True,
              help="Generator: a bundled name or a checkpoint folder.")
@click.option("--mask-out", type=click.Path(path_type=Path), default=None, metavar="MASK.png",
              help="Also write the edit mask (white = redrawn).")
@click.option("--json", "as_json", is_flag=True, help="Print what was read, changed and redrawn.")
def edit(image, instruction, output, seed, verify, steps, sampler, model, mask_out, as_json):
    """Edit IMAGE as INSTRUCTION says; pixels outside the edited objects stay identical.

    The image is read into a plan (objects, colours, sizes, boxes), the instruction changes
    the plan, and the generator redraws only the changed region (masked sampling).

    \b
    Accepted edits:
      recolour    "make the circle green", "turn the red square blue"
      resize      "make the square large", "make the star bigger", "shrink the circle"
      move        "move the star to the bottom left", "put the circle above the square",
                  "swap the positions of the star and the circle"
      add         "add a small red circle in the top right corner", "put a cyan star below
                  the diamond"
      remove      "remove the diamond", "delete one of the circles", "remove all stars"
      replace     "replace the square with a yellow circle", "turn the circle into a star"
      background  "make the background black"
      several     "make everything red", "make the circle green and the square small"
    Objects are named by shape, colour, size or place ("the star on the left", "the red
    one"); an instruction that names nothing in the image is an error, and no file is written.
    An object the instruction did not name that stands where a moved or added one must go is
    moved aside (a note says so).

    \b
    Examples:
      turbogen generate "a red circle and a blue square" -o scene.png
      turbogen edit scene.png "make the circle green" -o green.png
      turbogen edit scene.png "remove the square" -o out.png --verify 3 --json
    """
    check_png_path(output)
    if mask_out is not None:
        check_png_path(mask_out)
    pixels, notes = read_canvas(image)
    from ..pipelines.edit import Editor
    editor = Editor.load(model, steps=steps, sampler=sampler)
    result = editor.edit(pixels, instruction, seed=seed, tries=verify)
    write_png(output, result.image)
    if mask_out is not None:
        write_png(mask_out, mask_image(result.mask))
    for note in notes + result.notes:
        click.echo(f"note: {note}", err=True)
    if as_json:
        click.echo(json.dumps({"image": str(image), "output": str(output),
                               "instruction": instruction, **result.to_dict()}))
    else:
        state = "verified" if verify > 1 and not result.failures else (
            f"NOT verified: {'; '.join(result.failures)}" if result.failures else "done")
        click.echo(f"wrote {output} ({', '.join(e.kind for e in result.edits)}; "
                   f"{result.mask.mean():.1%} of pixels redrawn; "
                   f"{result.timings.get('total', 0):.2f} s; {state})", err=True)


def write_png(path: Path, pixels) -> None:
    from ..data.shapes_render import png_bytes
    from ..io_atomic import atomic_write_bytes
    atomic_write_bytes(path, png_bytes(pixels))


def mask_image(mask):
    import numpy as np
    return np.repeat((mask.astype(np.uint8) * 255)[..., None], 3, axis=2)
