"""Real-ESRGAN x4plus / animevideov3 on CPU: plain eager fp32 vs accelerated variants.

Plain eager fp32 = the converted network, NCHW, fp32, whole image at once. Variants: tiled
(the pipeline's tiles), channels_last, bf16 + channels_last, optionally torch.compile on top.
Each variant upscales the same low-res crop of a held-out photo; reported: output megapixels/s
(median of --reps runs), speed-up over eager fp32, and PSNR of the variant's output against
the eager fp32 output (identical look needs > ~40 dB) and of each against the high-res photo.

    python benchmarks/realesrgan_speed.py --model realesrgan-x4plus --size 64 --json
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import torch

from turbogen.accel.image_model import accelerate
from turbogen.data.photos import load_photo
from turbogen.data.restore_patches import shrink
from turbogen.eval.restore_metrics import psnr_y
from turbogen.pipelines.realesrgan import PADS, convert
from turbogen.pipelines.restore_model import from_batch
from turbogen.pipelines.tiling import run_tiled


def timed(fn, x, reps: int) -> tuple[float, torch.Tensor]:
    with torch.inference_mode():
        out = fn(x)                       # warm-up (and compile, for compiled variants)
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            out = fn(x)
            times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="realesrgan-x4plus")
    parser.add_argument("--size", type=int, default=64, help="low-res side, px")
    parser.add_argument("--tile", type=int, default=32)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    hr = load_photo("astronaut")[64:64 + 4 * args.size, 96:96 + 4 * args.size]
    lr = shrink(hr, 4)
    x = torch.from_numpy(lr.copy()).permute(2, 0, 1)[None].float() / 255.0
    net = convert(args.model)
    fast = accelerate(convert(args.model), "bf16")
    pad = PADS[args.model]
    variants = {
        "eager fp32": net,
        "eager fp32 tiled": lambda t: run_tiled(net, t, 4, args.tile, pad),
        "channels_last fp32": accelerate(convert(args.model), "fp32"),
        "bf16 + channels_last": fast,
        "bf16 + channels_last tiled": lambda t: run_tiled(fast, t, 4, args.tile, pad),
    }
    if args.compile:
        variants["bf16 + channels_last + compile"] = torch.compile(fast)
    rows, ref = {}, None
    for name, fn in variants.items():
        seconds, out = timed(fn, x, args.reps)
        image = from_batch(out)
        ref = image if ref is None else ref
        rows[name] = {"seconds": seconds, "megapixels_per_s": image.shape[0] * image.shape[1]
                      / 1e6 / seconds, "psnr_vs_eager_fp32": psnr_y(image, ref),
                      "psnr_vs_photo": psnr_y(image, hr, 4)}
    base = rows["eager fp32"]["seconds"]
    for row in rows.values():
        row["speedup"] = base / row["seconds"]
    result = {"model": args.model, "low_res": args.size, "threads": torch.get_num_threads(),
              "variants": rows}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, r in rows.items():
        print(f"{name:34s} {r['megapixels_per_s']:7.4f} MP/s  x{r['speedup']:5.2f}  "
              f"vs fp32 {r['psnr_vs_eager_fp32']:6.2f} dB  vs photo {r['psnr_vs_photo']:.2f} dB")


if __name__ == "__main__":
    main()
