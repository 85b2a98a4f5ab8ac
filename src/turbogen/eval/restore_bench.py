"""Acceleration of our super-resolution network (sr-x2/3/4), each recipe against the original.

The same rows as the other benches (eval/accel_bench.py: interleaved timing, peak memory, file
size, machine); an "image" here is one 64 x 64 low-resolution tile upscaled (128 x 128 out at
x2), and quality is the held-out photos' Y-PSNR / SSIM of `turbogen eval sr` (eval/restore_eval.py).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from .accel_bench import accel_rows, add_ratios, folder_size, machine, time_draws

TILE = 64


def run_sr_bench(model: str, recipes: list[str], *, batches=(8, 32), reps: int = 3,
                 progress: Callable[[str], None] | None = None) -> dict:
    """Every row's speed, memory, size and held-out Y-PSNR, plus ratios to the original."""
    from ..accel.restore_accel import from_restore
    from ..data.photos import load_photos
    from ..pipelines.realesrgan import calibration_tiles
    from ..pipelines.restore_model import run_on_image
    from .pareto import pareto_front
    from .restore_eval import eval_sr
    say = progress or (lambda _: None)
    base = from_restore(model)
    rows = accel_rows(base, [""] + [r for r in recipes if r],
                      lambda name: say(f"building {name}"))
    scale = base.config.scale
    # the training photos' tiles (seed 1: not the calibration crops), never the held-out ones
    tiles = torch.from_numpy(np.concatenate(
        calibration_tiles(max(batches) + 3, TILE, seed=1, scale=scale)))

    def drawer(fn):
        def draw(start, n, seed):
            with torch.inference_mode():
                return fn(tiles[start:start + n])
        return draw
    speed = time_draws({name: drawer(m.denoiser) for name, m in rows.items()}, batches=batches,
                       reps=reps, progress=lambda name: say(f"timing {name}"))
    photos = load_photos("heldout")
    out = []
    for name, accel in rows.items():
        say(f"PSNR {name}")
        scored = eval_sr({name: lambda rgb, fn=accel.denoiser: run_on_image(fn, rgb, scale)},
                         photos, scale)["methods"][name]
        out.append({"name": name, "methods": list(accel.methods), "backend": accel.backend,
                    **speed[name], "size_mb": round(folder_size(accel) / 1e6, 3),
                    "psnr": round(scored["psnr"], 3), "ssim": round(scored["ssim"], 4)})
    add_ratios(out)
    for row in out:
        row["psnr_delta_db"] = round(row["psnr"] - out[0]["psnr"], 3)
    return {"model": model, "kind": "image", "scale": scale, "tile": TILE,
            "images": list(photos), "batches": list(batches), "reps": reps,
            "machine": machine(), "rows": out, "quality": "psnr",
            "pareto": pareto_front(out, "psnr")}
