"""OpenVINO's CPU runtime: an image-to-image network (x -> y) and the text2img denoiser
(`openvino` method), bf16 where the CPU computes bf16 natively.

Why: it compiles the whole graph (activations fused into convolutions), where eager PyTorch
runs op by op. Measured (README): Real-ESRGAN x4plus in bf16 faster than PyTorch's bf16
autocast at the same quality; the text2img UNet with the lowest batch-1 latency in the bench
(70.6 vs 106.0 ms for PyTorch bf16; at batch 64 PyTorch bf16 draws as many images).

Converting Real-ESRGAN x4plus (ov.convert_model traces it) takes ~10 s, so its IR
(model.xml + model.bin, fp32 weights) is cached under accel.onnx_image.cache_dir(), keyed by
name, turbogen and OpenVINO versions; the folder is written in full under a temporary name and
then renamed, so a crash leaves no half model. The denoiser is read from the ONNX export that
the `onnx` method makes, and saved as that model.onnx.
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


def compile_for_cpu(path: Path, precision: str = "auto", remedy: str = "delete its folder "
                    "to rebuild it"):
    """(OpenVINO infer request for the model file at `path`, the precision it runs at)."""
    ov = _openvino()
    if precision == "auto":
        precision = "bf16" if cpu_has_fast_bf16() else "f32"
    if precision not in ("bf16", "f32"):
        raise AccelError(f"OpenVINO precision must be auto, bf16 or f32, not {precision!r}")
    core = ov.Core()
    try:
        model = core.read_model(str(path))
    except RuntimeError as e:
        raise AccelError(f"OpenVINO cannot read {path} ({str(e).splitlines()[0]}); {remedy}"
                         ) from None
    compiled = core.compile_model(model, "CPU", {
        "INFERENCE_PRECISION_HINT": precision, "PERFORMANCE_HINT": "LATENCY",
        "INFERENCE_NUM_THREADS": torch.get_num_threads()})
    return compiled.create_infer_request(), precision


class OpenVinoImageModel:
    """`x -> y` (torch fp32 tensors) through an OpenVINO CPU infer request."""

    def __init__(self, xml: Path, precision: str = "auto") -> None:
        self.request, self.precision = compile_for_cpu(xml, precision)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        y = self.request.infer({0: x.detach().float().contiguous().cpu().numpy()})[0]
        return torch.from_numpy(np.array(y, dtype=np.float32)).to(x.device)


def openvino_image_model(net: nn.Module, key: str, precision: str = "auto"
                         ) -> OpenVinoImageModel:
    """`net` converted to OpenVINO (cached under `key`), compiled for this CPU."""
    return OpenVinoImageModel(cached_ir(key, net)[0], precision)


class OpenVinoDenoiser:
    """`(x, t, cond) -> v` through OpenVINO, read from the denoiser's ONNX export."""

    def __init__(self, graph: bytes, where: str = "the ONNX graph") -> None:
        from .onnx_runtime import check_stamp
        names = check_stamp(graph, where, "export it again with `turbogen accel`")
        with tempfile.TemporaryDirectory() as tmp:      # OpenVINO reads ONNX from a file
            path = Path(tmp) / "model.onnx"
            path.write_bytes(graph)
            self.request, self.precision = compile_for_cpu(
                path, remedy="export it again with `turbogen accel`")
        # a port answers to several tensor names once OpenVINO merges nodes: find the graph's
        self.names = [next(n for n in names if n in port.get_names())
                      for port in self.request.model_inputs]

    def __call__(self, x: torch.Tensor, t: torch.Tensor, cond: dict) -> torch.Tensor:
        feed = {"x": x, "t": t, **cond}
        out = self.request.infer({n: feed[n].detach().float().contiguous().cpu().numpy()
                                  for n in self.names})[0]
        return torch.from_numpy(np.array(out, dtype=np.float32)).to(x.device)


def openvino(model, arg: str | None = None):
    """The `openvino` method: the UNet exported to ONNX (as `onnx` does), run by OpenVINO."""
    from .onnx_runtime import export_onnx
    graph = export_onnx(model.torch_net("openvino"), model.config)
    return model.then("openvino", denoiser=OpenVinoDenoiser(graph), backend="openvino",
                      onnx_model=graph)
