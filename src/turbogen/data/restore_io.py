"""Read and write a user's photo for restoration: any size, alpha kept, bad files refused.

Unlike image_io.load_rgb (which fits an image to the 64 px canvas) this keeps the image as it
is: colour as (H, W, 3) uint8 RGB plus the alpha channel when there is one. What had to change
(16-bit reduced to 8, CMYK converted, EXIF rotation applied, first frame of an animation) is
returned as notes. A file too large to decode safely, cut short, or not an image raises
InputError; writing goes through io_atomic, so a failed run never leaves half a file.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ..errors import InputError
from ..io_atomic import atomic_write_bytes, check_writable
from .image_io import opened_image

MAX_PIXELS = 64_000_000        # a decompression bomb's guard: 64 MP is a large photo already
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".bmp": "BMP",
           ".tif": "TIFF", ".tiff": "TIFF"}
WITH_ALPHA = {"PNG", "WEBP", "TIFF"}


@dataclass
class Picture:
    rgb: np.ndarray                    # (H, W, 3) uint8
    alpha: np.ndarray | None = None    # (H, W) uint8, or None for an opaque image
    notes: list[str] = field(default_factory=list)


def load_picture(path: str | os.PathLike, max_pixels: int = MAX_PIXELS) -> Picture:
    """The image at `path` as a Picture; InputError for anything that is not a usable image."""
    with opened_image(path, lambda image: check_size(image.size, max_pixels, str(path))) \
            as image:
        return to_picture(image)


def check_size(size: tuple[int, int], max_pixels: int, what: str) -> None:
    w, h = size
    if w * h > max_pixels:
        raise InputError(f"{what} is {w}x{h} = {w * h / 1e6:.1f} MP, over the "
                         f"{max_pixels / 1e6:.0f} MP limit (a guard against decompression "
                         "bombs); shrink or crop it first")


def to_picture(image: Image.Image) -> Picture:
    """Decode a PIL image into 8-bit RGB (+ alpha), noting each conversion."""
    notes = []
    if getattr(image, "n_frames", 1) > 1:
        notes.append(f"used the first of {image.n_frames} frames")
    image.load()
    rotated = ImageOps.exif_transpose(image)
    if rotated is not None and rotated.size != image.size:
        notes.append("applied the EXIF orientation")
    image = rotated or image
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if values.max() > 255 else 255.0
        grey = np.clip(np.rint(values * 255.0 / top), 0, 255).astype(np.uint8)
        notes.append(f"reduced the {mode} image to 8 bits per channel")
        return Picture(np.repeat(grey[:, :, None], 3, axis=2), None, notes)
    has_alpha = "A" in image.getbands() or "a" in image.getbands() \
        or "transparency" in image.info
    if mode == "CMYK":
        notes.append("converted from CMYK to RGB")
    if has_alpha:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint8)
        return Picture(rgba[:, :, :3].copy(), rgba[:, :, 3].copy(), notes)
    return Picture(np.asarray(image.convert("RGB"), dtype=np.uint8).copy(), None, notes)


def output_format(path: str | os.PathLike, has_alpha: bool) -> str:
    """PIL format name for an output path; InputError for an unknown suffix or lost alpha."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot tell the format of {path}: use one of "
                         f"{', '.join(sorted(FORMATS))}")
    fmt = FORMATS[suffix]
    if has_alpha and fmt not in WITH_ALPHA:
        raise InputError(f"the image has transparency, which {fmt} cannot store; write a "
                         ".png, .webp or .tiff instead")
    return fmt


def check_output(path: str | os.PathLike, has_alpha: bool) -> str:
    """Everything about the output path that can fail, checked before any slow work."""
    check_writable(path)
    return output_format(path, has_alpha)


def save_picture(picture: Picture, path: str | os.PathLike) -> None:
    """Encode in memory, then write atomically: the old file or the whole new one, never half."""
    fmt = check_output(path, picture.alpha is not None)
    if picture.alpha is not None:
        image = Image.fromarray(np.dstack([picture.rgb, picture.alpha]), "RGBA")
    else:
        image = Image.fromarray(picture.rgb, "RGB")
    buffer = io.BytesIO()
    options = {"quality": 95} if fmt in ("JPEG", "WEBP") else {}
    image.save(buffer, format=fmt, **options)
    atomic_write_bytes(path, buffer.getvalue())
