"""An image-to-image network (x -> y, (B, 3, H, W)) as ONNX Runtime int8: static QDQ convolutions.

This CPU (Zen 5) has AVX-512 VNNI, so ONNX Runtime's u8s8 QLinearConv runs 3x3 convolutions
several times faster than fp32; on Real-ESRGAN x4plus it is the fastest variant measured
(README, benchmarks/realesrgan_speed.py). Activations are quantized per tensor (uint8, ranges
from the 99.999th percentile of real photo tiles: outliers otherwise stretch the step and cost
1.2 dB), weights per output channel (int8). The first convolution (raw pixels) and the
last `keep_last` ones (the high-resolution tail, whose errors are not averaged out by later
layers) stay fp32.

Quantizing means calibrating, which runs the fp32 graph with every intermediate tensor as an
output: minutes on 2 cores for x4plus. The graph is therefore cached on disk under
`cache_dir()`, keyed by the name, turbogen and onnxruntime versions, written atomically.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn

from .. import __version__
from ..errors import AccelError
from ..io_atomic import atomic_write_bytes
from .onnx_runtime import OPSET, _stamp, open_session


def cache_dir() -> Path:
    """$TURBOGEN_CACHE, else $XDG_CACHE_HOME/turbogen, else ~/.cache/turbogen."""
    if os.environ.get("TURBOGEN_CACHE"):
        return Path(os.environ["TURBOGEN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "turbogen"


def export_image_onnx(net: nn.Module, outputs: int = 1) -> bytes:
    """fp32 graph of `net` (x -> y, or x -> a tuple of `outputs` tensors) with batch, height
    and width left dynamic."""
    buf = io.BytesIO()
    x = torch.rand(1, 3, 16, 16)
    names = [f"y{i}" for i in range(outputs)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # the TorchScript exporter's deprecation notice
        torch.onnx.export(net.float().cpu().eval(), (x,), buf, input_names=["x"],
                          output_names=names, opset_version=OPSET, dynamo=False,
                          dynamic_axes={"x": {0: "b", 2: "h", 3: "w"},
                                        **{n: {0: "b", 2: f"{n}h", 3: f"{n}w"} for n in names}})
    return _stamp(buf.getvalue())


def quantize_image_int8(graph: bytes, calibration: list[np.ndarray], keep_first: int = 1,
                        keep_last: int = 1) -> bytes:
    """Static QDQ int8 of every Conv but the first `keep_first` and last `keep_last`;
    `calibration`: (1, 3, h, w) float32 arrays in 0..1."""
    if not calibration:
        raise AccelError("int8 calibration needs at least one image tile")
    return quantize_qdq(graph, [{"x": c} for c in calibration], ("Conv",), keep_first, keep_last)


def quantize_qdq(graph: bytes, feeds: list[dict[str, np.ndarray]], op_types: tuple[str, ...],
                 keep_first: int = 1, keep_last: int = 1) -> bytes:
    """Static QDQ int8 (per-channel int8 weights, uint8 activations at the 99.999th percentile)
    of the `op_types` nodes but the first `keep_first` and last `keep_last` of them; `feeds`:
    calibration inputs by graph input name (float inputs as float32, integer ones as given)."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, \
        QuantType, quantize_static
    if not feeds:
        raise AccelError("int8 calibration needs at least one batch of inputs")
    nodes = [n.name for n in onnx.load_from_string(graph).graph.node if n.op_type in op_types]
    keep = nodes[:keep_first] + (nodes[-keep_last:] if keep_last else [])

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{k: np.asarray(v, np.float32) if np.asarray(v).dtype.kind == "f"
                             else np.asarray(v) for k, v in f.items()} for f in feeds])

        def get_next(self):
            return next(self.it, None)

    with tempfile.TemporaryDirectory() as tmp:      # quantize_static works on files only
        src, dst = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        src.write_bytes(graph)
        root, level = logging.getLogger(), logging.getLogger().level
        root.setLevel(logging.ERROR)    # its "consider pre-processing" notices, on the root logger
        try:
            with contextlib.redirect_stdout(io.StringIO()):   # the percentile calibrator prints
                quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ,
                                per_channel=True, weight_type=QuantType.QInt8,
                                activation_type=QuantType.QUInt8,
                                op_types_to_quantize=list(op_types),
                                nodes_to_exclude=keep,
                                calibrate_method=CalibrationMethod.Percentile,
                                extra_options={"CalibPercentile": 99.999})
        finally:
            root.setLevel(level)
        return _stamp(dst.read_bytes())


def cached_graph(key: str, build: Callable[[], bytes]) -> tuple[bytes, bool]:
    """(graph, whether it came from the cache): `build()` once per key and version."""
    import onnxruntime as ort
    path = cache_dir() / f"{key}-turbogen{__version__}-ort{ort.__version__}.onnx"
    if path.is_file():
        return path.read_bytes(), True
    graph = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, graph)
    except OSError:         # a read-only home still gets its answer, only slower next time
        pass
    return graph, False


class OnnxImageModel:
    """`x -> y` (torch fp32 tensors, any layout) through an ONNX Runtime CPU session; a graph
    with several outputs returns a tuple."""

    def __init__(self, graph: bytes, where: str = "the ONNX graph") -> None:
        self.session = open_session(graph, where, "delete it to rebuild it")

    def __call__(self, x: torch.Tensor):
        ys = self.session.run(None, {"x": x.float().contiguous().cpu().numpy()})
        ys = tuple(torch.from_numpy(y).to(x.device) for y in ys)
        return ys[0] if len(ys) == 1 else ys
