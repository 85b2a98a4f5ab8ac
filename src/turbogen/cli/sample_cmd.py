"""`turbogen sample MODEL`: draw images from a GAN, DCGAN or VAE checkpoint."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .main import cli


@cli.command("sample")
@click.argument("model")
@click.option("-n", "n", type=click.IntRange(min=1, max=100_000), default=64,
              show_default=True, help="How many images.")
@click.option("--out", type=click.Path(path_type=Path), required=True, metavar="DIR",
              help="Writes DIR/0000.png, 0001.png, ... and DIR/grid.png.")
@click.option("--label", default=None, metavar="L",
              help="Class index or name (conditional models); default: uniform over classes.")
@click.option("--code", type=click.IntRange(min=0), default=None, metavar="K",
              help="InfoGAN-coded DCGANs: draw every image with code K (default: every code "
                   "equally often).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--overwrite", is_flag=True, help="Write into a non-empty DIR.")
def sample_cmd(model, n, out, label, code, seed, overwrite):
    """Draw N images from MODEL (a bundled name such as dcgan-mnist, or a trained folder).

    \b
    Examples:
      turbogen sample dcgan-mnist -n 16 --label 7 --out sevens
      turbogen sample vae-mnist -n 100 --out vae_draws --seed 3
      turbogen sample runs/dcgan-info -n 10 --code 4 --out code4   # --info-codes K models
    """
    from ..data.shapes_render import png_bytes
    from ..io_atomic import atomic_directory
    from ..accel.generator import load_generator
    from ..pipelines.classic_sample import check_label, grid, sample, to_uint8
    loaded = load_generator(model)     # a checkpoint, or a folder `turbogen accel` wrote
    index = check_label(loaded, label)
    images, labels = sample(loaded, n, label=index, seed=seed, code=code)
    tiles = to_uint8(images)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_directory(out, overwrite=overwrite) as tmp:
        for i, tile in enumerate(tiles):
            (tmp / f"{i:04d}.png").write_bytes(png_bytes(tile))
        (tmp / "grid.png").write_bytes(png_bytes(grid(images, per_row=min(n, 10))))
        if labels is not None:
            names = list(loaded.classes) or [str(i) for i in range(loaded.config.num_classes)]
            (tmp / "labels.txt").write_text(
                "".join(f"{i:04d}.png\t{names[int(y)]}\n" for i, y in enumerate(labels)))
    click.echo(f"wrote {n} images and grid.png to {out}")
