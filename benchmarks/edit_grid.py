"""Before / after grid of edits with the bundled generator: docs/edit_grid.png.

    PYTHONPATH=src python benchmarks/edit_grid.py docs/edit_grid.png

Each row: the scene (drawn by the generator, the first seed the verifier accepts), the
edited image, and the edit mask (redrawn pixels tinted). Labels name the instruction.
"""
from __future__ import annotations

import sys

import numpy as np
from PIL import Image, ImageDraw

from turbogen.eval.edit_eval import scene_image
from turbogen.pipelines.edit import Editor

EDITS = [
    ("a large red circle on the left and a small blue square on the right on white",
     "make the circle green"),
    ("a small pink diamond and a large green triangle on white", "enlarge the diamond"),
    ("a medium orange square at the top and a medium cyan star at the bottom on black",
     "move the star to the left"),
    ("a medium green star, a small yellow diamond and a medium purple circle on gray",
     "put a cyan star below the diamond"),
    ("two small red circles and a medium blue triangle on white", "delete one of the circles"),
    ("a large red circle on the left and a small blue square on the right on white",
     "replace the square with a yellow circle"),
    ("a medium purple triangle on the left and a medium orange circle on the right on black",
     "make the background white"),
    ("a medium green star, a small yellow diamond and a medium purple circle on gray",
     "make everything red"),
]
SCALE, LABEL_W = 3, 330


def main(out: str) -> None:
    editor = Editor.load()
    rows = []
    for scene, instruction in EDITS:
        image, _ = scene_image(editor, {"scene": scene, "scene_seed": 0})
        result = editor.edit(image, instruction, seed=0)
        tint = image.copy()
        tint[result.mask] = (0.5 * tint[result.mask] + [127, 0, 127]).astype(np.uint8)
        row = np.concatenate([image, result.image, tint], axis=1)
        big = Image.fromarray(row).resize((row.shape[1] * SCALE, 64 * SCALE), Image.NEAREST)
        canvas = Image.new("RGB", (big.width + LABEL_W, big.height), "white")
        canvas.paste(big, (0, 0))
        ImageDraw.Draw(canvas).text((big.width + 8, big.height // 2 - 6), instruction,
                                    fill="black")
        rows.append(np.asarray(canvas))
    Image.fromarray(np.concatenate(rows, axis=0)).save(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/edit_grid.png")
