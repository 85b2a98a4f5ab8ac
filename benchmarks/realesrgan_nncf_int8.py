"""Real-ESRGAN x4plus as OpenVINO int8 (NNCF post-training quantization): how fast, how close.

Why this exists: the 5x target needs int8 through (nearly) the whole network, and OpenVINO's
own int8 path (NNCF inserts the quantizers, merging them through the dense blocks' concats so
the concat runs in int8) is the fastest int8 we found on this CPU. This script measures what it
costs: each variant's output against eager fp32 on a 64 px low-res centre crop of each of the
5 held-out photos (Y-PSNR, as benchmarks/realesrgan_speed.py), and its speed against OpenVINO
bf16 (interleaved rounds, 128 px held-out astronaut). Calibration: 32 training-photo tiles.
It needs `pip install nncf` (not a turbogen dependency: nothing in turbogen uses it).

    python benchmarks/realesrgan_nncf_int8.py --json
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import openvino as ov
import torch

from turbogen.accel.openvino_runtime import OpenVinoImageModel, cached_ir
from turbogen.data.photos import HELDOUT, load_photo
from turbogen.data.restore_patches import shrink
from turbogen.eval.restore_metrics import psnr_y
from turbogen.pipelines.realesrgan import calibration_tiles, convert
from turbogen.pipelines.restore_model import from_batch

NAME = "realesrgan-x4plus"
# convolutions kept out of int8, counted from the end: the 5 after the body (conv_body and the
# 2x / 4x tail), or those plus the last 3 RRDBs (15 convs each), where int8 hurts most
KEEP_LAST = {"int8, tail kept": 5, "int8, last 3 RRDBs + tail kept": 5 + 3 * 15}


def to_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float() / 255.0


def quantized(xml, keep_last: int, folder) -> OpenVinoImageModel:
    import logging

    import nncf
    nncf.set_log_level(logging.ERROR)       # its per-layer INFO lines would go to stdout
    model = ov.Core().read_model(str(xml))
    convs = [op.get_friendly_name() for op in model.get_ordered_ops()
             if op.get_type_name() == "Convolution"]
    q = nncf.quantize(model, nncf.Dataset(calibration_tiles(n=32, size=64)), subset_size=32,
                      ignored_scope=nncf.IgnoredScope(names=[convs[0]] + convs[-keep_last:]))
    path = folder / f"int8-keep{keep_last}.xml"
    ov.save_model(q, str(path))
    return OpenVinoImageModel(path)


def main() -> None:
    import tempfile
    from pathlib import Path
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3, help="interleaved timing rounds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    net = convert(NAME).eval()
    xml = cached_ir(NAME, net)[0]
    with tempfile.TemporaryDirectory() as tmp:
        fns = {"OpenVINO bf16": OpenVinoImageModel(xml)}
        for label, keep in KEEP_LAST.items():
            fns[label] = quantized(xml, keep, Path(tmp))
        crops = []
        for photo in HELDOUT:
            full = load_photo(photo)
            top, left = (full.shape[0] - 256) // 2, (full.shape[1] - 256) // 2
            crops.append(to_tensor(shrink(full[top:top + 256, left:left + 256], 4)))
        x = to_tensor(shrink(load_photo("astronaut")[:512, :512], 4))
        with torch.inference_mode():
            refs = [from_batch(net(c)) for c in crops]
            rows = {}
            for name, fn in fns.items():
                ps = [psnr_y(from_batch(fn(c)), r) for c, r in zip(crops, refs)]
                rows[name] = {"psnr_vs_eager_fp32": float(np.mean(ps)),
                              "psnr_vs_eager_fp32_worst": float(np.min(ps)), "seconds": []}
                fn(x)                                       # warm-up
            for _ in range(args.reps):
                for name, fn in fns.items():
                    t0 = time.perf_counter()
                    fn(x)
                    rows[name]["seconds"].append(time.perf_counter() - t0)
    base = statistics.median(rows["OpenVINO bf16"]["seconds"])
    for row in rows.values():
        row["speedup_vs_openvino_bf16"] = base / statistics.median(row["seconds"])
    if args.json:
        print(json.dumps({"model": NAME, "threads": torch.get_num_threads(), "variants": rows},
                         indent=2))
        return
    for name, r in rows.items():
        print(f"{name:34s} x{r['speedup_vs_openvino_bf16']:.2f} vs OpenVINO bf16   "
              f"{r['psnr_vs_eager_fp32']:.2f} dB vs eager fp32 "
              f"(worst {r['psnr_vs_eager_fp32_worst']:.2f})")


if __name__ == "__main__":
    main()
