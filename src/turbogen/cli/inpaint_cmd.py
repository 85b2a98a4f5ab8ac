"""`turbogen inpaint IMAGE --mask MASK -o OUT`: repair damaged regions. Thin: pipelines/inpaint."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .generate_cmd import check_png_path
from .main import cli


@cli.command("inpaint")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--mask", "mask_path", type=click.Path(path_type=Path), required=True,
              metavar="MASK.png", help="Same size as IMAGE; white (or any bright pixel) = repair.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              metavar="OUT.png", help="Where to write the repaired image.")
@click.option("--method", type=click.Choice(["auto", "plan", "biharmonic"]), default="auto",
              show_default=True,
              help="plan: read the scene and redraw the hole with the generator (Shapes World); "
                   "biharmonic: smooth fill from the border (photos); auto: plan for 64 x 64 "
                   "Shapes World images, biharmonic otherwise.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Noise seed of the plan method.")
@click.option("--json", "as_json", is_flag=True, help="Print the method and plan used.")
def inpaint_command(image, mask_path, output, method, seed, as_json):
    """Repair the pixels of IMAGE where MASK is white; every other pixel is kept.

    \b
    Examples:
      turbogen inpaint damaged.png --mask holes.png -o fixed.png
      turbogen inpaint photo.jpg --mask scratch.png -o photo_fixed.png --method biharmonic
    """
    check_png_path(output)
    pixels = read_native(image)
    mask = read_mask(mask_path)
    from ..pipelines import inpaint as ip
    mask = ip.check_mask(pixels, mask)
    chosen = ip.choose_method(method, pixels, mask)
    plan = None
    if chosen == "plan":
        from ..pipelines.caption import Verifier
        from ..pipelines.text2img import Text2Img
        out, plan = ip.inpaint_plan(Text2Img.load(), Verifier.load(), pixels, mask, seed=seed)
    else:
        out = ip.inpaint_biharmonic(pixels, mask)
    from .edit_cmd import write_png
    write_png(output, out)
    record = {"output": str(output), "method": chosen, "repaired_fraction": round(float(mask.mean()), 4)}
    if plan is not None:
        record["plan"] = plan.to_dict()
    if as_json:
        click.echo(json.dumps(record))
    else:
        click.echo(f"wrote {output} ({chosen}; {mask.mean():.1%} of pixels repaired)", err=True)


def read_native(path: Path):
    """RGB pixels at the file's own size (a photo is not resampled)."""
    import numpy as np
    from ..data.image_io import opened_image
    with opened_image(path) as image:
        return np.asarray(image.convert("RGB"))


def read_mask(path: Path):
    import numpy as np
    from ..data.image_io import opened_image
    with opened_image(path) as image:
        return np.asarray(image.convert("L")) > 127
