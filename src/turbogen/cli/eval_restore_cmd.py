"""`turbogen eval sr|denoise`: Y-PSNR / SSIM and speed on held-out photos or a folder."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from .eval_cmd import eval_group

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}


def _images(folder: Path | None) -> dict:
    from ..data.photos import load_photos
    from ..data.restore_io import load_picture
    if folder is None:
        return load_photos("heldout")
    if not folder.is_dir():
        raise InputError(f"--images {folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise InputError(f"--images {folder} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    return {p.stem: load_picture(p).rgb for p in files}


def _report(result: dict, as_json: bool, keys: list[tuple[str, dict]]) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(f"{'':20s} {'Y-PSNR':>8s} {'Y-SSIM':>8s} {'MP/s':>8s}")
    for label, m in keys:
        click.echo(f"{label:20s} {m['psnr']:8.2f} {m['ssim']:8.4f} {m['megapixels_per_s']:8.2f}")


@eval_group.command("sr")
@click.option("--images", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="High-res photos to shrink and restore (default: the 5 held-out photos).")
@click.option("--scale", type=int, default=2, show_default=True)
@click.option("--models", default="bicubic,lanczos,ours", show_default=True,
              help="Comma-separated: bicubic, lanczos, ours, realesrgan-x4plus, "
                   "realesrgan-video.")
@click.option("--json", "as_json", is_flag=True)
def eval_sr_command(images, scale, models, as_json):
    """Super-resolution quality: PIL-bicubic shrink, upscale, Y-PSNR/SSIM (border = scale)."""
    from ..eval.restore_eval import eval_sr
    from ..pipelines.upscale import check_request, upscale_rgb
    names = [m.strip() for m in models.split(",") if m.strip()]
    for name in names:
        check_request(name, scale, (1, 1))
    methods = {n: (lambda x, n=n: upscale_rgb(x, scale, n)) for n in names}
    result = eval_sr(methods, _images(images), scale)
    _report(result, as_json, [(f"x{scale} {n}", m) for n, m in result["methods"].items()])


@eval_group.command("denoise")
@click.option("--images", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Clean photos to add noise to (default: the 5 held-out photos).")
@click.option("--sigmas", default="15,25,50", show_default=True)
@click.option("--json", "as_json", is_flag=True)
def eval_denoise_command(images, sigmas, as_json):
    """Denoising quality at each sigma: the noisy input, non-local means (scikit-image, told
    sigma), ours told sigma, and ours estimating it.

    \b
    Examples:
      turbogen eval denoise --json
      turbogen eval denoise --images photos/ --sigmas 10,30
    """
    from ..eval.restore_eval import eval_denoise
    from ..pipelines.denoise import MAX_SIGMA, denoise_rgb, nl_means_rgb
    try:
        levels = tuple(int(s) for s in sigmas.split(","))
    except ValueError:
        raise InputError(f"--sigmas {sigmas!r}: give integers like 15,25,50") from None
    if not all(0 < s <= MAX_SIGMA for s in levels):
        raise InputError(f"--sigmas {sigmas!r}: each must be in 1..{MAX_SIGMA:g}")
    result = {"task": "denoise", "methods": {}}
    photos = _images(images)
    for sigma in levels:
        methods = {"nl-means (sigma given)": lambda x, s=sigma: nl_means_rgb(x, float(s)),
                   "ours (sigma given)": lambda x, s=sigma: denoise_rgb(x, float(s))[0],
                   "ours (estimated)": lambda x: denoise_rgb(x)[0]}
        result["methods"][str(sigma)] = eval_denoise(methods, photos, (sigma,))["methods"][
            str(sigma)]
    result["images"] = list(photos)
    rows = [(f"s{s} {n}", m) for s, ms in result["methods"].items() for n, m in ms.items()]
    _report(result, as_json, rows)
