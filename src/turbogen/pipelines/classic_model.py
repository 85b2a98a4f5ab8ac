"""Classic checkpoints on disk (GAN, DCGAN, VAE, classifier): config.json + model.safetensors.

config.json: {"kind": "gan" | "dcgan" | "vae" | "classifier", "model": <the network's config>,
"data": what it was trained on, "classes": label names}. A GAN folder holds the generator only
(the discriminator lives in the training checkpoints). A bare name ("dcgan-mnist") means a
checkpoint bundled in turbogen/weights/. Weights load with safetensors only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from safetensors.torch import save

from ..configs import config_from_dict, config_to_dict
from ..errors import InputError
from ..io_atomic import atomic_write_bytes, atomic_write_text
from ..models.classifier import Classifier, ClassifierConfig
from ..models.dcgan import DCGANConfig, DCGANGenerator
from ..models.gan import MLPGANConfig, MLPGenerator
from ..models.vae import VAE, VAEConfig
from .model_folder import WEIGHTS_DIR, find_model_dir, load_weights, read_model_folder

# kind -> (config class, the module stored in model.safetensors)
KINDS = {"gan": (MLPGANConfig, MLPGenerator), "dcgan": (DCGANConfig, DCGANGenerator),
         "vae": (VAEConfig, VAE), "classifier": (ClassifierConfig, Classifier)}
GENERATOR_KINDS = ("gan", "dcgan", "vae")


@dataclass
class ClassicModel:
    kind: str
    config: object                      # MLPGANConfig | DCGANConfig | VAEConfig | ClassifierConfig
    module: torch.nn.Module
    data: str = ""                      # the training set: mnist, animals, shapes or a path
    classes: tuple[str, ...] = ()
    folder: Path | None = None
    extra: dict = field(default_factory=dict)
    # set by accel/generator.as_classic: draws go through the accelerated generator
    # `(z, y) -> images in 0..1` (module is None when it is an ONNX graph alone)
    draw: Callable | None = None
    batch_size: int | None = None       # its preferred batch size, if it has one

    @property
    def conditional(self) -> bool:
        # a model trained on k-means clusters draws its cluster itself: unconditional outside
        return getattr(self.config, "num_classes", 0) > 0 and self.kind != "classifier" \
            and not getattr(self.config, "cluster_prior", ())


def resolve_classic_dir(name_or_path: str | Path) -> Path:
    folder = find_model_dir(name_or_path)
    if folder is not None:
        return folder
    known = sorted(p.name for p in WEIGHTS_DIR.iterdir()
                   if (p / "config.json").is_file() and _kind_of(p) in KINDS) \
        if WEIGHTS_DIR.is_dir() else []
    raise InputError(f"model {str(name_or_path)!r} is neither a folder nor a bundled model; "
                     f"bundled: {', '.join(known) or 'none'}")


def _kind_of(folder: Path) -> str | None:
    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return None


def load_classic(name_or_path: str | Path, kinds: tuple[str, ...] = tuple(KINDS),
                 device: str | torch.device = "cpu") -> ClassicModel:
    """Load a classic checkpoint; InputError when it is missing, damaged or of another kind."""
    folder = resolve_classic_dir(name_or_path)
    data, config_file, weights_file = read_model_folder(folder, "turbogen train gan|dcgan|vae")
    kind = data.get("kind") if isinstance(data, dict) else None
    if kind not in kinds:
        what = f"a {kind!r} checkpoint" if kind else "not a turbogen classic checkpoint"
        raise InputError(f"{folder} is {what}; this command takes {' or '.join(kinds)} models")
    config_cls, module_cls = KINDS[kind]
    config = config_from_dict(config_cls, data.get("model", {}), f"{config_file}: model")
    module = module_cls(config)
    load_weights(module, weights_file, config_file)
    return ClassicModel(kind, config, module.to(device).eval(), str(data.get("data", "")),
                        tuple(data.get("classes", ())), folder,
                        {k: v for k, v in data.items()
                         if k not in ("kind", "model", "data", "classes")})


def save_classic(folder: str | Path, kind: str, config, module: torch.nn.Module, data: str,
                 classes: tuple[str, ...], extra: dict | None = None) -> None:
    """config.json + model.safetensors (fp32), each written atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().float().contiguous().cpu() if v.is_floating_point()
               else v.detach().contiguous().cpu() for k, v in module.state_dict().items()}
    atomic_write_bytes(folder / "model.safetensors", save(tensors))
    payload = {"kind": kind, "model": config_to_dict(config), "data": data,
               "classes": list(classes), **(extra or {})}
    atomic_write_text(folder / "config.json", json.dumps(payload, indent=2) + "\n")
