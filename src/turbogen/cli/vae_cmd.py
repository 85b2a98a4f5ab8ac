"""`turbogen vae reconstruct|interpolate`: encode images with a VAE and decode them back."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .main import cli

IMAGE_HELP = "IMAGE is a file, or DATA:INDEX for an image of a data set (e.g. mnist:42)."


@cli.group("vae")
def vae_group() -> None:
    """Reconstruct and interpolate images with a VAE checkpoint.

    \b
    Examples:
      turbogen vae reconstruct mnist:0 mnist:1 mnist:2 --out recon
      turbogen vae interpolate mnist:3 mnist:10 --steps 8 --out morph
      turbogen vae reconstruct digit.png --label 7 --model my_vae_run --out recon
    """


def _load_inputs(specs: tuple[str, ...], model, label: int | None):
    """Images (N, C, S, S) in 0..1 and labels (N,) or None, from files or DATA:INDEX refs."""
    import numpy as np
    import torch
    from PIL import Image

    from ..data.classic import BUILTIN, image_to_array, load_image_set, read_image
    c = model.config
    images, labels, sets = [], [], {}
    for spec in specs:
        name, _, index = spec.partition(":")
        if name in BUILTIN and index:
            if name not in sets:
                sets[name] = load_image_set(name)
            data = sets[name]
            if not index.isdigit() or int(index) >= len(data):
                raise InputError(f"{spec}: index must be 0..{len(data) - 1}")
            x = data.images[int(index)]
            if (x.shape[0], x.shape[-1]) != (c.channels, c.image_size):
                raise InputError(f"{spec} is {x.shape[0]}x{x.shape[-1]}px, the model reads "
                                 f"{c.channels}x{c.image_size}px images")
            images.append(x)
            labels.append(int(data.labels[int(index)]) if label is None else label)
            continue
        path = Path(spec)
        if not path.is_file():
            raise InputError(f"{spec}: no such image file (or DATA:INDEX, DATA one of "
                             f"{', '.join(BUILTIN)})")
        image = read_image(path)
        if image.size != (c.image_size, c.image_size):
            click.echo(f"note: resized {spec} from {image.size[0]}x{image.size[1]} to "
                       f"{c.image_size}x{c.image_size}", err=True)
            image = image.resize((c.image_size, c.image_size), Image.Resampling.BOX)
        array = image_to_array(image, colour=c.channels == 3)
        images.append(torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1))))
        if model.conditional and label is None:
            raise InputError(f"{spec}: this VAE is conditional; give the image's class with "
                             "--label")
        labels.append(label if label is not None else 0)
    y = torch.tensor(labels) if model.conditional else None
    return torch.stack(images).float(), y


def _model_and_label(model_name: str, label: str | None):
    from ..pipelines.classic_model import load_classic
    from ..pipelines.classic_sample import check_label
    model = load_classic(model_name, kinds=("vae",))
    return model, check_label(model, label)


def _write(out: Path, images, grid_images, overwrite: bool, per_row: int) -> None:
    from ..data.shapes_render import png_bytes
    from ..io_atomic import atomic_directory
    from ..pipelines.classic_sample import grid, to_uint8
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_directory(out, overwrite=overwrite) as tmp:
        for i, tile in enumerate(to_uint8(images)):
            (tmp / f"{i:04d}.png").write_bytes(png_bytes(tile))
        (tmp / "grid.png").write_bytes(png_bytes(grid(grid_images, per_row=per_row)))


model_option = click.option("--model", "model_name", default="vae-mnist", show_default=True,
                            metavar="NAME|DIR", help="A bundled VAE or a trained folder.")
label_option = click.option("--label", default=None, metavar="L",
                            help="Class of the input images (conditional VAEs; DATA:INDEX "
                                 "inputs bring their own).")
out_option = click.option("--out", type=click.Path(path_type=Path), required=True,
                          metavar="DIR")
overwrite_option = click.option("--overwrite", is_flag=True, help="Write into a non-empty DIR.")


@vae_group.command("reconstruct", epilog=IMAGE_HELP)
@click.argument("images", nargs=-1, required=True, metavar="IMAGE...")
@model_option
@label_option
@out_option
@overwrite_option
def reconstruct_cmd(images, model_name, label, out, overwrite):
    """Encode each IMAGE and decode its posterior mean: DIR/0000.png ... (reconstructions) and
    DIR/grid.png (originals above reconstructions); prints PSNR and SSIM."""
    from ..eval.domain_metrics import psnr, ssim
    import torch

    from ..pipelines.classic_sample import reconstruct
    model, index = _model_and_label(model_name, label)
    x, y = _load_inputs(images, model, index)
    recon = reconstruct(model, x, y)
    _write(out, recon, torch.cat([x, recon]), overwrite, per_row=len(x))
    click.echo(f"wrote {len(x)} reconstructions to {out}: PSNR {psnr(recon, x):.2f} dB, "
               f"SSIM {ssim(recon, x):.4f}")


@vae_group.command("interpolate", epilog=IMAGE_HELP)
@click.argument("first", metavar="IMAGE_A")
@click.argument("second", metavar="IMAGE_B")
@click.option("--steps", type=click.IntRange(min=2, max=100), default=10, show_default=True)
@model_option
@label_option
@out_option
@overwrite_option
def interpolate_cmd(first, second, steps, model_name, label, out, overwrite):
    """Decode STEPS points on the line between two images' latent codes."""
    from ..pipelines.classic_sample import interpolate
    model, index = _model_and_label(model_name, label)
    x, y = _load_inputs((first, second), model, index)
    if y is not None and index is None and int(y[0]) != int(y[1]):
        click.echo(f"note: the images are classes {int(y[0])} and {int(y[1])}; decoding with "
                   f"class {int(y[0])} (pass --label to choose)", err=True)
    frames = interpolate(model, x[0], x[1], steps, int(y[0]) if y is not None else None)
    _write(out, frames, frames, overwrite, per_row=steps)
    click.echo(f"wrote {steps} frames and grid.png to {out}")
