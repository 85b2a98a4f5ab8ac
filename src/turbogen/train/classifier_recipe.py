"""Recipe for the domain classifiers (weights/classifier-<data>) whose features the metrics use.

A fixed 80/20 split (seed 0) of the data set: train on 80% with small random shifts (+-2 px,
so generated digits that sit a little off-centre are still read), report accuracy on the 20%.
"""
from __future__ import annotations

import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from ..data.classic import ImageSet
from ..errors import InputError
from ..models.classifier import Classifier, ClassifierConfig
from ..pipelines.classic_model import save_classic
from .callbacks import Progress, ThreadTuner
from .loop import Trainer, pick_device


@dataclass(frozen=True)
class ClassifierRecipe:
    epochs: int = 15
    minutes: float = 8.0
    batch_size: int = 128
    lr: float = 2e-3                  # AdamW, cosine decay to 0
    weight_decay: float = 1e-4
    shift: int = 2                    # random translation in pixels
    test_share: float = 0.2
    label_smoothing: float = 0.05
    bf16: bool = True


def split(n: int, test_share: float, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    cut = int(round(n * (1 - test_share)))
    return order[:cut], order[cut:]


def random_shift(x: torch.Tensor, pixels: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each image by up to `pixels` in x and y (zero padding)."""
    if pixels == 0:
        return x
    b, _, h, w = x.shape
    padded = F.pad(x, (pixels,) * 4)
    dy, dx = torch.randint(0, 2 * pixels + 1, (2, b), generator=generator)
    rows = (dy[:, None] + torch.arange(h)[None])[:, None, :, None]          # (B, 1, H, 1)
    cols = (dx[:, None] + torch.arange(w)[None])[:, None, None, :]          # (B, 1, 1, W)
    index = torch.arange(b)[:, None, None, None]
    return padded[index, torch.arange(x.shape[1])[None, :, None, None], rows, cols]


@torch.no_grad()
def accuracy(model: Classifier, x: torch.Tensor, y: torch.Tensor, batch: int = 500) -> float:
    model.eval()
    hits = sum(int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
               for i in range(0, len(x), batch))
    return hits / len(x)


def train_classifier(recipe: ClassifierRecipe, data: ImageSet, out: str | Path, *,
                     seed: int = 0, log=print) -> dict:
    if data.labels is None:
        raise InputError(f"{data.name} has no labels; a classifier needs one sub-folder per "
                         "class")
    device = pick_device()
    torch.manual_seed(seed)
    train_idx, test_idx = split(len(data), recipe.test_share)
    x_train, y_train = data.images[train_idx], data.labels[train_idx]
    config = ClassifierConfig(image_size=data.size, channels=data.channels,
                              num_classes=len(data.classes))
    model = Classifier(config).to(device)
    per_epoch = max(len(x_train) // recipe.batch_size, 1)
    steps = recipe.epochs * per_epoch
    g = torch.Generator().manual_seed(seed)

    def batches(step: int):
        idx = torch.randint(len(x_train), (recipe.batch_size,), generator=g)
        return random_shift(x_train[idx], recipe.shift, g).to(device), y_train[idx].to(device)

    def loss_fn(m, batch):
        x, y = batch
        return F.cross_entropy(m(x).float(), y, label_smoothing=recipe.label_smoothing)
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr,
                                  weight_decay=recipe.weight_decay)
    trainer = Trainer(model, optimizer, batches, loss_fn, max_steps=steps,
                      max_seconds=recipe.minutes * 60, device=device,
                      amp_dtype=torch.bfloat16 if recipe.bf16 else None,
                      callbacks=[ThreadTuner(), Progress(f"classifier {data.name}", 30)],
                      lr_schedule=lambda s, p: 0.5 * (1 + torch.cos(torch.tensor(p * 3.14159)))
                      .item())
    t0 = time.perf_counter()
    trainer.fit()
    model = model.cpu()
    test_acc = accuracy(model, data.images[test_idx], data.labels[test_idx])
    train_acc = accuracy(model, x_train, y_train)
    save_classic(out, "classifier", config, model, data.name, data.classes,
                 {"recipe": asdict(recipe), "seed": seed, "test_accuracy": round(test_acc, 4)})
    summary = {"data": data.name, "seed": seed, "steps": trainer.state.step,
               "train_minutes": (time.perf_counter() - t0) / 60, "test_accuracy": test_acc,
               "train_accuracy": train_acc, "test_images": len(test_idx),
               "train_images": len(train_idx), "stop_reason": trainer.stop_reason,
               "device": str(device), "torch": torch.__version__,
               "machine": f"{platform.processor() or platform.machine()}, "
                          f"{trainer.state.extra.get('threads', torch.get_num_threads())} threads",
               "parameters":
                   sum(p.numel() for p in model.parameters()), "recipe_config": asdict(recipe)}
    log(f"classifier {data.name}: test accuracy {test_acc:.4f} on {len(test_idx)} images")
    return summary
