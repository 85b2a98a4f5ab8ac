"""Acceleration of a classic generator (GAN, DCGAN, VAE decoder), each recipe against the original.

The same rows as the text-to-image bench (eval/accel_bench.py: interleaved timing, peak memory,
file size, machine), with the generator's quality metric instead of faithfulness: domain FID and
KID (eval/classic_eval.py, the bundled classifier's features) of each row's samples against real
half B, every row drawing the same latents and labels (same seed, same count as `turbogen eval`),
so the rows differ only by the acceleration. `psnr_vs_original` is how far each row's draws are
from the original's on those latents (dB over pixels in 0..1; inf = identical).
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from .accel_bench import accel_rows, add_ratios, folder_size, machine, time_draws

PSNR_N = 500                # draws compared pixel by pixel with the original's


def _drawer(classic) -> Callable[[int, int, int], torch.Tensor]:
    from ..pipelines.classic_sample import sample
    return lambda start, n, seed: sample(classic, n, seed=seed + start, batch=n)[0]


def _psnr(x: torch.Tensor, ref: torch.Tensor) -> float:
    mse = float((x - ref).pow(2).mean())
    return round(10 * math.log10(1 / mse), 2) if mse > 0 else math.inf


def quality_rows(classics: dict, data, classifier, seed: int, progress) -> dict[str, dict]:
    """FID/KID/IS/precision/recall against real half B, label accuracy (conditional models),
    PSNR of each row's draws against the original's."""
    from ..data.classic import split_halves
    from ..pipelines.classic_sample import sample
    from .classic_eval import check_compatible, classify, distribution_metrics
    check_compatible(classifier, data)
    _, b = split_halves(len(data))
    feat_b, _ = classify(classifier, data.images[b])
    out, reference = {}, None
    for name, classic in classics.items():
        progress(f"FID {name}")
        images, labels = sample(classic, len(b), seed=seed)
        feat_x, probs_x = classify(classifier, images)
        metrics = {k: round(v, 4) for k, v in distribution_metrics(feat_b, feat_x,
                                                                   probs_x).items()}
        if labels is not None:
            metrics["label_accuracy"] = round(float((probs_x.argmax(1) == labels.numpy())
                                                    .mean()), 4)
        reference = images[:PSNR_N] if reference is None else reference
        out[name] = {"n_samples": len(b), **metrics,
                     "psnr_vs_original": _psnr(images[:PSNR_N], reference)}
    return out


def run_classic_bench(model: str, recipes: list[str], *, batches=(64, 512), reps: int = 3,
                      seed: int = 0, progress: Callable[[str], None] | None = None) -> dict:
    """Every row's speed, memory, size, FID and KID, plus ratios to the original."""
    from ..accel.folder import load_accelerated
    from ..accel.generator import as_classic
    from ..data.classic import load_image_set
    from ..pipelines.classic_model import load_classic
    from .pareto import pareto_front
    say = progress or (lambda _: None)
    rows = accel_rows(load_accelerated(model), [""] + [r for r in recipes if r],
                      lambda name: say(f"building {name}"))
    classics = {name: as_classic(accel) for name, accel in rows.items()}
    base = classics["original"]
    speed = time_draws({name: _drawer(c) for name, c in classics.items()}, batches=batches,
                       reps=reps, progress=lambda name: say(f"timing {name}"))
    data = load_image_set(base.data)
    quality = quality_rows(classics, data, load_classic(f"classifier-{data.name}",
                                                        kinds=("classifier",)), seed, say)
    out = [{"name": name, "methods": list(accel.methods), "backend": accel.backend,
            **speed[name], "size_mb": round(folder_size(accel) / 1e6, 2), **quality[name]}
           for name, accel in rows.items()]
    add_ratios(out)
    for row in out:
        row["fid_delta"] = round(row["fid"] - out[0]["fid"], 3)
    return {"model": model, "kind": base.kind, "data": data.name, "seed": seed,
            "batches": list(batches), "reps": reps, "machine": machine(), "rows": out,
            "quality": "fid", "pareto": pareto_front(out, "fid")}
