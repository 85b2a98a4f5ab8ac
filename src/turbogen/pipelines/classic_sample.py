"""Draw from classic generators (GAN, DCGAN, VAE decoder), reconstruct and interpolate with VAEs.

Every function returns images as float tensors (B, C, H, W) in 0..1; `to_uint8` and `grid`
make them PNG-ready. Noise comes from a seeded generator, so a seed always gives the same images.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..errors import InputError
from ..models.dcgan import draw_latent
from .classic_model import ClassicModel


def check_label(model: ClassicModel, label: int | str | None) -> int | None:
    """A label index from an index or a class name; InputError when outside the classes."""
    if label is None:
        return None
    n = model.config.num_classes
    if not model.conditional:
        raise InputError(f"{model.folder} is unconditional; it takes no --label")
    names = list(model.classes) or [str(i) for i in range(n)]
    if isinstance(label, str) and label in names:
        return names.index(label)
    try:
        index = int(label)
    except ValueError:
        index = -1
    if not 0 <= index < n:
        raise InputError(f"label {label!r} is not one of the model's {n} classes: "
                         f"{', '.join(names)} (or indices 0..{n - 1})")
    return index


def info_codes(model: ClassicModel) -> int:
    """K of an InfoGAN-coded DCGAN, else 0."""
    return getattr(model.config, "info_codes", 0)


def check_code(model: ClassicModel, code: int | None) -> int | None:
    """`code` if the model has an InfoGAN code with that value; InputError otherwise."""
    if code is None:
        return None
    k = info_codes(model)
    if not k:
        raise InputError(f"{model.folder} has no InfoGAN code; it takes no --code (train with "
                         "`turbogen train dcgan --info-codes K` for one)")
    if not 0 <= code < k:
        raise InputError(f"--code {code} is not one of the model's {k} codes (0..{k - 1})")
    return code


def latent(model: ClassicModel, n: int, generator: torch.Generator,
           code: int | None = None) -> torch.Tensor:
    """Noise z, plus for InfoGAN models the one-hot code: `code`, or each code equally often."""
    return draw_latent(model.config, n, generator, code=code)[0]


@torch.no_grad()
def decode(model: ClassicModel, z: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    """Latents (+ labels) -> images in 0..1."""
    if model.draw is not None:
        return model.draw(z, labels).float().cpu()
    module = model.module.eval()
    device = next(module.parameters()).device
    z = z.to(device)
    labels = labels.to(device) if labels is not None else None
    if model.kind == "vae":
        return module.decode(z, labels).float().cpu()
    return ((module(z, labels).float() + 1) / 2).clamp(0, 1).cpu()


def draw_labels(model: ClassicModel, n: int, label: int | None,
                generator: torch.Generator) -> torch.Tensor | None:
    """Labels for n samples: all `label`, or uniform over the classes, or None if unconditional."""
    if not model.conditional:
        return None
    if label is not None:
        return torch.full((n,), label, dtype=torch.long)
    return torch.randint(model.config.num_classes, (n,), generator=generator)


def draw_clusters(model: ClassicModel, n: int, generator: torch.Generator
                  ) -> torch.Tensor | None:
    """Cluster-trained models: n cluster ids, each drawn round(n * share) times (largest
    remainders fill up to n) in random order; None for other models."""
    prior = getattr(model.config, "cluster_prior", ())
    if not prior:
        return None
    p = torch.tensor(prior, dtype=torch.float64)
    exact = p / p.sum() * n
    counts = exact.floor().long()
    counts[torch.argsort(exact - counts, descending=True)[:n - int(counts.sum())]] += 1
    ids = torch.repeat_interleave(torch.arange(len(prior)), counts)
    return ids[torch.randperm(n, generator=generator)]


def sample(model: ClassicModel, n: int, *, label: int | None = None, seed: int = 0,
           labels: torch.Tensor | None = None, batch: int = 500, code: int | None = None
           ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """n images in 0..1 and the labels they were drawn for (None when unconditional);
    `code` fixes an InfoGAN model's code (default: every code equally often)."""
    g = torch.Generator().manual_seed(seed)
    if labels is None:
        labels = draw_labels(model, n, label, g)
    given = labels if labels is not None else draw_clusters(model, n, g)
    z = latent(model, n, g, check_code(model, code))
    batch = model.batch_size or batch
    out = [decode(model, z[i:i + batch], None if given is None else given[i:i + batch])
           for i in range(0, n, batch)]
    return torch.cat(out), labels


def code_grid(model: ClassicModel, per_code: int = 10, seed: int = 12345) -> torch.Tensor:
    """InfoGAN models: row r = `per_code` draws with code r (the same z in every row)."""
    k = info_codes(model)
    z = torch.randn(per_code, model.config.z_dim, generator=torch.Generator().manual_seed(seed))
    onehot = torch.eye(k).repeat_interleave(per_code, 0)                 # (K*per_code, K)
    return decode(model, torch.cat([z.repeat(k, 1), onehot], 1), None)


def preview(model: ClassicModel, seed: int = 12345) -> torch.Tensor:
    """The samples.png images: a row per class (conditional), a row per code (InfoGAN) or
    100 draws; fixed seed."""
    if info_codes(model):
        return code_grid(model, seed=seed)
    labels = grid_labels(model)
    return sample(model, 100 if labels is None else len(labels), seed=seed, labels=labels)[0]


def grid_labels(model: ClassicModel, per_class: int = 10) -> torch.Tensor | None:
    """Row r = class r (conditional models): labels for a class-by-column sample grid."""
    if not model.conditional:
        return None
    k = model.config.num_classes
    return torch.arange(k).repeat_interleave(per_class)


@torch.no_grad()
def reconstruct(model: ClassicModel, images: torch.Tensor, labels: torch.Tensor | None = None
                ) -> torch.Tensor:
    """VAE: decode the posterior mean of each image (0..1 in, 0..1 out)."""
    module = model.module.eval()
    if model.conditional and labels is None:
        raise InputError("this VAE is conditional: give the images' labels (--label)")
    mu, _ = module.encode(images, labels if model.conditional else None)
    return module.decode(mu, labels if model.conditional else None).float()


@torch.no_grad()
def interpolate(model: ClassicModel, a: torch.Tensor, b: torch.Tensor, steps: int,
                label: int | None = None) -> torch.Tensor:
    """VAE: decode `steps` points on the line between two images' posterior means."""
    module = model.module.eval()
    labels = torch.full((2,), label, dtype=torch.long) if model.conditional else None
    mu, _ = module.encode(torch.stack([a, b]), labels)
    t = torch.linspace(0, 1, steps)[:, None]
    z = (1 - t) * mu[0] + t * mu[1]                                  # (steps, Z)
    y = labels[:1].expand(steps) if labels is not None else None
    return module.decode(z, y).float()


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(B, C, H, W) 0..1 -> (B, H, W, 3) uint8 (grey repeated to RGB)."""
    x = (images.clamp(0, 1) * 255).round().to(torch.uint8)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    return x.permute(0, 2, 3, 1).contiguous().numpy()


def grid(images: torch.Tensor, per_row: int = 10, gap: int = 2) -> np.ndarray:
    """Tile images into one (H, W, 3) uint8 picture, `gap` px of grey between them."""
    tiles = to_uint8(images)
    n, s = len(tiles), tiles.shape[1]
    per_row = min(per_row, n)
    rows = math.ceil(n / per_row)
    canvas = np.full((rows * (s + gap) - gap, per_row * (s + gap) - gap, 3), 90, np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, per_row)
        canvas[r * (s + gap):r * (s + gap) + s, c * (s + gap):c * (s + gap) + s] = tile
    return canvas
