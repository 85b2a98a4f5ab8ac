"""A classic generator (GAN, DCGAN, VAE decoder) as an ONNX Runtime graph, fp32 or static int8.

Inputs "z" (B, Z) float and, for models that read labels or clusters, "y" (B,) int64; output
"images" (B, C, S, S) in 0..1. The int8 variant quantizes the convolutions (transposed ones
too: they hold nearly all of a DCGAN's arithmetic) with QDQ, activation ranges calibrated on
real latent draws (the same z and label draws `turbogen sample` makes), weights per channel;
the last convolution (to pixels) stays fp32, like the other int8 paths (onnx_image.py).
"""
from __future__ import annotations

import io
import warnings

import numpy as np
import torch

from ..errors import AccelError
from .calibration import check_calibration
from .model import AccelModel
from .onnx_image import quantize_qdq
from .onnx_runtime import OPSET, _stamp, open_session

CALIBRATION_BATCHES, CALIBRATION_SIZE, CALIBRATION_SEED = 8, 64, 9000
INT8_OPS = ("Conv", "ConvTranspose")


def takes_labels(config) -> bool:
    """Conditional and cluster-trained models read y (cluster ids are labels inside)."""
    return getattr(config, "num_classes", 0) > 0


def input_shapes(config) -> dict[str, tuple[int, ...]]:
    """Per-example shape of every graph input."""
    shapes = {"z": (config.z_dim + getattr(config, "info_codes", 0),)}
    if takes_labels(config):
        shapes["y"] = ()
    return shapes


def export_generator_onnx(net: torch.nn.Module, config) -> bytes:
    """fp32 graph of a GeneratorNet with a dynamic batch."""
    shapes = input_shapes(config)
    args = (torch.zeros(2, *shapes["z"]),) + \
        ((torch.zeros(2, dtype=torch.long),) if "y" in shapes else ())
    names = list(shapes)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # the TorchScript exporter's deprecation notice
        torch.onnx.export(net.float().cpu().eval(), args, buf, input_names=names,
                          output_names=["images"], opset_version=OPSET, dynamo=False,
                          dynamic_axes={k: {0: "batch"} for k in names + ["images"]})
    return _stamp(buf.getvalue())


class OnnxGenerator:
    """`(z, y) -> images` (torch tensors) through an ONNX Runtime CPU session."""

    def __init__(self, graph: bytes, where: str = "the ONNX graph") -> None:
        self.session = open_session(graph, where, "export it again with `turbogen accel`")
        self.names = [i.name for i in self.session.get_inputs()]

    def __call__(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        feed = {"z": z.float().contiguous().cpu().numpy()}
        if "y" in self.names:
            feed["y"] = y.long().cpu().numpy()
        return torch.from_numpy(self.session.run(None, feed)[0]).to(z.device)


def calibration_latents(model: AccelModel, batches: int = CALIBRATION_BATCHES,
                        size: int = CALIBRATION_SIZE, seed: int = CALIBRATION_SEED
                        ) -> list[dict[str, np.ndarray]]:
    """Graph inputs of real draws: z (and labels or clusters) as `classic_sample.sample` draws
    them, `batches` batches of `size`."""
    from ..pipelines.classic_sample import draw_clusters, draw_labels, latent
    classic, feeds = model.classic, []
    for i in range(batches):
        g = torch.Generator().manual_seed(seed + i)
        labels = draw_labels(classic, size, None, g)
        labels = labels if labels is not None else draw_clusters(classic, size, g)
        feed = {"z": latent(classic, size, g).numpy()}
        if takes_labels(model.config):
            feed["y"] = labels.numpy()
        feeds.append(feed)
    return feeds


def onnx_fp32(model: AccelModel, arg: str | None = None) -> AccelModel:
    graph = export_generator_onnx(model.torch_net("onnx"), model.config)
    return model.then("onnx", denoiser=OnnxGenerator(graph), backend="onnx", onnx_model=graph)


def onnx_int8(model: AccelModel, arg: str | None = None, *,
              calibration: list[dict] | None = None) -> AccelModel:
    """Static QDQ int8 of the (transposed) convolutions but the last; `calibration`: a list of
    {"z": (B, Z) [, "y": (B,)]} batches, default CALIBRATION_BATCHES real latent draws."""
    net = model.torch_net("onnx-int8")
    if not any(isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)) for m in net.modules()):
        raise AccelError(f"onnx-int8 quantizes convolutions and this {model.classic.kind} "
                         "generator has none (an MLP); use int8, which quantizes Linear layers")
    feeds = calibration if calibration is not None else calibration_latents(model)
    check_calibration(feeds, input_shapes(model.config))
    graph = export_generator_onnx(net, model.config)
    try:
        int8 = quantize_qdq(graph, feeds, INT8_OPS, keep_first=0, keep_last=1)
    except (ValueError, RuntimeError) as err:
        raise AccelError(f"onnx-int8 calibration failed: {str(err).splitlines()[0]}") from None
    return model.then("onnx-int8", denoiser=OnnxGenerator(int8), backend="onnx",
                      onnx_model=int8)
