"""How faithfully does a text2img model draw held-out plans, per sampler / step count / guidance?

    python benchmarks/text2img_quality.py --model runs/cmp-flow --steps 1 2 4 8 16 \
        --sampler flow_euler flow_heun --guidance 1 2 --n 256

Held-out scenes are the recipe's evaluation stream (never trained on). Metrics against the
exact renderer (eval/image_metrics.py) and, with --verifier, the share of images the bundled
verifier reads as faithful to every object, colour, size and the background of their plan.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from turbogen.accel.autocast import with_precision
from turbogen.cond import make_cond
from turbogen.data.shapes_sampler import sample_example
from turbogen.eval.image_metrics import batch_metrics
from turbogen.pipelines.text2img import draw, to_uint8
from turbogen.pipelines.text2img_model import load_text2img
from turbogen.text import text_encoder
from turbogen.train.recipes.text2img_shapes64 import EVAL_SEED


def generate(model, config, plans, emb, **kwargs) -> np.ndarray:
    out = []
    for lo in range(0, len(plans), 64):
        cond = make_cond(plans[lo:lo + 64], None if emb is None else emb[lo:lo + 64])
        out.append(to_uint8(draw(model, config, cond, list(range(lo, lo + len(cond["text"]))),
                                 **kwargs)))
    return np.concatenate(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="text2img-shapes64")
    parser.add_argument("--steps", type=int, nargs="+", default=[8])
    parser.add_argument("--sampler", nargs="+", default=[None])
    parser.add_argument("--guidance", type=float, nargs="+", default=[1.0])
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--no-text", action="store_true", help="drop the caption embeddings")
    parser.add_argument("--verifier", action="store_true", help="also score with the verifier")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    parser.add_argument("--save", default=None, help="write the last setting's images as .npy")
    args = parser.parse_args()

    model, config = load_text2img(args.model)
    model = with_precision(model, args.precision)
    examples = [sample_example(EVAL_SEED, i) for i in range(args.n)]
    plans = [e.plan for e in examples]
    emb = None if args.no_text else \
        text_encoder(config.text_encoder)([e.caption.text for e in examples])
    check = None
    if args.verifier:
        from turbogen.pipelines.text2img_verify import load_verifier, plan_facts
        verify = load_verifier()
        check = lambda imgs: float(np.mean([not verify(im, plan_facts(p))    # noqa: E731
                                            for im, p in zip(imgs, plans)]))
    for sampler in args.sampler:
        for steps in args.steps:
            for guidance in args.guidance:
                start = time.perf_counter()
                with torch.inference_mode():
                    images = generate(model, config, plans, emb, steps=steps,
                                      guidance=guidance, sampler=sampler)
                seconds = time.perf_counter() - start
                row = {"sampler": sampler or config.sampler, "steps": steps,
                       "precision": args.precision,
                       "guidance": guidance, "text": emb is not None,
                       **{k: round(v, 4) for k, v in batch_metrics(images, plans).items()},
                       "images_per_s": round(len(plans) / seconds, 1)}
                if check is not None:
                    row["verifier_faithful"] = round(check(images), 4)
                print(json.dumps(row), flush=True)
    if args.save:
        np.save(args.save, images)


if __name__ == "__main__":
    main()
