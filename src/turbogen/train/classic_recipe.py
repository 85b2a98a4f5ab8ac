"""Recipes for the classic generators (MLP GAN, DCGAN, VAE) on the shared training loop.

`GANTrainer` overrides `Trainer.train_step` with the alternating discriminator / generator
updates (non-saturating loss, Goodfellow et al. 2014, or the hinge loss of Lim & Ye 2017 /
Miyato et al. 2018), optionally through DiffAugment (`diffaugment.py`); the two networks live in one `GANPair`
module and one Adam whose two parameter groups carry the two learning rates (TTUR, Heusel et
al. 2017), so checkpoints, EMA, resume and the other callbacks work unchanged. Unconditional
DCGANs train by default on k-means pixel clusters as pseudo-labels (`clusters.py`), or
optionally with an InfoGAN code. The VAE uses the plain `Trainer` with the negative ELBO as its
loss.
"""
from __future__ import annotations

import math
import os
import platform
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import SafetensorError
from torch import nn

from ..data.classic import ImageSet
from ..errors import InputError
from ..io_atomic import atomic_write_bytes
from ..models.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator, draw_latent
from ..models.gan import MLPGANConfig, MLPDiscriminator, MLPGenerator
from ..models.vae import VAE, VAEConfig, vae_loss
from ..pipelines.classic_model import ClassicModel, save_classic
from ..pipelines.classic_sample import draw_clusters, grid, preview
from .callbacks import (EMA, Callback, Checkpointing, LossPlot, Progress, SampleGrid, ThreadTuner,
                        eval_model, plot_curves)
from .checkpoint import earlier_run, latest_checkpoint
from .clusters import pixel_clusters
from .diffaugment import diff_augment
from .loop import Trainer, autocast_for, pick_device


@dataclass(frozen=True)
class ClassicRecipe:
    kind: str = "dcgan"                 # gan | dcgan | vae
    conditional: bool = False
    epochs: int = 100
    minutes: float = 12.0               # stop the loop after this long (whichever comes first)
    batch_size: int = 128
    lr_g: float = 2e-4                  # Adam; GANs: generator, VAE: the only rate
    lr_d: float = 2e-4                  # discriminator (TTUR when it differs from lr_g)
    beta1: float = 0.5                  # Radford et al.'s Adam beta1 for GANs
    label_smoothing: float = 0.0        # one-sided: real target 1 - this (Salimans et al. 2016)
    ema: float = 0.999                  # generator weight averaging; 0 = off
    spectral_norm: bool = True          # in the discriminator, instead of BatchNorm
    aux_classifier: bool = False        # DCGAN, conditional: AC-GAN class head in D
    loss: str = "bce"                   # GANs: bce (non-saturating) | hinge
    augment: bool = False               # GANs: DiffAugment translation + cutout before D
    minibatch_std: bool = False         # DCGAN: minibatch standard-deviation feature in D
    pack: int = 1                       # DCGAN, unconditional: D judges packs of m (PacGAN)
    info_codes: int = 0                 # DCGAN, unconditional: InfoGAN categorical code of K
    info_weight: float = 1.0            # lambda of the InfoGAN code's cross-entropy
    clusters: int = -1                  # DCGAN, unconditional: train on K k-means clusters;
                                        # -1 = auto (AUTO_CLUSTERS), 0 = off
    kl_weight: float = 1.0              # VAE: weight of the KL term (beta-VAE, Higgins et al.)
    width: int = 0                      # 0 = the model's default width
    z_dim: int = 0                      # 0 = the model's default latent size
    bf16: bool = True                   # autocast on CPU (AVX-512 bf16) and CUDA
    channels_last: bool = True
    checkpoint_every_s: float = 120.0


DEFAULTS = {
    # AC-GAN head: at 10 epochs, FID 86 vs 100 and label accuracy 0.86 vs 0.73 without it
    # (benchmarks/classic_ablation.py); EMA: FID 42 vs 71 for the live weights after 12 min
    "dcgan": ClassicRecipe(kind="dcgan", lr_g=2e-4, lr_d=2e-4, aux_classifier=True,
                           minutes=14.0),
    "gan": ClassicRecipe(kind="gan", lr_g=2e-4, lr_d=2e-4, epochs=200, minutes=6.0,
                         channels_last=False),
    # KL weight 2 (beta-VAE): label accuracy 0.968 after 60 epochs vs 0.951 for weight 1 (recall
    # 0.36 vs 0.56: the trade; docs/classic_generators.md, Follow-up)
    "vae": ClassicRecipe(kind="vae", lr_g=1e-3, beta1=0.9, ema=0.0, epochs=60, minutes=6.0,
                         kl_weight=2.0),
}


class GANPair(nn.Module):
    def __init__(self, generator: nn.Module, discriminator: nn.Module) -> None:
        super().__init__()
        self.generator, self.discriminator = generator, discriminator


def build_model(recipe: ClassicRecipe, data: ImageSet, cluster_prior: tuple = ()):
    """(config, module): a GANPair for GANs, the VAE itself for VAEs."""
    common = {"image_size": data.size, "channels": data.channels,
              "num_classes": len(data.classes) if recipe.conditional else len(cluster_prior)}
    if recipe.z_dim:
        common["z_dim"] = recipe.z_dim
    if recipe.kind == "vae":
        config = VAEConfig(**common, **({"width": recipe.width} if recipe.width else {}))
        return config, VAE(config)
    if recipe.kind == "dcgan":
        widths = {"g_width": recipe.width, "d_width": 2 * recipe.width} if recipe.width else {}
        config = DCGANConfig(**common, **widths, spectral_norm=recipe.spectral_norm,
                             aux_classifier=recipe.aux_classifier and bool(
                                 common["num_classes"]),
                             minibatch_std=recipe.minibatch_std, pack=recipe.pack,
                             info_codes=recipe.info_codes, cluster_prior=cluster_prior)
        return config, GANPair(DCGANGenerator(config), DCGANDiscriminator(config))
    if recipe.kind == "gan":
        config = MLPGANConfig(**common, spectral_norm=recipe.spectral_norm)
        return config, GANPair(MLPGenerator(config), MLPDiscriminator(config))
    raise InputError(f"unknown model kind {recipe.kind!r}; choose gan, dcgan or vae")


# the unconditional DCGAN's default: 64 pixel clusters (at most one per 40 images). Measured
# on MNIST-5k (docs/classic_generators.md, Third follow-up): digit counts within +-30% of
# uniform, where the plain generator drew 2.7x as many 9s as 1s
AUTO_CLUSTERS, IMAGES_PER_CLUSTER = 64, 40


def resolve_clusters(recipe: ClassicRecipe, data: ImageSet) -> ClassicRecipe:
    """clusters=-1 (auto) -> a number: AUTO_CLUSTERS for unconditional DCGANs without another
    discrete choice (--info-codes, --pack), fewer for small data sets, else 0."""
    if recipe.clusters != -1:
        return recipe
    auto = recipe.kind == "dcgan" and not recipe.conditional and not recipe.info_codes \
        and recipe.pack == 1
    k = min(AUTO_CLUSTERS, len(data) // IMAGES_PER_CLUSTER) if auto else 0
    return replace(recipe, clusters=k if k >= 2 else 0)


GAN_LOSSES = ("bce", "hinge")


def d_loss_fn(kind: str, d_real: torch.Tensor, d_fake: torch.Tensor,
              smoothing: float = 0.0) -> torch.Tensor:
    """Discriminator loss on real / fake logits (B,)."""
    if kind == "hinge":
        return F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean()
    return (F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, 1.0 - smoothing))
            + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))


def g_loss_fn(kind: str, d_fake: torch.Tensor) -> torch.Tensor:
    """Generator loss on the discriminator's logits for its samples."""
    if kind == "hinge":
        return -d_fake.mean()
    return F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))


class GANTrainer(Trainer):
    """Alternating D and G steps; `last_loss` is the generator's, `d_loss` the discriminator's."""

    def __init__(self, *args, latent_config, label_smoothing: float = 0.0, seed: int = 0,
                 loss: str = "bce", augment: bool = False, info_weight: float = 1.0,
                 **kwargs) -> None:
        super().__init__(*args, loss_fn=None, grad_clip=None, **kwargs)
        if loss not in GAN_LOSSES:
            raise InputError(f"unknown GAN loss {loss!r}; choose {', '.join(GAN_LOSSES)}")
        self.latent_config, self.label_smoothing = latent_config, label_smoothing
        self.loss, self.augment = loss, augment
        self.d_loss, self.seed = math.nan, seed
        self.aux_weight, self.info_weight = 1.0, info_weight
        self.generator = torch.Generator(device=self.device)

    def _step(self, loss: torch.Tensor, keep: nn.Module) -> None:
        """Backward, then step only `keep`'s parameters (the other net's grads are dropped)."""
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        kept = {id(p) for p in keep.parameters()}
        for p in self.model.parameters():
            if id(p) not in kept:
                p.grad = None
        self.optimizer.step()

    def _d(self, D, x, y, aux: bool):
        if self.augment:
            x = diff_augment(x, self.generator)
        if aux:
            logit, classes = D(x, y, return_class=True)
            return logit.float(), classes.float()
        return D(x, y).float(), None

    def train_step(self, batch) -> float:
        self.model.train()
        G, D = self.model.generator, self.model.discriminator
        x, y = batch
        self.generator.manual_seed(self.seed * 1_000_003 + self.state.step)   # resumable noise
        z, codes = draw_latent(self.latent_config, len(x), self.generator, self.device)
        aux = getattr(D, "classify", None) is not None
        info = getattr(D, "q_head", None) is not None
        with autocast_for(self.device, self.amp_dtype):
            fake = G(z, y)
            d_real, c_real = self._d(D, x, y, aux)
            d_fake, q_fake = self._d(D, fake.detach(), y, info)
        loss_d = d_loss_fn(self.loss, d_real, d_fake, self.label_smoothing)
        if aux:     # D learns the classes from real images only; G is pushed towards them
            loss_d = loss_d + self.aux_weight * F.cross_entropy(c_real, y)
        if info:    # InfoGAN: Q (with D's trunk) learns to read the code from G's samples ...
            loss_d = loss_d + self.info_weight * F.cross_entropy(q_fake, codes)
        self._step(loss_d, D)
        with autocast_for(self.device, self.amp_dtype):
            g_logits, c_fake = self._d(D, fake, y, aux or info)
        loss_g = g_loss_fn(self.loss, g_logits)
        if aux:
            loss_g = loss_g + self.aux_weight * F.cross_entropy(c_fake, y)
        if info:    # ... and G draws samples whose code Q can read
            loss_g = loss_g + self.info_weight * F.cross_entropy(c_fake, codes)
        self._step(loss_g, G)
        self.d_loss = float(loss_d.detach())
        return float(loss_g.detach())


class DLossLog(Callback):
    """Mean discriminator loss every `every` steps into state.extra["d_losses"]."""

    def __init__(self, every: int = 10) -> None:
        self.every, self.window = every, []

    def on_step_end(self, trainer) -> None:
        self.window.append(trainer.d_loss)
        if len(self.window) >= self.every:
            trainer.state.extra.setdefault("d_losses", []).append(
                [trainer.state.step, round(sum(self.window) / len(self.window), 5)])
            self.window.clear()


def curve_plot(out: Path, every: int, title: str, labels: tuple[str, str]) -> LossPlot:
    """`out/loss_curve.png`: generator and discriminator losses, or the VAE's loss terms."""
    return LossPlot(out, every, title, plot=lambda state: plot_curves(
        {labels[0]: state.losses, labels[1]: state.extra.get("d_losses", [])}, title))


def make_batches(data: ImageSet, recipe: ClassicRecipe, seed: int, device: torch.device,
                 clusters: torch.Tensor | None = None):
    """batches(step): epoch e is a permutation seeded by (seed, e); GANs see -1..1 pixels;
    labels are the classes (conditional), the k-means clusters (--clusters) or None."""
    x = data.images * 2 - 1 if recipe.kind != "vae" else data.images
    x = x.to(device)
    if recipe.channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    y = data.labels if recipe.conditional else clusters
    y = y.to(device) if y is not None else None
    per_epoch = max(len(x) // recipe.batch_size, 1)
    cache: dict[int, torch.Tensor] = {}

    def batches(step: int):
        epoch, i = divmod(step, per_epoch)
        if epoch not in cache:
            cache.clear()
            cache[epoch] = torch.randperm(len(x), generator=torch.Generator().manual_seed(
                seed * 100_003 + epoch))
        idx = cache[epoch][i * recipe.batch_size:(i + 1) * recipe.batch_size].to(device)
        return x[idx], (y[idx] if y is not None else None)
    return batches, per_epoch


def vae_loss_fn(kl_weight: float):
    def loss(model, batch):
        x, y = batch
        return vae_loss(model, x, y, beta=kl_weight)[0]
    return loss


def generator_view(kind: str, config, module: nn.Module, data: ImageSet) -> ClassicModel:
    gen = module.generator if isinstance(module, GANPair) else module
    return ClassicModel(kind, config, gen, data.name,
                        data.classes if config.num_classes and not getattr(
                            config, "cluster_prior", ()) else ())


def build_trainer(recipe: ClassicRecipe, data: ImageSet, out: Path, checkpoints: Path,
                  seed: int) -> tuple[Trainer, Checkpointing, object]:
    device = pick_device()
    clusters, prior = pixel_clusters(data.images, recipe.clusters, seed) if recipe.clusters \
        else (None, ())
    torch.manual_seed(seed)
    config, module = build_model(recipe, data, prior)
    module = module.to(device)
    if recipe.channels_last:
        module = module.to(memory_format=torch.channels_last)
    batches, per_epoch = make_batches(data, recipe, seed, device, clusters)
    betas = (recipe.beta1, 0.999)
    if isinstance(module, GANPair):
        optimizer = torch.optim.Adam([
            {"params": module.generator.parameters(), "lr": recipe.lr_g},
            {"params": module.discriminator.parameters(), "lr": recipe.lr_d}], betas=betas)
    else:
        optimizer = torch.optim.Adam(module.parameters(), lr=recipe.lr_g, betas=betas)
    name = f"{recipe.kind}{'-cond' if recipe.conditional else ''} {data.name}"
    sample_fn = lambda m: grid(preview(generator_view(recipe.kind, config, m, data)))  # noqa: E731
    ckpt = Checkpointing(checkpoints, every_s=recipe.checkpoint_every_s,
                         meta={"recipe": asdict(recipe), "seed": seed, "data": data.name})
    callbacks = [ThreadTuner(), Progress(name, every_s=60)]
    if recipe.ema:
        callbacks.append(EMA(recipe.ema))
    gan = isinstance(module, GANPair)
    if gan:
        callbacks.append(DLossLog())
    curve_labels = ("generator", "discriminator") if gan else ("negative ELBO", "")
    callbacks += [SampleGrid(out, sample_fn, per_epoch),
                  curve_plot(out, per_epoch, name, curve_labels), ckpt]
    kwargs = dict(max_steps=recipe.epochs * per_epoch, max_seconds=recipe.minutes * 60,
                  callbacks=callbacks, device=device,
                  amp_dtype=torch.bfloat16 if recipe.bf16 else None, log_every=10)
    if gan:
        trainer = GANTrainer(module, optimizer, batches, latent_config=config,
                             label_smoothing=recipe.label_smoothing, seed=seed,
                             loss=recipe.loss, augment=recipe.augment,
                             info_weight=recipe.info_weight, **kwargs)
    else:
        trainer = Trainer(module, optimizer, batches, vae_loss_fn(recipe.kl_weight), **kwargs)
    return trainer, ckpt, config


@torch.no_grad()
def recalibrate_batchnorm(model: ClassicModel, batches: int = 40, batch: int = 128,
                          seed: int = 0) -> None:
    """Re-estimate a generator's BatchNorm statistics from its own samples.

    The running statistics that EMA averages belong to the live weights, not to the averaged
    ones; measured on dcgan-mnist, recomputing them took FID from 53.6 to 25.7 and label
    accuracy from 0.875 to 0.939.
    """
    module = model.module
    norms = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None                      # a plain average over all batches
    module.train()
    device = next(module.parameters()).device
    g = torch.Generator().manual_seed(seed)
    for _ in range(batches):
        z = draw_latent(model.config, batch, g)[0].to(device)
        y = draw_clusters(model, batch, g) if getattr(model.config, "cluster_prior", ()) \
            else torch.randint(model.config.num_classes, (batch,), generator=g) \
            if model.config.num_classes else None
        y = y.to(device) if y is not None else None
        module(z, y)
    for norm in norms:
        norm.momentum = 0.1
    module.eval()


def sample_grid_png(model: ClassicModel) -> bytes:
    """The samples.png grid: a row per class (conditional) or code (InfoGAN), or 100 draws."""
    from .callbacks import png_bytes
    return png_bytes(grid(preview(model)))


def check_resume(checkpoints: Path, recipe: ClassicRecipe, data: ImageSet, resume: bool) -> None:
    path = earlier_run(checkpoints, resume)
    if path is None:
        return
    meta = _state_json(path)
    old = meta.get("recipe", {})
    for key in ("kind", "conditional", "width", "z_dim", "spectral_norm", "aux_classifier",
                "minibatch_std", "pack", "info_codes", "clusters"):
        legacy = 0 if key == "clusters" else getattr(ClassicRecipe, key)   # before the field
        if old.get(key, legacy) != getattr(recipe, key):
            raise InputError(f"{path} was trained with {key}={old.get(key)!r}, this run asks for "
                             f"{getattr(recipe, key)!r}; resume with the same settings")
    if meta.get("data") != data.name:
        raise InputError(f"{path} was trained on {meta.get('data')!r}, not {data.name!r}")


def check_clusters(recipe: ClassicRecipe, data: ImageSet) -> None:
    if recipe.clusters == 0:
        return
    if recipe.kind != "dcgan" or recipe.conditional:
        raise InputError(f"--clusters {recipe.clusters} is for unconditional DCGANs (the "
                         "clusters stand in for labels); drop --clusters or --conditional")
    if recipe.info_codes:
        raise InputError("--clusters and --info-codes are two ways of giving the generator a "
                         "discrete choice; use one (--info-codes 0 turns the code off)")
    if not 2 <= recipe.clusters <= len(data) // 2:
        raise InputError(f"--clusters must be 0 (off) or 2..{len(data) // 2} for {len(data)} "
                         f"images, got {recipe.clusters}")


def check_info_codes(recipe: ClassicRecipe) -> None:
    if recipe.info_codes == 0:
        return
    if recipe.kind != "dcgan" or recipe.conditional:
        raise InputError(f"--info-codes {recipe.info_codes} is for unconditional DCGANs (the "
                         "code is an unsupervised stand-in for the label); drop --info-codes or "
                         "--conditional")
    if recipe.info_codes < 2:
        raise InputError(f"--info-codes must be 0 (off) or at least 2, got {recipe.info_codes}")
    if recipe.pack > 1:
        raise InputError(f"--info-codes needs --pack 1 (Q reads each sample's code), got "
                         f"--pack {recipe.pack}")


def check_pack(recipe: ClassicRecipe) -> None:
    if recipe.pack == 1:
        return
    if recipe.kind != "dcgan" or recipe.conditional:
        raise InputError(f"--pack {recipe.pack} is for unconditional DCGANs (a pack of samples "
                         "has several labels); drop --pack or --conditional")
    if recipe.batch_size % recipe.pack:
        raise InputError(f"--pack {recipe.pack} needs a batch size divisible by it, got "
                         f"--batch-size {recipe.batch_size}")


def _state_json(path: Path) -> dict:
    import json
    try:
        return json.loads((path / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"checkpoint {path} is damaged: {err}") from None


def train_classic(recipe: ClassicRecipe, data: ImageSet, out: str | Path, *, seed: int = 0,
                  resume: bool = False, log=print) -> tuple[Trainer, object, dict]:
    """Train; write config.json + model.safetensors (EMA generator / VAE) into `out`."""
    out = Path(out)
    checkpoints = out / "checkpoints"
    recipe = resolve_clusters(recipe, data)
    check_resume(checkpoints, recipe, data, resume)
    if recipe.conditional and data.labels is None:
        raise InputError(f"--conditional needs labels; {data.name} has none (put each class's "
                         "images in its own sub-folder)")
    check_pack(recipe)
    check_clusters(recipe, data)
    check_info_codes(recipe)
    wall0 = time.perf_counter()
    trainer, ckpt, config = build_trainer(recipe, data, out, checkpoints, seed)
    if resume and latest_checkpoint(checkpoints) is not None:
        try:
            ckpt.restore(trainer)
        except (RuntimeError, KeyError, OSError, ValueError, SafetensorError) as err:
            raise InputError(f"cannot resume from {checkpoints}: {str(err).splitlines()[0]}") \
                from None
        log(f"resuming from step {trainer.state.step} ({checkpoints})")
    params = sum(p.numel() for p in trainer.model.parameters())
    log(f"{recipe.kind} on {data.name}: {len(data)} images {data.channels}x{data.size}x"
        f"{data.size}, {params / 1e6:.2f}M parameters, {trainer.max_steps} steps max, "
        f"{recipe.minutes:g} min max, {trainer.device}")
    trainer.fit()
    final = eval_model(trainer)
    view = generator_view(recipe.kind, config, final, data)
    if recipe.ema and recipe.kind != "vae":
        recalibrate_batchnorm(view, seed=seed)
        atomic_write_bytes(out / "samples.png", sample_grid_png(view))
    save_classic(out, recipe.kind, config, view.module, data.name, view.classes,
                 {"recipe": asdict(recipe), "seed": seed})
    state = trainer.state
    summary = {"kind": recipe.kind, "conditional": recipe.conditional, "data": data.name,
               "seed": seed, "steps": state.step, "epochs": round(state.step / max(
                   trainer.max_steps / recipe.epochs, 1), 2),
               "images_seen": state.images, "train_minutes": state.seconds / 60,
               "wall_minutes": (time.perf_counter() - wall0) / 60,
               "images_per_s": state.images / max(state.seconds, 1e-9),
               "stop_reason": trainer.stop_reason,
               "generator_parameters": sum(p.numel() for p in view.module.parameters()),
               "final_loss": state.losses[-1][1] if state.losses else math.nan,
               "device": str(trainer.device), "torch": torch.__version__,
               "load_average": [round(v, 2) for v in os.getloadavg()],
               "machine": f"{platform.processor() or platform.machine()}, "
                          f"{state.extra.get('threads', torch.get_num_threads())} threads",
               "recipe_config": asdict(recipe)}
    return trainer, view, summary


def recipe_for(kind: str, **overrides) -> ClassicRecipe:
    if kind not in DEFAULTS:
        raise InputError(f"unknown model kind {kind!r}; choose {', '.join(DEFAULTS)}")
    return replace(DEFAULTS[kind], **{k: v for k, v in overrides.items() if v is not None})
