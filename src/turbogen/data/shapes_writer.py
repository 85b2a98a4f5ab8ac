"""Write a Shapes World dataset to a folder: numbered PNGs plus captions.jsonl.

The folder appears whole or not at all (io_atomic.atomic_directory): an interrupted run leaves
nothing behind. File i holds example i of `sample_example(seed, i, size)`, the same item as
`ShapesDataset(n, seed, size)[i]`, so the same seed gives byte-identical files.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from ..io_atomic import atomic_directory
from .shapes_render import png_bytes
from .shapes_sampler import sample_example

MAX_IMAGES = 1_000_000
MIN_PX, MAX_PX = 16, 512
CAPTIONS_FILE = "captions.jsonl"


def check_options(n: object, seed: object, size: object) -> None:
    """Raise InputError naming what is wrong with a dataset request and what is accepted."""
    for name, value in (("n", n), ("seed", seed), ("size", size)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InputError(f"{name} must be a whole number, got {value!r}")
    if not 1 <= n <= MAX_IMAGES:
        raise InputError(f"n must be between 1 and {MAX_IMAGES:,} images, got {n}")
    if seed < 0:
        raise InputError(f"seed must be 0 or more, got {seed}")
    if not MIN_PX <= size <= MAX_PX:
        raise InputError(f"size must be between {MIN_PX} and {MAX_PX} px "
                         f"(Shapes World is drawn at 64), got {size}")


def file_name(index: int, n: int) -> str:
    """'00000.png'; wider when the dataset needs more digits, so names still sort in order."""
    return f"{index:0{max(5, len(str(n - 1)))}d}.png"


def write_shapes_dataset(out_dir: str | os.PathLike, n: int, seed: int = 0, size: int = 64,
                         overwrite: bool = False,
                         progress: Callable[[int, int], None] | None = None) -> dict:
    """Write n images and their captions to `out_dir`; return a summary of the run.

    `progress(done, n)` is called after each image. An existing non-empty `out_dir` is an error
    unless `overwrite`; it is then replaced only once the new dataset is complete.
    """
    check_options(n, seed, size)
    out = Path(out_dir)
    start = time.perf_counter()
    with atomic_directory(out, overwrite=overwrite) as tmp, \
            open(tmp / CAPTIONS_FILE, "w", encoding="utf-8") as captions:
        for i in range(n):
            example = sample_example(seed, i, size)
            name = file_name(i, n)
            (tmp / name).write_bytes(png_bytes(example.image))
            captions.write(json.dumps({"file": name, "caption": example.caption.text,
                                       "plan": example.plan.to_dict(),
                                       "facts": example.caption.facts}) + "\n")
            if progress is not None:
                progress(i + 1, n)
    seconds = time.perf_counter() - start
    return {"n": n, "out": str(out), "seed": seed, "size": size,
            "captions": str(out / CAPTIONS_FILE), "seconds": round(seconds, 3),
            "images_per_second": round(n / seconds, 1) if seconds > 0 else None}
