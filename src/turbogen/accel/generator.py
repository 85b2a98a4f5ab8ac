"""Classic generators (GAN, DCGAN, VAE decoder) as AccelModels: the same methods, another net.

The methods rewrite `net`, a GeneratorNet `(z, y) -> images in 0..1`: the generator with its
output mapping (tanh -> 0..1), or a VAE's decoder with its sigmoid. channels_last, bf16, int8,
compile and batch apply unchanged (they only need an nn.Module); ONNX export is
generator_onnx.py, since a generator's inputs are a latent and a label. Sampling-side methods
(steps, student, cache) do not fit: the registry says why.

On disk an accelerated generator is the classic folder (config.json with kind/model/data/classes)
plus an "accel" section, and model.safetensors (the fp32 or bf16 weights, methods replayed on
load) or model.onnx (the generator / decoder graph only: a VAE folder so made has no encoder,
so `eval` reports no reconstruction metrics for it).
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

from ..configs import config_from_dict, config_to_dict
from ..errors import InputError
from ..pipelines.classic_model import GENERATOR_KINDS, KINDS, ClassicModel, load_classic
from .model import AccelModel


class GeneratorNet(nn.Module):
    """One contract for every classic generator: latent z (B, Z) and labels y (B,) or None ->
    images (B, C, S, S) in 0..1, what `classic_sample.decode` returns."""

    def __init__(self, module: nn.Module, kind: str) -> None:
        super().__init__()
        self.module, self.vae = module, kind == "vae"

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.vae:
            return torch.sigmoid(self.module.decode_logits(z, y))
        return ((self.module(z, y) + 1) / 2).clamp(0, 1)


def from_classic(model: ClassicModel) -> AccelModel:
    """The starting point: the trained fp32 generator (a VAE: its decoder) as an AccelModel."""
    if model.kind not in GENERATOR_KINDS:
        raise InputError(f"{model.folder} is a {model.kind!r} model; acceleration of classic "
                         f"models takes generators: {', '.join(GENERATOR_KINDS)}")
    net = GeneratorNet(model.module, model.kind).eval()
    return AccelModel(net=net, denoiser=net, config=model.config, kind="classic",
                      classic=model)


def as_classic(model: AccelModel) -> ClassicModel:
    """The ClassicModel that `classic_sample.sample` draws from: its draws go through the
    accelerated generator, at the model's preferred batch size."""
    return replace(model.classic, draw=model.denoiser, batch_size=model.batch_size)


def is_classic_folder(folder: Path) -> bool:
    try:
        data = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kind") in KINDS


def generator_config(model: AccelModel) -> dict:
    """What a classic folder's config.json holds (accel/folder.py adds "accel")."""
    classic = model.classic
    return {"kind": classic.kind, "model": config_to_dict(classic.config), "data": classic.data,
            "classes": list(classic.classes)}


def load_generator_accel(name_or_path: str | Path, methods: list[str] | None = None,
                         device: str | torch.device = "cpu") -> AccelModel:
    """A classic generator folder, plain (no methods) or accelerated (methods replayed)."""
    from .registry import apply_recipe
    if not methods:
        return from_classic(load_classic(name_or_path, kinds=GENERATOR_KINDS, device=device))
    folder = Path(name_or_path)
    baked = max((i + 1 for i, m in enumerate(methods) if m in ("onnx", "onnx-int8")), default=0)
    if baked:
        from .generator_onnx import OnnxGenerator
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        file = folder / "model.onnx"
        if not file.is_file():
            raise InputError(f"{folder} has no model.onnx but its config says {methods[baked - 1]}")
        config_cls = KINDS[data["kind"]][0]
        config = config_from_dict(config_cls, data.get("model", {}), f"{folder}/config.json")
        classic = ClassicModel(data["kind"], config, None, str(data.get("data", "")),
                               tuple(data.get("classes", ())), folder)
        graph = file.read_bytes()
        model = AccelModel(net=None, denoiser=OnnxGenerator(graph, str(file)), config=config,
                           methods=tuple(methods[:baked]), backend="onnx", onnx_model=graph,
                           kind="classic", classic=classic)
        return apply_recipe(model, methods[baked:]) if methods[baked:] else model
    classic = load_classic(folder, kinds=GENERATOR_KINDS, device=device)
    classic.extra.pop("accel", None)
    return apply_recipe(from_classic(classic), methods)


def load_generator(name_or_path: str | Path, device: str | torch.device = "cpu"
                   ) -> ClassicModel:
    """What `turbogen sample` and `turbogen eval` draw from: a bundled or trained generator,
    or a folder `turbogen accel` wrote (its draws then run the accelerated generator)."""
    from .folder import accel_methods
    methods = accel_methods(name_or_path)
    if not methods:
        return load_classic(name_or_path, kinds=GENERATOR_KINDS, device=device)
    return as_classic(load_generator_accel(name_or_path, methods, device))
