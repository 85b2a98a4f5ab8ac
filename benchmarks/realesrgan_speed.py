"""Real-ESRGAN x4plus / animevideov3 on CPU: plain eager fp32 vs every accelerated variant.

Plain eager fp32 = the converted network, NCHW, fp32, whole image at once, torch's default
threads. Variants: channels_last fp32, bf16 + channels_last (what `--accel auto` runs here),
int8 (`--accel int8`: x4plus's first 20 RRDBs ONNX Runtime int8, the rest bf16;
animevideov3 all int8) whole and tiled, OpenVINO (`--accel openvino`: bf16 where native),
optionally torch.compile on top of bf16.
Timing: the same low-res image (default: the held-out astronaut, 512 px shrunk x4 to 128 px,
so a 512x512 output), and the variants run interleaved, one call each per round, so a shared
CPU's load hits all of them alike; reported are medians over --reps rounds and the speed-up
over eager fp32 (ratio of medians). Quality: each variant's output against eager fp32's on a
64 px low-res crop of each of the 5 held-out photos: Y-PSNR (identical look needs > ~40 dB),
max abs difference in 0..255 levels, and the Y-PSNR of both against the high-res photo.

    python benchmarks/realesrgan_speed.py --model realesrgan-x4plus --size 128 --reps 5 --json
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import torch

from turbogen.accel.image_model import accelerate
from turbogen.data.photos import HELDOUT, load_photo
from turbogen.data.restore_patches import shrink
from turbogen.eval.restore_metrics import psnr_y
from turbogen.pipelines.realesrgan import PADS, convert, int8_graph, int8_model, openvino_model
from turbogen.pipelines.restore_model import from_batch
from turbogen.pipelines.tiling import run_tiled


def to_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float() / 255.0


def variants(args) -> tuple[dict, dict]:
    """({name: x -> y}, set-up costs in seconds)."""
    net, pad = convert(args.model), PADS[args.model]
    fast = accelerate(convert(args.model), "bf16")
    t0 = time.perf_counter()
    cached = int8_graph(args.model)[1]          # builds and caches it when missing
    int8 = int8_model(args.model, 4, "bf16")
    setup = {"int8_setup_seconds": time.perf_counter() - t0, "int8_graph_from_cache": cached}
    t0 = time.perf_counter()
    openvino = openvino_model(args.model, 4)    # converts and caches it when missing
    setup["openvino_setup_seconds"] = time.perf_counter() - t0
    out = {"eager fp32": net,
           "channels_last fp32": accelerate(convert(args.model), "fp32"),
           "bf16 + channels_last": fast,
           "int8 (ONNX Runtime)": int8,
           f"int8 tiled {args.tile}": lambda t: run_tiled(int8, t, 4, args.tile, pad),
           f"OpenVINO {openvino.precision}": openvino}
    if args.compile:
        import torch._inductor.config as inductor
        inductor.freezing = True
        out["bf16 + channels_last + compile"] = torch.compile(fast, dynamic=False)
    return out, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="realesrgan-x4plus")
    parser.add_argument("--photo", default="astronaut", help="held-out photo timed")
    parser.add_argument("--size", type=int, default=128, help="low-res side timed, px")
    parser.add_argument("--tile", type=int, default=64, help="tile of the tiled int8 row")
    parser.add_argument("--reps", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--threads", type=int, default=None, help="default: torch's")
    parser.add_argument("--compile", action="store_true", help="add torch.compile (slow start)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    fns, setup = variants(args)
    hr = load_photo(args.photo)[:4 * args.size, :4 * args.size]
    x = to_tensor(shrink(hr, 4))
    times = {name: [] for name in fns}
    with torch.inference_mode():
        for fn in fns.values():
            fn(x)                                   # warm-up (and compile)
        for _ in range(args.reps):
            for name, fn in fns.items():
                t0 = time.perf_counter()
                fn(x)
                times[name].append(time.perf_counter() - t0)
        quality = {name: {"psnr": [], "max_abs_diff": [], "psnr_vs_photo": []} for name in fns}
        for photo in HELDOUT:
            full = load_photo(photo)
            top, left = (full.shape[0] - 256) // 2, (full.shape[1] - 256) // 2
            crop = full[top:top + 256, left:left + 256]
            low = to_tensor(shrink(crop, 4))
            ref = from_batch(fns["eager fp32"](low))
            for name, fn in fns.items():
                image = from_batch(fn(low))
                q = quality[name]
                q["psnr"].append(psnr_y(image, ref))
                q["max_abs_diff"].append(int(np.abs(image.astype(int) - ref).max()))
                q["psnr_vs_photo"].append(psnr_y(image, crop, 4))
    base = statistics.median(times["eager fp32"])
    out_pixels = x.shape[2] * x.shape[3] * 16
    rows = {}
    for name, ts in times.items():
        med, q = statistics.median(ts), quality[name]
        rows[name] = {"seconds": med, "seconds_all": [round(t, 3) for t in ts],
                      "megapixels_per_s": out_pixels / 1e6 / med, "speedup": base / med,
                      "psnr_vs_eager_fp32": min(float(np.mean(q["psnr"])), 99.0),
                      "psnr_vs_eager_fp32_worst": min(min(q["psnr"]), 99.0),
                      "max_abs_diff": max(q["max_abs_diff"]),
                      "per_photo_psnr": dict(zip(HELDOUT, (round(v, 2) for v in q["psnr"]))),
                      "per_photo_max_abs_diff": dict(zip(HELDOUT, q["max_abs_diff"])),
                      "psnr_vs_photo": float(np.mean(q["psnr_vs_photo"]))}
    result = {"model": args.model, "photo": args.photo, "low_res": list(x.shape[2:]),
              "threads": torch.get_num_threads(), "reps": args.reps, **setup, "variants": rows}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.model}, {x.shape[3]}x{x.shape[2]} -> x4, {torch.get_num_threads()} threads, "
          f"median of {args.reps} interleaved rounds")
    for name, r in rows.items():
        print(f"{name:32s} {r['seconds']:7.3f} s {r['megapixels_per_s']:7.4f} MP/s "
              f"x{r['speedup']:5.2f}  vs fp32 {r['psnr_vs_eager_fp32']:6.2f} dB "
              f"(worst {r['psnr_vs_eager_fp32_worst']:.2f}, max diff {r['max_abs_diff']:3d})  "
              f"vs photo {r['psnr_vs_photo']:.2f} dB")


if __name__ == "__main__":
    main()
