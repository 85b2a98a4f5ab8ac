"""Does EMA + BatchNorm re-estimation cost a DCGAN's class balance? Scores one trained run's
saved generator (EMA, statistics re-estimated), and from its last checkpoint the live weights and
the EMA weights with the stale statistics, like `turbogen eval` (FID, precision/recall, classes).

    python benchmarks/classic_weights_balance.py runs/dcgan-mnist-uncond
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

from safetensors.torch import load_file

from turbogen.data.classic import load_image_set
from turbogen.eval.classic_eval import evaluate_generator
from turbogen.pipelines.classic_model import load_classic
from turbogen.train.classic_recipe import recalibrate_batchnorm


def with_weights(model, path: Path):
    """A copy of `model` with the generator weights (and BatchNorm buffers) of a checkpoint file."""
    view = copy.deepcopy(model)
    state = {k.removeprefix("generator."): t for k, t in load_file(str(path)).items()
             if k.startswith("generator.")}
    view.module.load_state_dict(state)
    return view


def main(run: Path) -> None:
    saved = load_classic(str(run))
    data = load_image_set(saved.data)
    clf = load_classic(f"classifier-{saved.data}", kinds=("classifier",))
    step = sorted((run / "checkpoints").glob("step-*"))[-1]
    live = with_weights(saved, step / "model.safetensors")
    live_recal = copy.deepcopy(live)
    recalibrate_batchnorm(live_recal)
    views = {"saved: EMA, BatchNorm re-estimated": saved,
             "EMA, stale BatchNorm statistics": with_weights(saved, step / "ema.safetensors"),
             "live weights": live, "live weights, BatchNorm re-estimated": live_recal}
    for name, view in views.items():
        m = evaluate_generator(view, clf, data, floor=False)
        print(json.dumps({"weights": name, "fid": round(m["fid"], 2),
                          "precision": m["precision"], "recall": m["recall"], **m["classes"]}),
              flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
