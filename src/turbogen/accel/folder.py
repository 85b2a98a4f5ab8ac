"""An accelerated model on disk: config.json (with an "accel" section) + its weights.

PyTorch-backed results store the fp32 (or bf16) weights as model.safetensors and replay their
methods on load (int8 and compile are deterministic rewrites); ONNX-backed ones store
model.onnx, which already holds every method up to the export, and replay only what follows
(steps, cache, batch). Everything is written into a temporary folder that replaces OUT whole.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save

from .. import __version__
from ..errors import InputError
from ..io_atomic import atomic_directory
from ..pipelines.model_folder import find_model_dir
from ..pipelines.text2img_model import Text2ImgConfig, load_text2img, resolve_model_dir
from .model import AccelModel, from_text2img
from .registry import apply_recipe
from .shrink import NETWORK_METHODS

ONNX_METHODS = ("onnx", "onnx-int8", "openvino")     # saved as model.onnx
DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def _accel_section(model: AccelModel) -> dict:
    return {"methods": list(model.methods), "backend": model.backend,
            "turbogen": __version__, "torch": torch.__version__}


def save_accelerated(folder: str | Path, model: AccelModel, *, overwrite: bool = False,
                     card: str | None = None) -> list[Path]:
    """Write the folder whole or not at all; returns the files written. Every kind the same
    way: config.json (its own config + "accel") and model.onnx or model.safetensors."""
    section = _accel_section(model)
    if model.kind == "classic":
        from .generator import generator_config
        data, net = {**generator_config(model), "accel": section}, model.net.module
    else:
        data, net = {**model.config.to_dict(), "accel": section}, model.net
    with atomic_directory(folder, overwrite=overwrite) as tmp:
        if model.backend in ("onnx", "openvino"):
            (tmp / "model.onnx").write_bytes(model.onnx_model)
        else:
            dtype = DTYPES[model.weights_dtype]
            # integer buffers (BatchNorm's batch counter) keep their type
            tensors = {k: (v.detach().to(dtype) if v.is_floating_point() else v.detach())
                       .contiguous().cpu() for k, v in net.state_dict().items()}
            (tmp / "model.safetensors").write_bytes(save(tensors))
        (tmp / "config.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        if card is not None:
            (tmp / "card.md").write_text(card, encoding="utf-8")
        names = [p.name for p in tmp.iterdir()]
    return [Path(folder) / n for n in sorted(names)]


def is_accelerated(name_or_path: str | Path) -> bool:
    file = Path(name_or_path) / "config.json"
    try:
        return file.is_file() and "accel" in json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def accel_methods(name_or_path: str | Path) -> list[str] | None:
    """The methods an accelerated folder records; None for a plain checkpoint or a name."""
    folder = Path(name_or_path)
    if not is_accelerated(folder):
        return None
    section = json.loads((folder / "config.json").read_text(encoding="utf-8"))["accel"]
    methods = section.get("methods") if isinstance(section, dict) else None
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise InputError(f"{folder / 'config.json'}: \"accel\" must hold a list of methods")
    return methods


def load_accelerated(name_or_path: str | Path, device: str | torch.device = "cpu") -> AccelModel:
    """A plain checkpoint (no methods) or an accelerated folder, methods replayed; text2img
    or a classic generator (GAN, DCGAN, VAE), by what its config.json says."""
    from .generator import is_classic_folder, load_generator_accel
    folder = find_model_dir(name_or_path) or resolve_model_dir(name_or_path)
    if is_classic_folder(folder):
        return load_generator_accel(folder, accel_methods(folder), device)
    _refuse_restoration(folder, name_or_path)
    if not is_accelerated(folder):
        net, config = load_text2img(folder, device)
        return from_text2img(net, config)
    methods = accel_methods(folder)
    data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    data.pop("accel")
    config = Text2ImgConfig.from_dict(data, str(folder / "config.json"))
    baked = max((i + 1 for i, m in enumerate(methods) if m in ONNX_METHODS), default=0)
    if baked:
        file = folder / "model.onnx"
        if not file.is_file():
            raise InputError(f"{folder} has no model.onnx but its config says {methods[baked - 1]}")
        graph = file.read_bytes()
        backend = "openvino" if methods[baked - 1] == "openvino" else "onnx"
        if backend == "openvino":
            from .openvino_runtime import OpenVinoDenoiser as runtime
        else:
            from .onnx_runtime import OnnxDenoiser as runtime
        model = AccelModel(net=None, denoiser=runtime(graph, str(file)), config=config,
                           methods=tuple(methods[:baked]), backend=backend, onnx_model=graph)
        return apply_recipe(model, methods[baked:]) if methods[baked:] else model
    model = from_text2img(_load_net(folder, config, device), config)
    while methods and methods[0].startswith(NETWORK_METHODS):
        # the saved weights and config already are the student's (or the pruned network's):
        # record the method, don't apply it again
        model, methods = model.then(methods[0]), methods[1:]
    return apply_recipe(model, methods) if methods else model


def _refuse_restoration(folder: Path, name) -> None:
    """AccelError for sr-xN / denoise: no command loads an accelerated copy of them (yet)."""
    from ..errors import AccelError
    try:
        kind = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        return
    if kind in ("srnet", "dncnn"):
        raise AccelError(f"{name} is a restoration network ({kind}): `turbogen accel` writes "
                         "text-to-image and GAN/VAE generator folders only, since no command "
                         f"loads a faster restoration copy; `turbogen bench {name}` measures "
                         "the methods on it (sr-xN) and `turbogen upscale` already runs it "
                         "under bf16 where the CPU has native bf16")


def _load_net(folder: Path, config: Text2ImgConfig, device) -> torch.nn.Module:
    from ..models.unet import UNet
    from ..pipelines.model_folder import load_weights
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise InputError(f"model folder {folder} has no model.safetensors")
    net = UNet(config.unet)
    load_weights(net, weights, folder / "config.json")   # bf16 tensors are cast on copy
    return net.to(device).eval()
