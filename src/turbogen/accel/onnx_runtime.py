"""ONNX export + ONNX Runtime: the denoiser as a static graph (fp32), optionally int8 (QDQ).

At batch 1 the eager UNet is op-overhead bound and ONNX Runtime's fused graph is several times
faster (DESIGN.md's table). The int8 variant is onnxruntime.quantization's static QDQ, its
activation ranges calibrated on the inputs the network sees drawing real plans
(calibration.py). The graph records the turbogen version that wrote it; a graph from another
version is refused when loaded rather than silently run with other conventions.
"""
from __future__ import annotations

import io
import logging
import warnings

import numpy as np
import torch
from torch import nn

from .. import __version__
from ..errors import AccelError
from .calibration import calibration_batches, check_calibration
from .model import AccelModel

OPSET = 17
VERSION_KEY = "turbogen_version"
KEEP_FP32 = ("stem", "out")     # first and last convolution: most sensitive to int8 rounding


class _Flat(nn.Module):
    """The UNet with its cond dict spread into named inputs, as a graph needs."""

    def __init__(self, net: nn.Module, keys: tuple[str, ...]) -> None:
        super().__init__()
        self.net, self.keys = net, keys

    def forward(self, x, t, *cond):
        return self.net(x, t, dict(zip(self.keys, cond)))


def input_shapes(config) -> dict[str, tuple[int, ...]]:
    """Per-example shape of every graph input, from the network's config."""
    size, u = config.image_size, config.unet
    shapes = {"x": (u.image_channels, size, size), "t": ()}
    if u.layout_channels:
        shapes["layout"] = (u.layout_channels, size, size)
    shapes["text"] = (u.text_dim or 385,)       # make_cond always builds a text vector
    return shapes


def export_onnx(net: nn.Module, config) -> bytes:
    shapes = input_shapes(config)
    args = tuple(torch.zeros((2, *s)) for s in shapes.values())
    names = list(shapes)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # the TorchScript exporter's deprecation notice
        torch.onnx.export(_Flat(net.float().cpu().eval(), tuple(names[2:])), args, buf,
                          input_names=names, output_names=["v"], opset_version=OPSET,
                          dynamic_axes={k: {0: "batch"} for k in names + ["v"]}, dynamo=False)
    return _stamp(buf.getvalue())


def _stamp(graph: bytes) -> bytes:
    import onnx
    proto = onnx.load_from_string(graph)
    onnx.helper.set_model_props(proto, {VERSION_KEY: __version__})
    return proto.SerializeToString()


def open_session(graph: bytes, where: str, remedy: str):
    """An ONNX Runtime CPU session for a graph this turbogen version stamped; AccelError (with
    `remedy`, what to do instead) for a graph it cannot load or one from another version."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = torch.get_num_threads()
    # spinning threads slow whatever runs next in the process 2.5x (DESIGN.md): off
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        session = ort.InferenceSession(graph, opts, providers=["CPUExecutionProvider"])
    except Exception as err:     # onnxruntime raises its own untyped errors
        raise AccelError(f"{where} cannot be loaded by ONNX Runtime: "
                         f"{str(err).splitlines()[0]}") from None
    _check_version(session.get_modelmeta().custom_metadata_map, where, remedy)
    return session


def check_stamp(graph: bytes, where: str, remedy: str) -> list[str]:
    """The graph's input names; AccelError for a graph that is not ONNX or that another
    turbogen version stamped (for runtimes that read the graph without its metadata)."""
    import onnx
    try:
        proto = onnx.load_from_string(graph)
    except Exception as err:     # protobuf's DecodeError and friends
        raise AccelError(f"{where} is not an ONNX graph ({err}); {remedy}") from None
    _check_version({p.key: p.value for p in proto.metadata_props}, where, remedy)
    return [i.name for i in proto.graph.input]


def _check_version(meta: dict, where: str, remedy: str) -> None:
    if meta.get(VERSION_KEY) != __version__:
        raise AccelError(f"{where} was written by turbogen {meta.get(VERSION_KEY, 'unknown')}"
                         f", this is {__version__}; {remedy}")


class OnnxDenoiser:
    """`(x, t, cond) -> v` through an ONNX Runtime session on the CPU."""

    def __init__(self, graph: bytes, where: str = "the ONNX graph") -> None:
        self.session = open_session(graph, where, "export it again with `turbogen accel`")
        self.names = [i.name for i in self.session.get_inputs()]

    def __call__(self, x: torch.Tensor, t: torch.Tensor, cond: dict) -> torch.Tensor:
        feed = {"x": x, "t": t, **cond}
        out = self.session.run(None, {n: feed[n].float().contiguous().cpu().numpy()
                                      for n in self.names})[0]
        return torch.from_numpy(out).to(x.device)


def onnx_fp32(model: AccelModel, arg: str | None = None) -> AccelModel:
    graph = export_onnx(model.torch_net("onnx"), model.config)
    return model.then("onnx", denoiser=OnnxDenoiser(graph), backend="onnx", onnx_model=graph)


def onnx_int8(model: AccelModel, arg: str | None = None, *,
              calibration: list[dict] | None = None) -> AccelModel:
    """Static QDQ int8 of the convolutions, per-channel weights; `calibration` defaults to the
    inputs of 16 real plans' draws.

    Only Conv nodes are quantized, and not the first and last: quantizing everything (the time
    embedding's sinusoids, GroupNorm's decomposed ops, attention) gave 20-70% relative error
    per network call; convolutions only, 3-13%; without the stem and output layer, 2-10%
    (rms, 8 steps of real draws).
    """
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, \
        quantize_static
    net = model.torch_net("onnx-int8")
    batches = calibration if calibration is not None else \
        calibration_batches(net, model.config, n=16)
    check_calibration(batches, input_shapes(model.config))

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{k: np.asarray(v, np.float32) for k, v in b.items()} for b in batches])

        def get_next(self):
            return next(self.it, None)

    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:      # quantize_static works on files only
        src, dst = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        src.write_bytes(export_onnx(net, model.config))
        root, level = logging.getLogger(), logging.getLogger().level
        root.setLevel(logging.ERROR)    # its "consider pre-processing" notices, on the root logger
        try:
            quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ,
                            per_channel=True, weight_type=QuantType.QInt8,
                            activation_type=QuantType.QUInt8, op_types_to_quantize=["Conv"],
                            nodes_to_exclude=[f"/net/{n}/Conv" for n in KEEP_FP32])
        finally:
            root.setLevel(level)
        graph = _stamp(dst.read_bytes())
    return model.then("onnx-int8", denoiser=OnnxDenoiser(graph), backend="onnx",
                      onnx_model=graph)
