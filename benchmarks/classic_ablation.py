"""Measure the DCGAN design choices on MNIST-5k: spectral norm vs BatchNorm in the
discriminator, one-sided label smoothing, TTUR, and EMA of the generator vs the live weights.

Each variant trains for the same number of epochs from the same seed, then is scored with the
bundled classifier-mnist (FID / KID / precision / recall vs real half B, label accuracy).

    python benchmarks/classic_ablation.py --epochs 8 --out /tmp/ablation [--only base,bn]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from turbogen.data.classic import load_image_set
from turbogen.eval.classic_eval import evaluate_generator
from turbogen.pipelines.classic_model import load_classic
from turbogen.train.classic_recipe import generator_view, recipe_for, train_classic

VARIANTS = {                                             # changes to the dcgan recipe
    "base": {},                                          # SN, AC-GAN head, lr 2e-4 / 2e-4, EMA
    "no_ac_gan": {"aux_classifier": False},
    "batchnorm_d": {"spectral_norm": False},
    "label_smoothing_0.1": {"label_smoothing": 0.1},
    "ttur_1e-4_4e-4": {"lr_g": 1e-4, "lr_d": 4e-4},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--kind", default="dcgan")
    parser.add_argument("--out", type=Path, default=Path("/tmp/ablation"))
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    data = load_image_set("mnist")
    clf = load_classic("classifier-mnist", kinds=("classifier",))
    rows = []
    names = args.only.split(",") if args.only else list(VARIANTS)
    for name in names:
        recipe = recipe_for(args.kind, conditional=True, epochs=args.epochs, minutes=60,
                            **VARIANTS[name])
        t0 = time.perf_counter()
        trainer, ema_view, summary = train_classic(recipe, data, args.out / name, log=print)
        minutes = (time.perf_counter() - t0) / 60
        views = {"ema": ema_view}
        if recipe.ema:                                   # the live weights of the same run
            views["live"] = generator_view(args.kind, ema_view.config, trainer.model, data)
        for weights, view in views.items():
            m = evaluate_generator(view, clf, data, floor=False)
            row = {"variant": name, "weights": weights, "epochs": args.epochs,
                   "train_min": round(minutes, 2), "fid": round(m["fid"], 2),
                   "kid": round(m["kid"], 4), "precision": round(m["precision"], 3),
                   "recall": round(m["recall"], 3), "label_acc": round(m["label_accuracy"], 4)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    (args.out / "ablation.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
