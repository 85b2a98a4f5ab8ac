"""What every acceleration method takes and returns: a denoiser plus how to sample it.

A method never changes the model it is given; it returns a new AccelModel (dataclasses.replace)
whose `denoiser` keeps the contract `(x, t, cond) -> velocity` and whose `config` carries the
sampler and step count, so "fewer steps" and "a faster network" compose the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from torch import nn

from ..errors import AccelError
from ..pipelines.text2img_model import Text2ImgConfig

BACKENDS = ("torch", "torch-int8", "compiled", "onnx", "openvino")


@dataclass(frozen=True)
class AccelModel:
    net: nn.Module | None           # the fp32 PyTorch network it started from (None: ONNX only)
    denoiser: Callable              # what the sampler calls: (x, t, cond) -> velocity; for the
                                    # other kinds the network's own call ((z, y) or x -> images)
    config: Text2ImgConfig | object  # network config + sampling defaults (sampler, steps); for
                                     # the other kinds the network's config (DCGANConfig, ...)
    methods: tuple[str, ...] = ()   # method specs applied, in order ("onnx", "steps=flow_euler/4")
    backend: str = "torch"          # what the denoiser runs on: one of BACKENDS
    onnx_model: bytes | None = None         # the ONNX graph when backend is onnx / openvino
    weights_dtype: str = "fp32"             # how `save` stores safetensors weights
    text_cache: bool = False                # prompts -> MiniLM vectors memoised (text_cache.py)
    batch_size: int | None = None           # preferred batch size (the batch method)
    notes: tuple[str, ...] = field(default=())
    # which family the methods rewrite; the registry says which methods fit which:
    # "text2img" (a denoiser), "classic" (a generator `(z, y) -> images`, accel/generator.py),
    # "image" (an image-to-image network `x -> y` such as sr-x2, accel/restore_accel.py)
    kind: str = "text2img"
    classic: object | None = None           # the ClassicModel a "classic" generator came from

    def then(self, spec: str, **changes) -> "AccelModel":
        """A copy with `changes` and `spec` appended to the methods applied."""
        return replace(self, methods=self.methods + (spec,), **changes)

    def torch_net(self, method: str) -> nn.Module:
        """The eager PyTorch network a method rewrites; AccelError when there is none."""
        cached = [m for m in self.methods if m.startswith("deepcache")]
        if cached:      # a rewritten network would drop the cache wrapped around the old one
            raise AccelError(f"{method} rewrites the network, which {cached[0]} already wraps; "
                             f"apply {method} before {cached[0]}")
        if self.backend != "torch" or self.net is None:
            raise AccelError(f"{method} rewrites a PyTorch network, but this model already runs "
                             f"on {self.backend} (after {' + '.join(self.methods)}); apply "
                             f"{method} before {self.methods[-1]}")
        return self.net


def from_text2img(net: nn.Module, config: Text2ImgConfig) -> AccelModel:
    """The starting point: the trained fp32 network, sampled as its config says."""
    return AccelModel(net=net.eval(), denoiser=net.eval(), config=config)
