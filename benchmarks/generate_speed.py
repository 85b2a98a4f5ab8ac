"""How fast does text2img draw? Images/s at batch 64 and single-image latency, per variant.

    python benchmarks/generate_speed.py [--model text2img-shapes64] [--steps 8] [--reps 3]

Times phase 3 (sampling) + 4 (decode) of the pipeline on fixed plans and MiniLM embeddings,
for fp32 / channels_last / bf16 autocast variants, interleaved rep by rep so a busy shared CPU
affects every variant alike; prints medians. Also times the whole `Text2Img` call for one
prompt (plan + encode + sample + decode) after loading, and the loading itself.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import json
import statistics
import time

import torch

from turbogen.cond import make_cond
from turbogen.data.shapes_sampler import sample_example
from turbogen.pipelines.text2img import Text2Img, draw, to_uint8
from turbogen.pipelines.text2img_model import load_text2img
from turbogen.text import text_encoder

PROMPT = "three small red stars above a large blue circle on black"


def variants(model):
    cl = copy.deepcopy(model).to(memory_format=torch.channels_last)   # .to() is in place
    bf16 = lambda: torch.autocast("cpu", dtype=torch.bfloat16)    # noqa: E731
    return {"fp32": (model, contextlib.nullcontext),
            "fp32 channels_last": (cl, contextlib.nullcontext),
            "bf16 autocast + channels_last": (cl, bf16)}


def time_draw(model, config, cond, seeds, steps, ctx) -> float:
    start = time.perf_counter()
    with ctx():
        to_uint8(draw(model, config, cond, seeds, steps=steps))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text2img-shapes64")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()

    t0 = time.perf_counter()
    model, config = load_text2img(args.model)
    load_s = time.perf_counter() - t0
    steps = args.steps or config.steps
    examples = [sample_example(123, i) for i in range(args.batch)]
    emb = text_encoder(config.text_encoder)([e.caption.text for e in examples])
    big = make_cond([e.plan for e in examples], emb)
    one = make_cond([examples[0].plan], emb[:1])
    nets = variants(model)
    results = {name: {"batch": [], "single": []} for name in nets}
    for _ in range(args.reps):
        for name, (net, ctx) in nets.items():
            for key, cond in (("batch", big), ("single", one)):
                big_or_one = cond if net is model else \
                    {k: v.contiguous(memory_format=torch.channels_last) if v.ndim == 4 else v
                     for k, v in cond.items()}
                n = cond["layout"].shape[0]
                results[name][key].append(time_draw(net, config, big_or_one, list(range(n)),
                                                    steps, ctx))
    rows = {}
    for name, r in results.items():
        b, s = statistics.median(r["batch"]), statistics.median(r["single"])
        rows[name] = {"images_per_s_batch": round(args.batch / b, 1),
                      "single_image_ms": round(1000 * s, 1)}
        print(f"{name:32s} batch {args.batch}: {args.batch / b:7.1f} images/s   "
              f"1 image: {1000 * s:6.1f} ms   ({steps} steps)")
    pipe = Text2Img(model, config)
    pipe([PROMPT])                                    # loads planner and text encoder
    calls = [pipe([PROMPT], seed=i).timings for i in range(args.reps)]
    med = {k: round(statistics.median([c[k] for c in calls]) * 1000, 1) for k in calls[0]}
    print(f"one prompt end to end after loading (ms): {med}; model load {load_s * 1000:.0f} ms")
    print(json.dumps({"steps": steps, "threads": torch.get_num_threads(), "variants": rows,
                      "prompt_ms": med, "load_ms": round(load_s * 1000)}))


if __name__ == "__main__":
    main()
