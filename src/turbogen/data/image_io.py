"""Read a user's image file as the RGB canvas turbogen works on, saying what had to change.

Anything PIL opens is accepted. Other sizes are resampled to the canvas (area averaging when
shrinking, which is how the renderer anti-aliases, so a 256 px render shrinks to nearly the
64 px one); transparency is flattened onto white. Each such change is returned as a note, not
done silently. A file that is missing, is not an image, or is cut short raises InputError.
"""
from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..errors import InputError
from ..world import CANVAS_PX


def load_rgb(path: str | os.PathLike, size: int = CANVAS_PX) -> tuple[np.ndarray, list[str]]:
    """(size, size, 3) uint8 pixels of the image at `path`, and notes on what was converted."""
    with opened_image(path) as image:
        image.load()
        return to_canvas(image, size)


@contextmanager
def opened_image(path: str | os.PathLike, check=None) -> Iterator[Image.Image]:
    """The PIL image at `path`, open; every way the file can be unusable is an InputError.

    `check(image)` runs on the header alone, before any pixel is decoded (size limits). The
    body of the `with` decodes; truncated or corrupt data raised there is translated too.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder, not an image file")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if check is not None:
                    check(image)
                yield image
    except UnidentifiedImageError:
        raise InputError(f"{path} is not an image PIL can read (PNG, JPEG, BMP, WebP, TIFF, "
                         "...)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise InputError(f"{path} is too large to decode safely: {err}") from None
    except (OSError, SyntaxError, ValueError) as err:    # truncated or corrupt data
        raise InputError(f"{path} could not be decoded, the file may be damaged: {err}") \
            from None


def to_canvas(image: Image.Image, size: int = CANVAS_PX) -> tuple[np.ndarray, list[str]]:
    """A PIL image as (size, size, 3) uint8 RGB, and notes on any conversion."""
    notes, mode = [], image.mode
    if mode != "RGB":
        if "A" in image.getbands() or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
            notes.append(f"flattened the {mode} image's transparency onto white")
        elif mode not in ("L", "P"):      # grey and palette images convert without loss
            notes.append(f"converted from {mode} to RGB")
        image = image.convert("RGB")
    if image.size != (size, size):
        w, h = image.size
        shrink = w >= size and h >= size
        image = image.resize((size, size), Image.Resampling.BOX if shrink
                             else Image.Resampling.BILINEAR)
        aspect = "" if w == h else "; the aspect ratio changed"
        notes.append(f"resized from {w}x{h} to {size}x{size}{aspect}")
    return np.asarray(image, dtype=np.uint8).copy(), notes
