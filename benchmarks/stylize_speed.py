"""Fast style transfer on CPU: images/s at 256 x 256 for plain fp32 and accelerated variants.

Variants: eager fp32 NCHW, channels_last fp32, bf16 autocast + channels_last (accel.image_model
.accelerate), at batch 1 and a larger batch. Rounds are interleaved (each round times every
variant once) so a shared CPU's load hits all of them alike; reported: median images/s, and
the PSNR of each variant's output against eager fp32 (how much the speed-up changes the image).
The network is a bundled style (weights do not change the speed) on a held-out photo. With
--method adain: the AdaIN network (encoder + AdaIN + decoder; the style image, 256 px, is
encoded in every pass as in `turbogen stylize --method adain`).

    python benchmarks/stylize_speed.py --style swirl --rounds 5 --json
    python benchmarks/stylize_speed.py --method adain --model adain --rounds 5 --threads 1
"""
from __future__ import annotations

import argparse
import os
import copy
import json
import statistics
import time

import numpy as np
import torch
from PIL import Image

from turbogen.accel.image_model import accelerate
from turbogen.data.photos import load_photo
from turbogen.models.style import TransformerNet
from turbogen.pipelines.stylize import bundled_styles, load_style_net


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    mse = float((a.float().clamp(0, 1) - b.float().clamp(0, 1)).pow(2).mean())
    return 10 * np.log10(1 / max(mse, 1e-12))


def batch_of(size: int, n: int) -> torch.Tensor:
    photo = load_photo("chelsea")
    crop = np.asarray(Image.fromarray(photo[:300, 100:400]).resize((size, size)))
    x = torch.from_numpy(crop.copy()).permute(2, 0, 1).float()[None] / 255.0
    return x.repeat(n, 1, 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--style", default=None, help="bundled style (default: the first)")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--method", choices=("fast", "adain"), default="fast")
    parser.add_argument("--model", default="adain", help="adain: bundled name or folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    style = args.style or bundled_styles()[0]
    fast_net: TransformerNet = load_style_net(style)[0].cpu()
    net, variants = fast_net, {}
    if args.method == "adain":
        from turbogen.pipelines.adain import load_adain
        net = copy.deepcopy(load_adain(args.model)[0]).cpu().to(
            memory_format=torch.contiguous_format)
        style_x = batch_of(args.size, 1).flip(-1)              # any 256 px image will do
        style = f"adain {args.model}"
        # the per-style fast net in the same rounds: the ratio survives the shared CPU's load
        variants["fast net bf16 + channels_last"] = accelerate(copy.deepcopy(fast_net), "bf16")
    extra = (style_x,) if args.method == "adain" else ()
    models = {"eager fp32": copy.deepcopy(net),
              "channels_last fp32": accelerate(copy.deepcopy(net), "fp32"),
              "bf16 + channels_last": accelerate(copy.deepcopy(net), "bf16")}
    variants.update({k: (lambda x, m=m: m(x, *extra)) for k, m in models.items()})
    inputs = {n: batch_of(args.size, n) for n in (1, args.batch)}
    times = {(v, n): [] for v in variants for n in inputs}
    outputs = {}
    with torch.inference_mode():
        for (v, n) in times:                                   # warm-up
            outputs[(v, n)] = variants[v](inputs[n])
        for _ in range(args.rounds):
            for (v, n) in times:
                t0 = time.perf_counter()
                variants[v](inputs[n])
                times[(v, n)].append(time.perf_counter() - t0)
    rows = []
    for (v, n), ts in times.items():
        rows.append({"variant": v, "batch": n,
                     "images_per_s": round(n / statistics.median(ts), 2),
                     "ms_per_image": round(1000 * statistics.median(ts) / n, 1),
                     "psnr_vs_fp32_db": None if v.startswith("fast net") else
                     round(psnr(outputs[(v, n)], outputs[("eager fp32", n)]), 1)})
    result = {"style": style, "size": args.size, "threads": torch.get_num_threads(),
              "params": sum(p.numel() for p in net.parameters()), "rows": rows,
              "load_average": list(os.getloadavg()),
              "note": "2-core CPU shared with other jobs: numbers are lower bounds"}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"style {style}, {args.size}x{args.size}, {result['threads']} threads")
    for r in rows:
        print(f"{r['variant']:22s} batch {r['batch']:2d}: {r['images_per_s']:7.2f} img/s  "
              f"{r['ms_per_image']:7.1f} ms/img  PSNR vs fp32 {r['psnr_vs_fp32_db']} dB")


if __name__ == "__main__":
    main()
