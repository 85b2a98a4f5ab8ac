"""The README's style-transfer grid: held-out photos (rows) x bundled styles (columns).

Row 0 shows each style image; every other row is one held-out photo (never trained on) and its
fast stylisations at --size px. With --gatys-steps N a last column shows Gatys optimisation
with the first style's image on each photo, for comparison (slow: N VGG16 passes per photo).

    python benchmarks/stylize_grid.py --out docs/stylize_grid.png --gatys-steps 60
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from PIL import Image, ImageDraw

from turbogen.io_atomic import atomic_write_bytes
from turbogen.pipelines.stylize import (bundled_styles, fast, gatys, load_style_net,
                                        style_pixels)
from turbogen.train.callbacks import png_bytes
from turbogen.train.style_recipe import heldout_crops


def label(image: np.ndarray, text: str) -> np.ndarray:
    canvas = Image.fromarray(image)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 7 * len(text) + 6, 14), fill=(0, 0, 0))
    draw.text((3, 1), text, fill=(255, 255, 255))
    return np.asarray(canvas)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/stylize_grid.png")
    parser.add_argument("--size", type=int, default=192)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--gatys-steps", type=int, default=0)
    args = parser.parse_args()
    styles = bundled_styles()
    photos = heldout_crops(args.size)[:args.photos]
    blank = np.full((args.size, args.size, 3), 255, np.uint8)

    def thumb(rgb):
        return np.asarray(Image.fromarray(rgb).resize((args.size, args.size),
                                                      Image.Resampling.BOX))
    header = [blank] + [label(thumb(style_pixels(s)), f"style: {s}") for s in styles]
    if args.gatys_steps:
        header.append(label(thumb(style_pixels(styles[0])), f"Gatys: {styles[0]}"))
    rows = [header]
    for photo in photos:
        row = [label(photo, "held-out photo")]
        row += [label(fast(photo, load_style_net(s)[0]), f"fast {s}") for s in styles]
        if args.gatys_steps:
            t0 = time.perf_counter()
            row.append(label(gatys(photo, style_pixels(styles[0]), args.gatys_steps),
                             f"Gatys {args.gatys_steps} steps"))
            print(f"gatys {args.size}px {args.gatys_steps} steps: "
                  f"{time.perf_counter() - t0:.1f} s")
        rows.append(row)
    grid = np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)
    atomic_write_bytes(args.out, png_bytes(grid))
    print(f"wrote {args.out} ({grid.shape[1]}x{grid.shape[0]})")


if __name__ == "__main__":
    main()
