"""A classic generator (GAN, DCGAN, VAE decoder) as an ONNX Runtime graph, fp32 or static int8.

Inputs "z" (B, Z) float and, for models that read labels or clusters, "y" (B,) int64; output
"images" (B, C, S, S) in 0..1. The int8 variant quantizes the convolutions with QDQ,
activation ranges calibrated on real latent draws (the same z and label draws `turbogen sample`
makes), weights per channel; the last convolution (to pixels) stays fp32, like the other int8
paths (onnx_image.py). The transposed convolutions hold nearly all of a DCGAN's arithmetic, but
ONNX Runtime's CPU provider has no int8 ConvTranspose: QDQ around one runs it in fp32 with
(de)quantization added. So before the int8 export each stride-2 4x4 ConvTranspose2d (and the
BatchNorm after it, folded in) becomes one 3x3 convolution to its four output phases and a
pixel shuffle (PhaseConvTranspose): the same numbers, as a Conv node that runs int8.
"""
from __future__ import annotations

import copy
import io
import warnings

import numpy as np
import torch

from torch import nn

from ..errors import AccelError
from .calibration import check_calibration
from .model import AccelModel
from .onnx_image import quantize_qdq
from .onnx_runtime import OPSET, _stamp, open_session

CALIBRATION_BATCHES, CALIBRATION_SIZE, CALIBRATION_SEED = 8, 64, 9000
INT8_OPS = ("Conv", "DepthToSpace")


class PhaseConvTranspose(nn.Module):
    """ConvTranspose2d(k=4, stride=2, padding=1) [+ eval BatchNorm2d] as one 3x3 convolution
    to 4 x Cout channels, then pixel shuffle (sub-pixel convolution, Shi et al. 2016).

    Output pixel (2i + a, 2j + b) reads inputs i-1, i (a = 0: kernel rows 3, 1) or i, i+1
    (a = 1: rows 2, 0), likewise for columns: phase (a, b) is a 3x3 kernel with those taps
    and zeros elsewhere, its outputs channel o * 4 + 2a + b, which pixel shuffle puts at
    (o, 2i + a, 2j + b). 2.25x the multiply-adds of the transposed convolution (the zeros),
    in a node ONNX Runtime runs int8.
    """
    TAPS = ({0: 3, 1: 1}, {1: 2, 2: 0})     # phase -> {3x3 row: transposed-kernel row}

    def __init__(self, ct: nn.ConvTranspose2d, bn: nn.BatchNorm2d | None = None) -> None:
        super().__init__()
        w = ct.weight.detach()                                       # (Cin, Cout, 4, 4)
        b = ct.bias.detach() if ct.bias is not None else torch.zeros(w.shape[1])
        if bn is not None:          # eval BatchNorm is a per-channel affine map: fold it in
            scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
            w, b = w * scale[None, :, None, None], (b - bn.running_mean) * scale + bn.bias.detach()
        c_in, c_out = w.shape[:2]
        kernel = torch.zeros(c_out, 2, 2, c_in, 3, 3)
        for a in range(2):
            for c in range(2):
                for r, kr in self.TAPS[a].items():
                    for q, kq in self.TAPS[c].items():
                        kernel[:, a, c, :, r, q] = w[:, :, kr, kq].T
        self.conv = nn.Conv2d(c_in, 4 * c_out, 3, padding=1)
        self.conv.weight.data = kernel.reshape(4 * c_out, c_in, 3, 3)
        self.conv.bias.data = b.repeat_interleave(4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.pixel_shuffle(self.conv(x), 2)         # (B, Cout, 2H, 2W)


def _fits_phases(m: nn.Module) -> bool:
    return isinstance(m, nn.ConvTranspose2d) and m.kernel_size == (4, 4) and \
        m.stride == (2, 2) and m.padding == (1, 1) and m.output_padding == (0, 0) and \
        m.dilation == (1, 1) and m.groups == 1


def phase_convs(net: nn.Module) -> nn.Module:
    """A copy of `net` with every fitting ConvTranspose2d (and a BatchNorm2d right after it in
    a Sequential) replaced by a PhaseConvTranspose."""
    net = copy.deepcopy(net).eval()
    for seq in [m for m in net.modules() if isinstance(m, nn.Sequential)]:
        for i, m in enumerate(list(seq)):
            if _fits_phases(m):
                nxt = seq[i + 1] if i + 1 < len(seq) else None
                bn = nxt if isinstance(nxt, nn.BatchNorm2d) else None
                seq[i] = PhaseConvTranspose(m, bn)
                if bn is not None:
                    seq[i + 1] = nn.Identity()
    return net


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
    """Static QDQ int8 of the convolutions (transposed ones as phase convolutions) but the
    last; `calibration`: a list of
    {"z": (B, Z) [, "y": (B,)]} batches, default CALIBRATION_BATCHES real latent draws."""
    net = model.torch_net("onnx-int8")
    if not any(isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)) for m in net.modules()):
        raise AccelError(f"onnx-int8 quantizes convolutions and this {model.classic.kind} "
                         "generator has none (an MLP); use int8, which quantizes Linear layers")
    feeds = calibration if calibration is not None else calibration_latents(model)
    check_calibration(feeds, input_shapes(model.config))
    graph = export_generator_onnx(phase_convs(net), model.config)
    try:
        int8 = quantize_qdq(graph, feeds, INT8_OPS, keep_first=0, keep_last=1)
    except (ValueError, RuntimeError) as err:
        raise AccelError(f"onnx-int8 calibration failed: {str(err).splitlines()[0]}") from None
    return model.then("onnx-int8", denoiser=OnnxGenerator(int8), backend="onnx",
                      onnx_model=int8)
