"""card.md: what a trained checkpoint is, how it was made, how well it draws."""
from __future__ import annotations

import json
from pathlib import Path

from ...io_atomic import atomic_write_text

METRIC_HELP = {
    "object_color_acc": "pixels fully inside a shape drawn nearest to its colour",
    "background_acc": "pixels no shape touches drawn nearest to the background colour",
    "shape_iou": "IoU of the pixels drawn in an object's colour and its shape (>= half covered)",
    "psnr": "PSNR in dB against the exact render",
    "mse": "mean squared error against the exact render (0..255 scale)",
}


def write_card(folder: str | Path, summary: dict) -> None:
    folder = Path(folder)
    rc = summary["recipe_config"]
    model = rc["model"]
    lines = [
        f"# text2img — recipe `{summary['recipe']}`",
        "",
        "A small conditional UNet that draws Shapes World ScenePlans at 64 x 64: layout maps "
        "(shape, colour, box occupancy, box-relative u/v, background) concatenated to the input, "
        "the MiniLM prompt embedding and the time as FiLM.",
        "",
        "## How it was trained",
        "",
        f"- command: `turbogen train text2img --recipe {summary['recipe']} "
        f"--seed {summary['seed']}`",
        f"- objective: `{model['objective']['kind']}`; default sampler `{model['sampler']}`, "
        f"{model['steps']} steps, guidance {model['guidance']}",
        f"- parameters: {summary['parameters']:,} ({summary['parameters'] * 4 / 1e6:.1f} MB fp32)",
        f"- steps: {summary['steps']} at batch {rc['batch_size']} = {summary['images_seen']:,} "
        f"images ({summary['stop_reason']}); fresh scenes: {rc['pool_size']:,} + "
        f"{rc['refresh']} per step",
        f"- training time: {summary['train_minutes']:.1f} min of training loop (the last "
        f"session, incl. building the data pool and evaluating: {summary['wall_minutes']:.1f} "
        f"min wall) on {summary['device']} ({summary['machine']}), "
        f"torch {summary['torch']}, bf16 autocast {rc['bf16']}, channels_last "
        f"{rc['channels_last']}",
        f"- final training loss (mean of the last 10 steps): {summary['final_loss']:.5f}",
        "",
        f"## How well it draws ({rc['eval_n']} held-out scenes, default sampler)",
        "",
        "| metric | with caption | without text | meaning |",
        "|---|---|---|---|",
    ]
    for key, help_text in METRIC_HELP.items():
        a, b = summary["metrics"][key], summary["metrics_without_text"][key]
        lines.append(f"| {key} | {a:.4f} | {b:.4f} | {help_text} |")
    lines += ["", "`samples.png`: pairs of (exact render | generated) for held-out plans; "
              "`loss_curve.png`: the training loss.", "",
              "## Recipe", "", "```json", json.dumps(rc, indent=2), "```", ""]
    atomic_write_text(folder / "card.md", "\n".join(lines))
    atomic_write_text(folder / "train_summary.json", json.dumps(summary, indent=2) + "\n")
