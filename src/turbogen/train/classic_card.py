"""card.md + train_summary.json for classic checkpoints: how it was made, how well it draws."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..io_atomic import atomic_write_text

WHAT = {"gan": "an MLP GAN generator", "dcgan": "a DCGAN generator",
        "vae": "a convolutional VAE", "classifier": "a small CNN domain classifier"}


# recipe field -> CLI option, for the options a run may change from the recipe's defaults
OPTIONS = {"batch_size": "--batch-size", "width": "--width", "lr_g": "--lr-g", "lr_d": "--lr-d",
           "label_smoothing": "--label-smoothing", "ema": "--ema", "loss": "--loss",
           "kl_weight": "--kl-weight", "pack": "--pack", "info_codes": "--info-codes",
           "info_weight": "--info-weight", "clusters": "--clusters",
           "spectral_norm": ("--spectral-norm", "--batch-norm"),
           "aux_classifier": ("--ac-gan", "--no-ac-gan"),
           "augment": ("--augment", "--no-augment"),
           "minibatch_std": ("--minibatch-std", "--no-minibatch-std")}


def command_line(summary: dict) -> str:
    """The `turbogen train` command that repeats the run: every option off the defaults."""
    from .classic_recipe import DEFAULTS
    rc = summary["recipe_config"]
    if summary.get("kind") == "classifier":
        return f"turbogen train classifier --data {summary['data']} --seed {summary['seed']}"
    cmd = [f"turbogen train {rc['kind']} --data {summary['data']}"]
    if rc["conditional"]:
        cmd.append("--conditional")
    cmd.append(f"--epochs {rc['epochs']} --minutes {rc['minutes']:g} --seed {summary['seed']}")
    default = asdict(DEFAULTS[rc["kind"]])
    for key, option in OPTIONS.items():
        if key in rc and rc[key] != default.get(key):
            cmd.append(option[not rc[key]] if isinstance(option, tuple)
                       else f"{option} {rc[key]:g}" if isinstance(rc[key], float)
                       else f"{option} {rc[key]}")
    return " ".join(cmd)


def metric_rows(metrics: dict) -> list[str]:
    floor = metrics.get("real_floor", {})
    rows = ["| metric | model | real vs real (floor) |", "|---|---|---|"]
    for key, fmt in (("fid", ".2f"), ("kid", ".4f"), ("is", ".2f"), ("precision", ".3f"),
                     ("recall", ".3f")):
        ref = format(floor[key], fmt) if key in floor else ""
        rows.append(f"| {key} | {format(metrics[key], fmt)} | {ref} |")
    for key in ("label_accuracy", "recon_psnr", "recon_ssim"):
        if key in metrics:
            rows.append(f"| {key} | {metrics[key]:.4f} | |")
    c = metrics["classes"]
    rows.append(f"| classes covered (of first 1,000 samples) | {c['covered']} | |")
    rows.append(f"| largest class deviation from uniform | {c['max_deviation']:.2f} | |")
    rows.append(f"| class counts | {c['counts']} | |")
    return rows


def write_classic_card(folder: str | Path, summary: dict) -> None:
    folder = Path(folder)
    kind = summary.get("kind", "classifier")
    lines = [f"# {folder.name}", "",
             f"{WHAT[kind]}{' (class-conditional)' if summary.get('conditional') else ''}, "
             f"trained on `{summary['data']}`.", "", "## How it was trained", "",
             f"- command: `{command_line(summary)} --out DIR`",
             f"- steps: {summary['steps']} ({summary.get('stop_reason', 'step limit')}), "
             f"{summary['train_minutes']:.1f} min of training on {summary.get('device', 'cpu')} "
             f"({summary.get('machine', '')}), torch {summary.get('torch', '')}"]
    if "load_average" in summary:
        lines.append("- machine load (1 / 5 / 15 min load average of the 2-core CPU when "
                     "training ended): " + " / ".join(f"{v:.2f}" for v in summary["load_average"]))
    if "images_per_s" in summary:
        lines.append(f"- throughput: {summary['images_per_s']:.0f} images/s; generator "
                     f"parameters: {summary['generator_parameters']:,}")
    if summary.get("batchnorm_recalibrated_after_training"):
        lines.append("- this run ended before the recipe re-estimated the EMA generator's "
                     "BatchNorm statistics (`recalibrate_batchnorm`, now the recipe's last "
                     "step); the same function was applied to its saved weights afterwards")
    if "test_accuracy" in summary:
        lines.append(f"- test accuracy: {summary['test_accuracy']:.4f} on "
                     f"{summary['test_images']} held-out images (train "
                     f"{summary['train_accuracy']:.4f}); parameters {summary['parameters']:,}")
    metrics = summary.get("metrics")
    if metrics:
        lines += ["", f"## How well it draws ({metrics['n']} samples vs real half B, features "
                  f"of `{summary['classifier']}`)", "", *metric_rows(metrics), "",
                  "Reproduce: `turbogen eval " + folder.name + " --json`."]
    if kind != "classifier":
        lines += ["", "`samples.png`: one row per class (conditional) or InfoGAN code (the same z "
                  "down each column), or 100 draws; fixed seed. `loss_curve.png`: the training "
                  "losses."]
    lines += ["",
              "## Recipe", "", "```json", json.dumps(summary["recipe_config"], indent=2), "```", ""]
    atomic_write_text(folder / "card.md", "\n".join(lines))
    atomic_write_text(folder / "train_summary.json", json.dumps(summary, indent=2) + "\n")
