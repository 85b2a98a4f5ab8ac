"""What each InfoGAN code of an unconditional DCGAN draws, read by the domain classifier.

For every code k: `--n` samples with that code, the classifier's digit histogram, and the
share of its most frequent digit (the code's purity). Then the class counts of 1,000 samples
with every code equally often (what `turbogen eval` reports). Writes a grid, one row per code.

    python benchmarks/infogan_codes.py RUN [--n 500] [--grid docs/images/infogan_codes.png]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from turbogen.eval.classic_eval import classify
from turbogen.eval.domain_metrics import class_histogram
from turbogen.pipelines.classic_model import load_classic
from turbogen.pipelines.classic_sample import grid, info_codes, preview, sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--n", type=int, default=500, help="samples per code")
    parser.add_argument("--classifier", default="classifier-mnist")
    parser.add_argument("--grid", type=Path, default=None, help="write the code grid here")
    args = parser.parse_args()
    model = load_classic(args.model, kinds=("dcgan",))
    clf = load_classic(args.classifier, kinds=("classifier",))
    k = info_codes(model)
    rows = []
    for code in range(k):
        images, _ = sample(model, args.n, seed=code, code=code)
        counts = np.bincount(classify(clf, images)[1].argmax(1), minlength=clf.config.num_classes)
        rows.append({"code": code, "digit": int(counts.argmax()),
                     "purity": round(float(counts.max() / args.n), 3),
                     "counts": counts.tolist()})
        print(json.dumps(rows[-1]), flush=True)
    images, _ = sample(model, 1000, seed=0)
    overall = class_histogram(classify(clf, images)[1].argmax(1), clf.config.num_classes)
    print(json.dumps({"codes": k, "digits_won": len({r["digit"] for r in rows}),
                      "overall_1000": overall}))
    if args.grid:
        from turbogen.train.callbacks import png_bytes
        args.grid.parent.mkdir(parents=True, exist_ok=True)
        args.grid.write_bytes(png_bytes(grid(preview(model))))


if __name__ == "__main__":
    main()
