"""`turbogen upscale` and `turbogen denoise`: restore one photo (alpha kept, atomic write)."""
from __future__ import annotations

from pathlib import Path

import click

from .main import cli

MODEL_HELP = ("bicubic / lanczos: interpolation (x2..x8); ours: our PSNR-oriented network "
              "(x2, x3, x4); realesrgan-x4plus: Real-ESRGAN, sharp, perceptual (x4); "
              "realesrgan-video: Real-ESRGAN animevideov3, small and fast (x2, x3, x4)")

ACCEL_HELP = ("Real-ESRGAN only. auto: bf16 + channels_last on CPUs with native bf16, else fp32; "
              "fp32; bf16; int8: ONNX Runtime static int8, the fastest on CPU (the quantized "
              "model is built once, minutes for x4plus, and cached in ~/.cache/turbogen); "
              "openvino: OpenVINO's CPU runtime, bf16 where native, as close to fp32 as bf16 "
              "and faster (converted once, ~10 s for x4plus, and cached there too).")


def _load(path: Path):
    from ..data.restore_io import load_picture
    picture = load_picture(path)
    for note in picture.notes:
        click.echo(f"note: {note}", err=True)
    return picture


@cli.command("upscale")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="Output file; the format follows its suffix (.png, .jpg, .webp, ...).")
@click.option("--scale", type=int, default=2, show_default=True, help="2, 3, 4 (more: bicubic).")
@click.option("--model", "method", default="ours", show_default=True, help=MODEL_HELP)
@click.option("--accel", default="auto", show_default=True, help=ACCEL_HELP)
def upscale(image, out, scale, method, accel):
    """Upscale a photo.

    \b
    Examples:
      turbogen upscale photo.jpg -o photo_x2.png
      turbogen upscale photo.png -o big.png --scale 4 --model realesrgan-x4plus
      turbogen upscale photo.png -o big.png --scale 4 --model realesrgan-x4plus --accel int8
    """
    from ..data.restore_io import check_output, save_picture
    from ..pipelines.upscale import check_request, upscale_picture
    picture = _load(image)
    check_request(method, scale, (picture.rgb.shape[1], picture.rgb.shape[0]), accel)
    check_output(out, picture.alpha is not None)      # fail now, not after the slow part
    result = upscale_picture(picture, scale, method, accel)
    save_picture(result, out)
    h, w = result.rgb.shape[:2]
    click.echo(f"wrote {out} ({w}x{h}, x{scale} {method})")


@cli.command("denoise")
@click.argument("image", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="Output file; the format follows its suffix.")
@click.option("--sigma", type=float, default=None,
              help="Noise standard deviation in 0..255 levels (0..75); estimated when omitted. "
                   "For JPEG artefacts try 5..15.")
def denoise(image, out, sigma):
    """Remove Gaussian noise and JPEG artefacts from a photo.

    \b
    Examples:
      turbogen denoise noisy.png -o clean.png
      turbogen denoise noisy.png -o clean.png --sigma 25
    """
    from ..data.restore_io import check_output, save_picture
    from ..pipelines.denoise import denoise_picture
    picture = _load(image)
    check_output(out, picture.alpha is not None)
    result, used = denoise_picture(picture, sigma)
    save_picture(result, out)
    how = "given" if sigma is not None else "estimated"
    click.echo(f"wrote {out} (sigma {used:.1f}, {how})")
