"""The README's style-transfer grid: held-out photos (rows) x bundled styles (columns).

Row 0 shows each style image; every other row is one held-out photo (never trained on) and its
fast stylisations at --size px. With --gatys N instead: one row, held-out photo number N and
Gatys optimisation with each bundled style's image (slow: --gatys-steps VGG16 passes each).

    python benchmarks/stylize_grid.py --out docs/stylize_grid.png
    python benchmarks/stylize_grid.py --out docs/stylize_gatys.png --gatys 1 --gatys-steps 40 \
        --size 128 --styles mosaic,swirl
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
    parser.add_argument("--gatys", type=int, default=None, metavar="N",
                        help="Gatys row for held-out photo N (0-4) instead of the fast grid")
    parser.add_argument("--gatys-steps", type=int, default=40)
    parser.add_argument("--styles", default=None, help="comma-separated (default: all bundled)")
    args = parser.parse_args()
    styles = args.styles.split(",") if args.styles else bundled_styles()
    if args.gatys is not None:
        photo = heldout_crops(args.size)[args.gatys]
        row = [photo]
        for style in styles:
            t0 = time.perf_counter()
            row.append(gatys(photo, style_pixels(style), args.gatys_steps))
            print(f"gatys {style} {args.size}px {args.gatys_steps} steps: "
                  f"{time.perf_counter() - t0:.1f} s")
        atomic_write_bytes(args.out, png_bytes(np.concatenate(row, axis=1)))
        print(f"wrote {args.out}")
        return
    photos = heldout_crops(args.size)[:args.photos]
    blank = np.full((args.size, args.size, 3), 255, np.uint8)

    def thumb(rgb):
        return np.asarray(Image.fromarray(rgb).resize((args.size, args.size),
                                                      Image.Resampling.BOX))
    header = [blank] + [label(thumb(style_pixels(s)), f"style: {s}") for s in styles]
    rows = [header]
    for photo in photos:
        row = [label(photo, "held-out photo")]
        row += [label(fast(photo, load_style_net(s)[0]), f"fast {s}") for s in styles]
        rows.append(row)
    grid = np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)
    atomic_write_bytes(args.out, png_bytes(grid))
    print(f"wrote {args.out} ({grid.shape[1]}x{grid.shape[0]})")


if __name__ == "__main__":
    main()
