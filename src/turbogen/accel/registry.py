"""Acceleration methods by name: each takes an AccelModel and returns a faster one.

A method serves every model kind (AccelModel.kind: "text2img", "classic", "image") unless it
says why not (`unfit`) or brings its own function for a kind (`per_kind`, e.g. ONNX export of
a generator, whose inputs are a latent and a label rather than a denoiser's).

A recipe is method specs joined by "+", applied left to right: "steps=flow_dpmpp/4+onnx".
A spec is NAME or NAME=ARG (`student`, `prune`, `steps`, `deepcache` and `batch` take one).
Importing this module is cheap: each method's module loads when it is first applied.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..errors import AccelError

if TYPE_CHECKING:       # the CLI lists methods without importing torch
    from .model import AccelModel


def _batch(model: AccelModel, arg: str | None = None) -> AccelModel:
    if not arg or not arg.isdigit() or not 1 <= int(arg) <= 1024:
        raise AccelError(f"batch needs a batch size from 1 to 1024, e.g. batch=16; got {arg!r}")
    return model.then(f"batch={arg}", batch_size=int(arg))


# why the sampling-side methods do not fit a GAN/DCGAN generator or VAE decoder, or an
# image-to-image network (super-resolution)
_ONE_CALL = ("a GAN/VAE generator draws in one network call from a latent, so there is no "
             "sampler whose steps could be cut")
_ONE_PASS = "an image-to-image network runs once per image, with no sampler steps to cut"
_NO_TEXT = "it reads no prompt text to embed"
_UNET_ONLY = ("it rewrites the text2img UNet's levels and mid block (accel/prune.py); "
              "this network has no such parts")
_OPENVINO_SCOPE = ("turbogen runs the text2img denoiser and Real-ESRGAN (`turbogen upscale "
                   "--accel openvino`) on OpenVINO so far; use onnx or bf16 here")


def _lazy(module: str, name: str) -> Callable:
    """Import a method's module on first use: onnxruntime and torch.ao stay unloaded otherwise."""
    def run(model, arg=None, **kwargs):
        import importlib
        return getattr(importlib.import_module(f"{__package__}.{module}"), name)(model, arg,
                                                                                 **kwargs)
    return run


@dataclass(frozen=True)
class Method:
    apply: Callable[..., "AccelModel"]
    description: str
    takes_arg: bool = False
    per_kind: dict[str, Callable] = field(default_factory=dict)   # kind -> its own function
    unfit: dict[str, str] = field(default_factory=dict)           # kind -> why it cannot apply


METHODS: dict[str, Method] = {
    "steps": Method(_lazy("steps", "steps"), "another sampler / fewer steps: steps=SAMPLER/N, "
                    "e.g. steps=flow_dpmpp/4", takes_arg=True,
                    unfit={"classic": _ONE_CALL, "image": _ONE_PASS}),
    "channels_last": Method(_lazy("precision", "channels_last"),
                            "NHWC memory layout for the convolutions (same numbers)"),
    "bf16": Method(_lazy("precision", "bf16"), "bf16 autocast of the network (CPU with native "
                   "bf16 or a GPU); weights saved in bf16"),
    "int8": Method(_lazy("quantize", "int8_dynamic"), "torch.ao dynamic int8 of the Linear "
                   "layers (CPU; convolutions stay fp32)"),
    "onnx": Method(_lazy("onnx_runtime", "onnx_fp32"), "export to ONNX, run with ONNX Runtime "
                   "(fp32)", per_kind={"classic": _lazy("generator_onnx", "onnx_fp32"),
                             "image": _lazy("restore_accel", "onnx_fp32")}),
    "onnx-int8": Method(_lazy("onnx_runtime", "onnx_int8"), "ONNX Runtime static int8 (QDQ), "
                        "calibrated on real plans (generators: real latent draws)",
                        per_kind={"classic": _lazy("generator_onnx", "onnx_int8"),
                                  "image": _lazy("restore_accel", "onnx_int8")}),
    "deepcache": Method(_lazy("deepcache", "deepcache"), "reuse the UNet's deep features "
                        "between sampler steps (DeepCache): the whole UNet every N-th call, its "
                        "first level otherwise: deepcache=N; last of the network methods",
                        takes_arg=True, unfit={"classic": _ONE_CALL, "image": _ONE_PASS}),
    "openvino": Method(_lazy("openvino_runtime", "openvino"), "export to ONNX, run with "
                       "OpenVINO's CPU runtime (bf16 where native)",
                       unfit={"classic": _OPENVINO_SCOPE, "image": _OPENVINO_SCOPE}),
    "compile": Method(_lazy("compiled", "compiled"), "torch.compile (Inductor, freezing); "
                      "compiles on first use, per batch size"),
    "cache": Method(_lazy("text_cache", "text_cache"), "cache MiniLM prompt embeddings per "
                    "prompt text", unfit={"classic": "a GAN/VAE generator reads a latent and a "
                                          "class label, no prompt text to embed",
                                          "image": _NO_TEXT}),
    "batch": Method(_batch, "preferred batch size: batch=N", takes_arg=True),
    "student": Method(_lazy("student", "student"), "a step-distilled or shrunk copy's "
                      "network and steps (`turbogen train distill` / `train shrink`): "
                      "student=NAME|DIR, first in a recipe", takes_arg=True,
                      unfit={"classic": "step distillation shortens a multi-step sampler; " +
                             _ONE_CALL, "image": _ONE_PASS}),
    "prune": Method(_lazy("shrink", "prune"), "remove a share of each level's channels "
                    "(L1 importance, no fine-tune; see `train shrink`): prune=0.5, at the "
                    "front of a recipe", takes_arg=True,
                    unfit={"classic": _UNET_ONLY, "image": _UNET_ONLY}),
    "drop_mid": Method(_lazy("shrink", "drop_mid"), "remove the mid block (BK-SDM, no "
                       "fine-tune), at the front of a recipe",
                       unfit={"classic": _UNET_ONLY, "image": _UNET_ONLY}),
}


def describe() -> str:
    return "\n".join(f"  {name:14s} {m.description}" for name, m in METHODS.items())


def parse_recipe(recipe: str) -> list[tuple[str, str | None]]:
    """'steps=flow_euler/4+onnx' -> [("steps", "flow_euler/4"), ("onnx", None)]."""
    parts = []
    for spec in recipe.split("+"):
        name, _, arg = spec.strip().partition("=")
        if name not in METHODS:
            raise AccelError(f"unknown acceleration method {name!r}; valid methods: "
                             f"{', '.join(METHODS)}")
        if bool(arg) != METHODS[name].takes_arg:
            raise AccelError(f"{name} takes an argument ({METHODS[name].description})"
                             if METHODS[name].takes_arg else f"{name} takes no argument, "
                             f"got {spec!r}")
        parts.append((name, arg or None))
    return parts


def apply_recipe(model: AccelModel, recipe: str | list[str], **kwargs) -> AccelModel:
    """Apply each method of `recipe` in order; kwargs (e.g. calibration=) go to onnx-int8."""
    specs = recipe if isinstance(recipe, list) else [recipe]
    for name, arg in [p for spec in specs for p in parse_recipe(spec)]:
        method, extra = METHODS[name], kwargs if name == "onnx-int8" else {}
        if model.kind in method.unfit:
            fits = [n for n, m in METHODS.items() if model.kind not in m.unfit]
            what = f"a {model.classic.kind} generator" if model.classic is not None \
                else {"image": "an image-to-image network"}.get(model.kind, "this model")
            raise AccelError(f"{name} does not apply to {what}: "
                             f"{method.unfit[model.kind]}; methods that do: {', '.join(fits)}")
        model = method.per_kind.get(model.kind, method.apply)(model, arg, **extra)
    return model
