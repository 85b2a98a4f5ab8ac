"""A text2img checkpoint on disk: `config.json` + `model.safetensors` (+ `card.md`).

config.json holds the network's config, the objective it was trained with and the sampling
defaults; the weights load with safetensors only. A bare name ("text2img-shapes64") means a
checkpoint bundled in turbogen/weights/.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import save

from ..configs import config_from_dict, config_to_dict
from ..errors import InputError
from ..io_atomic import atomic_write_bytes, atomic_write_text
from ..models.unet import UNet, UNetConfig
from .model_folder import WEIGHTS_DIR, find_model_dir, load_weights, read_model_folder
from ..samplers import SAMPLER_OBJECTIVE, SAMPLERS
from ..samplers.schedules import ObjectiveConfig

DEFAULT_MODEL = "text2img-shapes64"
KIND = "text2img-unet"


@dataclass(frozen=True)
class Text2ImgConfig:
    unet: UNetConfig = field(default_factory=UNetConfig)
    objective: ObjectiveConfig = field(default_factory=ObjectiveConfig)
    sampler: str = "flow_euler"     # default sampler (samplers.SAMPLERS)
    steps: int = 8                  # default number of sampling steps
    guidance: float = 1.0           # default classifier-free guidance scale (1 = off)
    shift: float = 1.0              # time-grid shift (samplers/schedules.time_grid)
    image_size: int = 64
    text_encoder: str = "minilm"    # text.text_encoder name; "hashed" only in tests
    layout: bool = True             # False: a text-only model, trained with every layout dropped

    def __post_init__(self) -> None:
        if self.sampler not in SAMPLERS:
            raise ValueError(f"unknown sampler {self.sampler!r}; choose one of {list(SAMPLERS)}")
        if SAMPLER_OBJECTIVE[self.sampler] != self.objective.kind:
            raise ValueError(f"sampler {self.sampler} reads {SAMPLER_OBJECTIVE[self.sampler]} "
                             f"predictions but the model predicts {self.objective.kind}")

    def to_dict(self) -> dict:
        return {"kind": KIND, "unet": config_to_dict(self.unet),
                "objective": config_to_dict(self.objective), "sampler": self.sampler,
                "steps": self.steps, "guidance": self.guidance, "shift": self.shift,
                "image_size": self.image_size, "text_encoder": self.text_encoder,
                "layout": self.layout}

    @classmethod
    def from_dict(cls, data: dict, where: str = "config.json") -> "Text2ImgConfig":
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise InputError(f"{where} is not a turbogen text2img checkpoint "
                             f"(expected \"kind\": \"{KIND}\")")
        rest = {k: v for k, v in data.items() if k not in ("kind", "unet", "objective")}
        rest["unet"] = config_from_dict(UNetConfig, data.get("unet", {}), f"{where}: unet")
        rest["objective"] = config_from_dict(ObjectiveConfig, data.get("objective", {}),
                                             f"{where}: objective")
        return config_from_dict(cls, rest, where)


def resolve_model_dir(name_or_path: str | Path) -> Path:
    """A folder path, or the name of a bundled checkpoint in turbogen/weights/."""
    folder = find_model_dir(name_or_path)
    if folder is not None:
        return folder
    if str(name_or_path) == DEFAULT_MODEL:
        raise InputError(f"the bundled {DEFAULT_MODEL} checkpoint is not in this install yet; "
                         "train it with `turbogen train text2img --recipe shapes64 --out DIR` "
                         "and pass --model DIR")
    known = sorted(p.name for p in WEIGHTS_DIR.glob("text2img-*") if p.is_dir()) \
        if WEIGHTS_DIR.is_dir() else []
    raise InputError(f"model {str(name_or_path)!r} is neither a folder nor a bundled model; "
                     f"bundled: {', '.join(known) or 'none'}")


def load_text2img(name_or_path: str | Path = DEFAULT_MODEL,
                  device: str | torch.device = "cpu") -> tuple[UNet, Text2ImgConfig]:
    folder = resolve_model_dir(name_or_path)
    data, config_file, weights_file = read_model_folder(folder, "turbogen train text2img")
    config = Text2ImgConfig.from_dict(data, str(config_file))
    model = UNet(config.unet)
    load_weights(model, weights_file, config_file)
    return model.to(device).eval(), config


def save_text2img(folder: str | Path, model: torch.nn.Module, config: Text2ImgConfig,
                  card: str | None = None) -> None:
    """Write config.json, model.safetensors (fp32) and card.md into `folder`, each atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().float().contiguous().cpu() for k, v in model.state_dict().items()}
    atomic_write_bytes(folder / "model.safetensors", save(tensors))
    atomic_write_text(folder / "config.json", json.dumps(config.to_dict(), indent=2) + "\n")
    if card is not None:
        atomic_write_text(folder / "card.md", card)
