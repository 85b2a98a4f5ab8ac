"""Recipes for our restoration networks: `turbogen train sr` and `turbogen train denoise`.

Both run the shared Trainer on random crops of the training photos (data/photos.TRAIN), L1 loss
(EDSR, Lim et al. 2017: sharper than L2 for the same PSNR), Adam with cosine decay, bf16 autocast
on CPU. At the end the network is evaluated on the held-out photos and written as a model folder:
config.json + model.safetensors + card.md + train_summary.json + loss_curve.png.
"""
from __future__ import annotations

import json
import math
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from ..data.photos import HELDOUT, TRAIN, load_photos
from ..data.restore_patches import PatchSource, denoise_batch, sr_batch, to_tensor
from ..eval.restore_eval import eval_denoise, eval_sr
from ..io_atomic import atomic_directory
from ..models.sr import DenoiseConfig, DnCNN, SRConfig, SRNet
from .callbacks import LossPlot, Progress, ThreadTuner
from .loop import Trainer, pick_device

LAST = torch.channels_last      # with bf16: 2.2x faster training steps than NCHW fp32 here


@dataclass(frozen=True)
class RestoreRecipe:
    task: str = "sr"            # sr | denoise
    scale: int = 2              # sr only
    channels: int = 32          # network width
    layers: int = 6             # hidden 3x3 conv layers
    patch: int = 96             # high-res (sr) or clean (denoise) crop side, px (96 = 4 x 24)
    batch: int = 16
    steps: int = 20000
    minutes: float = 12.0       # the loop stops here or at `steps`, whichever comes first
    lr: float = 1e-3
    seed: int = 0
    eval_images: int = 5        # held-out photos evaluated at the end (0 = skip)


def build(recipe: RestoreRecipe) -> torch.nn.Module:
    if recipe.task == "sr":
        return SRNet(SRConfig(recipe.scale, recipe.channels, recipe.layers))
    return DnCNN(DenoiseConfig(recipe.channels, recipe.layers))


def _cosine(step: int, progress: float) -> float:
    warm = min(1.0, (step + 1) / 100)      # Adam's first steps are large: ramp up over 100
    return warm * 0.5 * (1 + math.cos(math.pi * progress))


def _batches(recipe: RestoreRecipe, source: PatchSource, device: torch.device):
    def batches(step: int):
        if recipe.task == "sr":
            x, y = sr_batch(source, step, recipe.batch, recipe.scale)
            return x.to(device, memory_format=LAST), y.to(device)
        x, y = denoise_batch(source, step, recipe.batch)
        # the level the net is told: the true rms error, so JPEG crops get a fitting one too
        sigma = (x - y).flatten(1).pow(2).mean(1).sqrt()
        return x.to(device, memory_format=LAST), y.to(device), sigma.to(device)
    return batches


def _loss(model, batch) -> torch.Tensor:
    x, y, *sigma = batch
    out = model(x, *sigma)
    return (out.float() - y).abs().mean()


def run_model(model: torch.nn.Module, image: np.ndarray, sigma: float | None = None
              ) -> np.ndarray:
    """Apply a restoration network to one (H, W, 3) uint8 image (no tiling), uint8 out."""
    model.eval()
    x = to_tensor([image]).to(next(model.parameters()).device)
    with torch.inference_mode():
        args = () if sigma is None else (torch.full((1,), sigma / 255.0, device=x.device),)
        y = model(x, *args)
    return (y[0].clamp(0, 1).permute(1, 2, 0) * 255).round().byte().cpu().numpy()


def evaluate(model: torch.nn.Module, recipe: RestoreRecipe) -> dict:
    photos = load_photos("heldout")
    photos = dict(list(photos.items())[:recipe.eval_images])
    if recipe.task == "sr":
        from PIL import Image

        def bicubic(x: np.ndarray) -> np.ndarray:
            h, w = x.shape[:2]
            size = (w * recipe.scale, h * recipe.scale)
            return np.asarray(Image.fromarray(x).resize(size, Image.Resampling.BICUBIC))
        return eval_sr({"bicubic": bicubic, "ours": lambda x: run_model(model, x)}, photos,
                       recipe.scale)
    result = {}
    for sigma in (15, 25, 50):
        one = eval_denoise({"ours": lambda x, s=sigma: run_model(model, x, s)}, photos, (sigma,))
        result[str(sigma)] = one["methods"][str(sigma)]
    return {"task": "denoise", "images": list(photos), "methods": result}


def train_restore(recipe: RestoreRecipe, out: str | Path) -> dict:
    """Train, evaluate, and write the model folder `out`; returns the run summary."""
    torch.manual_seed(recipe.seed)
    device = pick_device()
    model = build(recipe).to(device, memory_format=LAST)
    source = PatchSource(load_photos("train"), recipe.patch, recipe.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    out = Path(out)
    name = f"{recipe.task}" + (f" x{recipe.scale}" if recipe.task == "sr" else "")
    trainer = Trainer(model, optimizer, _batches(recipe, source, device), _loss,
                      max_steps=recipe.steps, max_seconds=recipe.minutes * 60,
                      callbacks=[ThreadTuner(), Progress(name, 30)], device=device,
                      amp_dtype=torch.bfloat16, lr_schedule=_cosine,
                      log_every=max(1, min(50, recipe.steps // 10)))
    trainer.fit()
    model.eval()
    t0 = time.perf_counter()
    metrics = evaluate(model, recipe) if recipe.eval_images else {}
    summary = {"recipe": asdict(recipe), "config": model.config.to_dict(),
               "steps": trainer.state.step, "stop_reason": trainer.stop_reason,
               "train_minutes": trainer.state.seconds / 60,
               "eval_seconds": time.perf_counter() - t0,
               "parameters": sum(p.numel() for p in model.parameters()),
               "train_photos": list(TRAIN), "heldout_photos": list(HELDOUT),
               "losses": trainer.state.losses, "metrics": metrics,
               "device": device.type, "machine": f"{platform.machine()}, "
               f"{torch.get_num_threads()} threads (shared CPU)", "torch": torch.__version__}
    with atomic_directory(out, overwrite=True) as tmp:
        (tmp / "config.json").write_text(json.dumps(model.config.to_dict(), indent=2) + "\n")
        save_file({k: v.contiguous() for k, v in model.state_dict().items()},
                  str(tmp / "model.safetensors"))
        (tmp / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (tmp / "card.md").write_text(card(summary, out.name))
        LossPlot(tmp, 0, f"{name} training loss (L1)").on_train_end(trainer)
    return summary


def command_line(recipe: RestoreRecipe) -> str:
    if recipe.task == "sr":
        return (f"turbogen train sr --scale {recipe.scale} --steps {recipe.steps} "
                f"--minutes {recipe.minutes:g} --seed {recipe.seed}")
    return f"turbogen train denoise --steps {recipe.steps} --minutes {recipe.minutes:g} " \
           f"--seed {recipe.seed}"


def card(summary: dict, name: str) -> str:
    recipe = RestoreRecipe(**summary["recipe"])
    lines = [f"# {name}", "",
             ("A residual ESPCN-class super-resolution network (x%d)" % recipe.scale
              if recipe.task == "sr" else "A DnCNN-class denoiser (Gaussian noise and JPEG "
              "artefacts; the noise level is an input)")
             + f", {summary['parameters']:,} parameters.", "", "## How it was trained", "",
             f"- command: `{command_line(recipe)} --out DIR`",
             f"- {summary['steps']} steps ({summary['stop_reason']}), "
             f"{summary['train_minutes']:.1f} min on {summary['device']} ({summary['machine']}),"
             f" torch {summary['torch']}",
             f"- data: random {recipe.patch} px crops of the bundled photos "
             f"{', '.join(summary['train_photos'])}",
             f"- held out (never trained on): {', '.join(summary['heldout_photos'])}", ""]
    metrics = summary.get("metrics") or {}
    if metrics:
        lines += ["## Held-out quality (Y-PSNR dB / Y-SSIM)", "", "| | " +
                  " | ".join(metrics["methods"]) + " |",
                  "|---|" + "---|" * len(metrics["methods"])]
        if recipe.task == "sr":
            lines.append(f"| x{recipe.scale} | " + " | ".join(
                f"{m['psnr']:.2f} / {m['ssim']:.4f}" for m in metrics["methods"].values())
                + " |")
        else:
            lines = lines[:-2] + ["| sigma | noisy | ours |", "|---|---|---|"]
            for sigma, m in metrics["methods"].items():
                lines.append(f"| {sigma} | {m['noisy']['psnr']:.2f} / {m['noisy']['ssim']:.4f}"
                             f" | {m['ours']['psnr']:.2f} / {m['ours']['ssim']:.4f} |")
        lines += ["", f"Reproduce: `turbogen eval {recipe.task} --json`.", ""]
    lines += ["## Recipe", "", "```json", json.dumps(summary["recipe"], indent=2), "```", ""]
    return "\n".join(lines)
