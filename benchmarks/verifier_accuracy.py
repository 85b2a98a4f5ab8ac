"""Verifier accuracy and speed on fresh Shapes World scenes, exact and degraded like a generator's.

    python benchmarks/verifier_accuracy.py            # 1000 scenes x exact/generator/harsh/wobbly
    python benchmarks/verifier_accuracy.py --n 200 --json
    python benchmarks/verifier_accuracy.py --faithfulness      # + caption facts on the images

Object-level agreement: an object counts as right when the verifier finds it with box IoU >= 0.5
and the right shape, colour and size; agreement = right / (truth + found - right), so missed and
invented objects both count. Scenes use a seed the verifier's recipe never trains on
(eval/verifier_eval.py). images/s is reading time only, batches of 64, in this process.

--faithfulness also checks each scene's random caption facts (data/shapes_captions.py, the facts
the prompt suites use) on the image through Verifier.faithfulness: on renders of the truth it
should find no failure, so its rate of false alarms is the verifier's error as a judge.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from turbogen.data.degrade import DEGRADATIONS
from turbogen.data.shapes_captions import caption_scene
from turbogen.eval.verifier_eval import EVAL_SEED, eval_scenes, evaluate_verifier
from turbogen.pipelines.caption import Verifier
from turbogen.verify.faithfulness import image_fact_failures


def faithfulness_false_alarms(verifier: Verifier, n: int, seed: int, degradation: str) -> dict:
    """Share of scenes whose own caption facts the verifier says the image violates."""
    alarms, examples = 0, []
    for index, plan, pixels in eval_scenes(n, seed, degradation):
        facts = caption_scene(plan, np.random.default_rng([seed, index, 2])).facts
        failures = image_fact_failures(verifier.read(pixels).plan, facts)
        if failures:
            alarms += 1
            if len(examples) < 5:
                examples.append({"scene": index, "failures": failures})
    return {"degradation": degradation, "scenes": n, "false_alarm_rate": round(alarms / n, 5),
            "examples": examples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="scenes per condition")
    parser.add_argument("--seed", type=int, default=EVAL_SEED)
    parser.add_argument("--weights", default=None, help="weights folder (default: bundled)")
    parser.add_argument("--conditions", default=",".join(DEGRADATIONS),
                        help=f"comma-separated, from {', '.join(DEGRADATIONS)}")
    parser.add_argument("--faithfulness", action="store_true",
                        help="also count false faithfulness alarms on captions' facts")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    if args.threads:
        import torch
        torch.set_num_threads(args.threads)

    start = time.perf_counter()
    verifier = Verifier.load(args.weights)
    load_seconds = time.perf_counter() - start
    results = {"load_seconds": round(load_seconds, 3), "conditions": [], "faithfulness": []}
    for condition in args.conditions.split(","):
        report = evaluate_verifier(verifier, n=args.n, seed=args.seed, degradation=condition)
        results["conditions"].append(report)
        if args.faithfulness:
            results["faithfulness"].append(
                faithfulness_false_alarms(verifier, args.n, args.seed, condition))
        if not args.json:
            print(f"{condition:>9}: agreement {report['agreement']:.4f}  recall "
                  f"{report['recall']:.4f}  precision {report['precision']:.4f}  shape "
                  f"{report['shape_accuracy']:.4f}  colour {report['color_accuracy']:.4f}  size "
                  f"{report['size_accuracy']:.4f}  bg {report['background_accuracy']:.4f}  "
                  f"scenes {report['scene_accuracy']:.4f}  IoU med {report['median_iou']:.3f} "
                  f"p5 {report['p5_iou']:.3f}  {report['images_per_second']} images/s  "
                  f"({report['objects']} objects)", flush=True)
            if args.faithfulness:
                alarms = results["faithfulness"][-1]
                print(f"{'':>9}  faithfulness false alarms {alarms['false_alarm_rate']:.4f} "
                      f"of {alarms['scenes']} scenes", flush=True)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
