"""An image-to-image network (x -> y, (B, 3, H, W)) run by OpenVINO's CPU plugin, bf16 where the
CPU computes bf16 natively.

Why: on Real-ESRGAN x4plus OpenVINO's bf16 graph is faster than PyTorch's bf16 autocast of
the same network at the same quality (README, benchmarks/realesrgan_speed.py): its CPU plugin
fuses each LeakyReLU into its convolution and writes the dense blocks' convolution outputs
straight into the concatenated buffer, where eager PyTorch runs every op on its own.

Converting the PyTorch network (ov.convert_model traces it) takes tens of seconds for x4plus,
so the converted IR (model.xml + model.bin, fp32 weights) is cached under
accel.onnx_image.cache_dir(), keyed by name, turbogen and OpenVINO versions; the folder is
written in full under a temporary name and then renamed, so a crash leaves no half model.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .. import __version__
from ..errors import AccelError
from .autocast import cpu_has_fast_bf16
from .onnx_image import cache_dir


def _openvino():
    try:
        import openvino
    except ImportError as e:      # a dependency, but a trimmed environment may lack it
        raise AccelError("--accel openvino needs the openvino package: pip install openvino"
                         ) from e
    return openvino


def cached_ir(key: str, net: nn.Module) -> tuple[Path, bool]:
    """(path of the cached model.xml for `net`, whether it was there already)."""
    ov = _openvino()
    folder = cache_dir() / f"{key}-turbogen{__version__}-openvino{ov.__version__.split('-')[0]}"
    xml = folder / "model.xml"
    if xml.is_file():
        return xml, True
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=folder.parent))
    try:
        example = torch.rand(1, 3, 32, 32)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")     # torch.jit.trace's deprecation notices
            model = ov.convert_model(net.float().cpu().eval(), example_input=example,
                                     input=[ov.PartialShape([-1, 3, -1, -1])])
        ov.save_model(model, str(tmp / "model.xml"), compress_to_fp16=False)
        os.replace(tmp, folder)         # a folder of a racing process: keep theirs
    except OSError:
        if not xml.is_file():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return xml, False


class OpenVinoImageModel:
    """`x -> y` (torch fp32 tensors) through an OpenVINO CPU infer request."""

    def __init__(self, xml: Path, precision: str = "auto", threads: int | None = None) -> None:
        ov = _openvino()
        if precision == "auto":
            precision = "bf16" if cpu_has_fast_bf16() else "f32"
        if precision not in ("bf16", "f32"):
            raise AccelError(f"OpenVINO precision must be auto, bf16 or f32, not {precision!r}")
        core = ov.Core()
        try:
            model = core.read_model(str(xml))
        except RuntimeError as e:
            raise AccelError(f"cannot read the cached OpenVINO model {xml} ({e}); delete its "
                             "folder to rebuild it") from e
        self.precision = precision
        compiled = core.compile_model(model, "CPU", {
            "INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_NUM_THREADS": threads or torch.get_num_threads()})
        self.request = compiled.create_infer_request()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        y = self.request.infer({0: x.detach().float().contiguous().cpu().numpy()})[0]
        return torch.from_numpy(np.array(y, dtype=np.float32)).to(x.device)


def openvino_image_model(net: nn.Module, key: str, precision: str = "auto"
                         ) -> OpenVinoImageModel:
    """`net` converted to OpenVINO (cached under `key`), compiled for this CPU."""
    return OpenVinoImageModel(cached_ir(key, net)[0], precision)
