"""Recipe for the bundled verifier (weights/verifier-shapes): the shape classifier's training.

Crops come from fresh Shapes World scenes passed through the verifier's own segmenter, so the
network learns from exactly what it will see; most scenes are first degraded like a
generator's output (data/degrade.py). Crops are further jittered (small rotation, scale, shift,
mirror) when each batch is drawn. Self-contained for now; it moves onto train/loop.py once that
exists.
"""
from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..configs import config_to_dict
from ..data.degrade import random_degradation
from ..data.shapes_render import render
from ..data.shapes_sampler import sample_scene
from ..io_atomic import atomic_directory
from ..models.verifier import ShapeClassifier, ShapeClassifierConfig, save_classifier
from ..plan.scene_plan import ScenePlan
from ..verify.crops import native_crops, window_crops
from ..verify.segment import Region, segment

Progress = Callable[[str, int, int], None]     # (phase, done, total)


@dataclass(frozen=True)
class VerifierRecipe:
    seed: int = 0                 # scene i of the training set is sample_scene(rng([seed, i]))
    scenes: int = 10_000          # training scenes (~3.5 objects each)
    val_scenes: int = 1_000       # scenes after the training ones, for the reported accuracy
    exact_share: float = 0.3      # scenes left exact; the rest get a random degradation
    epochs: int = 6
    batch_size: int = 256
    lr: float = 3e-3              # AdamW peak, one-cycle schedule
    weight_decay: float = 1e-4
    rotate_deg: float = 10.0      # crop jitter: rotation, scale, per-axis stretch, shift ...
    scale: float = 0.08
    stretch: float = 0.05
    shift: float = 0.06           # ... in window units (the window spans 2)
    label_smoothing: float = 0.05
    model: ShapeClassifierConfig = ShapeClassifierConfig()


RECIPES = {"shapes": VerifierRecipe()}


def match_labels(regions: tuple[Region, ...], plan: ScenePlan, shapes: tuple[str, ...]
                 ) -> list[int | None]:
    """Class index of the object whose box holds each region's centroid; None if not exactly one."""
    labels = []
    for region in regions:
        cx, cy = (v / 64 for v in region.centroid)
        owners = [o for o in plan.objects
                  if o.box[0] <= cx <= o.box[2] and o.box[1] <= cy <= o.box[3]]
        labels.append(shapes.index(owners[0].shape) if len(owners) == 1 else None)
    return labels


def collect_crops(seed: int, start: int, count: int, recipe: VerifierRecipe,
                  progress: Progress | None = None, phase: str = "crops"
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Native crops (N, S, S) uint8, window geometry (N, 3), labels (N,), degraded flag (N,)."""
    config = recipe.model
    crops, geometry, labels, degraded = [], [], [], []
    for i in range(start, start + count):
        rng = np.random.default_rng([seed, i])
        plan = sample_scene(rng)
        image = render(plan)
        rough = rng.random() >= recipe.exact_share
        if rough:
            image = random_degradation(rng)(image, rng)
        regions = segment(image).regions
        keep = [(r, k) for r, k in zip(regions, match_labels(regions, plan, config.shapes))
                if k is not None]
        if keep:
            native, geom = native_crops([r for r, _ in keep], config.window_scale,
                                        config.window_margin_px)
            crops.append(np.rint(native * 255).astype(np.uint8))
            geometry.append(geom)
            labels += [k for _, k in keep]
            degraded += [rough] * len(keep)
        if progress is not None and (i - start + 1) % 100 == 0:
            progress(phase, i - start + 1, count)
    return (torch.from_numpy(np.concatenate(crops)), torch.from_numpy(np.concatenate(geometry)),
            torch.tensor(labels), torch.tensor(degraded))


def random_jitter(n: int, recipe: VerifierRecipe, generator: torch.Generator) -> torch.Tensor:
    """(n, 2, 3) affine maps in window coordinates: rotate, scale, stretch, mirror, shift."""
    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=generator)

    angle = uniform(-1, 1) * math.radians(recipe.rotate_deg)
    scale = 1 + uniform(-recipe.scale, recipe.scale)
    sx = scale * (1 + uniform(-recipe.stretch, recipe.stretch))
    sy = scale * (1 + uniform(-recipe.stretch, recipe.stretch))
    # Every Shapes World shape is mirror-symmetric left to right (none is top to bottom).
    mirror = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle), torch.sin(angle)
    jitter = torch.zeros(n, 2, 3)
    jitter[:, 0, 0], jitter[:, 0, 1] = cos * sx * mirror, -sin * sy
    jitter[:, 1, 0], jitter[:, 1, 1] = sin * sx * mirror, cos * sy
    jitter[:, :, 2] = torch.stack([uniform(-1, 1), uniform(-1, 1)], dim=1) * recipe.shift
    return jitter


def _batch(crops, geometry, index, config, jitter=None) -> torch.Tensor:
    native = crops[index].float() / 255
    return window_crops(native, geometry[index], config.crop_px, jitter)


@torch.no_grad()
def accuracy(model: ShapeClassifier, crops, geometry, labels, batch_size: int = 1024) -> float:
    model.eval()
    right = 0
    for start in range(0, len(labels), batch_size):
        index = torch.arange(start, min(start + batch_size, len(labels)))
        logits = model(_batch(crops, geometry, index, model.config))
        right += int((logits.argmax(1) == labels[index]).sum())
    return right / max(len(labels), 1)


def train_verifier(recipe: VerifierRecipe, progress: Progress | None = None,
                   device: str | None = None) -> tuple[ShapeClassifier, dict]:
    """Train the shape classifier; return it (on the CPU) and a summary of the run."""
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(recipe.seed)
    start = time.perf_counter()
    # 1. data: crops through the verifier's own segmenter
    crops, geometry, labels, _ = collect_crops(recipe.seed, 0, recipe.scenes, recipe, progress)
    val = collect_crops(recipe.seed, recipe.scenes, recipe.val_scenes, recipe, progress,
                        phase="val")
    data_seconds = time.perf_counter() - start
    # 2. fit
    model = ShapeClassifier(recipe.model).to(device)
    steps_per_epoch = math.ceil(len(labels) / recipe.batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr,
                                  weight_decay=recipe.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=recipe.lr,
                                                   total_steps=recipe.epochs * steps_per_epoch)
    generator = torch.Generator().manual_seed(recipe.seed)
    for epoch in range(recipe.epochs):
        model.train()
        order = torch.randperm(len(labels), generator=generator)
        for step in range(steps_per_epoch):
            index = order[step * recipe.batch_size:(step + 1) * recipe.batch_size]
            jitter = random_jitter(len(index), recipe, generator)
            logits = model(_batch(crops, geometry, index, recipe.model, jitter).to(device))
            loss = F.cross_entropy(logits, labels[index].to(device),
                                   label_smoothing=recipe.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            if progress is not None:
                progress("train", epoch * steps_per_epoch + step + 1,
                         recipe.epochs * steps_per_epoch)
    # 3. measure
    model = model.cpu().eval()
    val_crops, val_geometry, val_labels, val_degraded = val
    exact, rough = ~val_degraded, val_degraded
    summary = {
        "recipe": config_to_dict(recipe),
        "train_crops": len(labels), "val_crops": len(val_labels),
        "parameters": sum(p.numel() for p in model.parameters()),
        "val_accuracy_exact": accuracy(model, val_crops[exact], val_geometry[exact],
                                       val_labels[exact]),
        "val_accuracy_degraded": accuracy(model, val_crops[rough], val_geometry[rough],
                                          val_labels[rough]),
        "data_seconds": round(data_seconds, 1),
        "seconds": round(time.perf_counter() - start, 1),
        "threads": torch.get_num_threads(), "device": device,
    }
    return model, summary


def write_bundle(model: ShapeClassifier, summary: dict, evaluations: list[dict],
                 out_dir: str | os.PathLike, overwrite: bool = False) -> None:
    """config.json + model.safetensors + card.md (+ train_summary.json), appearing all at once."""
    with atomic_directory(out_dir, overwrite=overwrite) as tmp:
        save_classifier(model, tmp)
        (tmp / "card.md").write_text(card_text(summary, evaluations))
        (tmp / "train_summary.json").write_text(
            json.dumps({**summary, "evaluations": evaluations}, indent=2) + "\n")


def card_text(summary: dict, evaluations: list[dict]) -> str:
    """The model card: what the checkpoint is, how it was made, what it scores."""
    recipe, crop = summary["recipe"], summary["recipe"]["model"]["crop_px"]
    rows = "\n".join(
        f"| {e['degradation']} | {e['scenes']} | {e['objects']} | {e['agreement']:.4f} | "
        f"{e['shape_accuracy']:.4f} | {e['color_accuracy']:.4f} | {e['size_accuracy']:.4f} | "
        f"{e['median_iou']:.3f} | {e['scene_accuracy']:.4f} |" for e in evaluations)
    return f"""# verifier-shapes

Reads a 64 x 64 Shapes World image back as a ScenePlan (turbogen/pipelines/caption.py).
Background, colours, boxes and sizes are measured from the pixels (turbogen/verify/). This
checkpoint is the learned part: a {summary['parameters']:,}-parameter CNN
(turbogen/models/verifier.py) that names the shape in a {crop} x {crop} coverage crop of each
object.

## Training
- Reproduce: `turbogen train verifier --recipe shapes --threads 1 --out DIR`
  (`VerifierRecipe` in turbogen/train/verifier_recipe.py, seed {recipe['seed']}).
- Data: {recipe['scenes']:,} fresh Shapes World scenes,
  scene i = `sample_scene(rng([{recipe['seed']}, i]))`;
  {1 - recipe['exact_share']:.0%} degraded at random like generator output (blur, colour drift,
  noise, sometimes JPEG; data/degrade.py), then cut by the verifier's own segmenter:
  {summary['train_crops']:,} object crops. Each batch is jittered: rotation \
+-{recipe['rotate_deg']:g} deg, scale +-{recipe['scale']:.0%},
  stretch +-{recipe['stretch']:.0%}, shift +-{recipe['shift']:.0%} of the window, mirror.
- Optimiser: AdamW, one-cycle lr {recipe['lr']:g}, batch {recipe['batch_size']}, \
{recipe['epochs']} epochs, label smoothing {recipe['label_smoothing']:g}.
- Time: {summary['seconds']:.0f} s on {summary['device']}, {summary['threads']} thread(s), \
{summary['data_seconds']:.0f} s of it making crops.
- Held-out crops (scenes {recipe['scenes']:,} to {recipe['scenes'] + recipe['val_scenes'] - 1:,}): \
shape accuracy {summary['val_accuracy_exact']:.4f} on exact renders, \
{summary['val_accuracy_degraded']:.4f} on degraded ones.

## Whole-verifier agreement on fresh scenes (turbogen/eval/verifier_eval.py)
| images | scenes | objects | agreement | shape | colour | size | median IoU | scenes all right |
|---|---|---|---|---|---|---|---|---|
{rows}

An object agrees when it is found with box IoU >= 0.5 and the right shape, colour and size;
agreement = agreeing / (truth + found - agreeing), so misses and invented objects both count.
"generator": Gaussian blur sigma 0.7, noise sigma 6, colour drift +-8 levels.
More conditions and speed: `python benchmarks/verifier_accuracy.py`.
"""
