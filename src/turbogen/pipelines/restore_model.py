"""Our bundled restoration networks (sr-x2/3/4, denoise): load one, run it tiled on uint8 images."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from ..errors import InputError
from ..models.sr import DenoiseConfig, DnCNN, SRConfig, SRNet
from .model_folder import find_model_dir, load_weights, read_model_folder
from .tiling import run_tiled

KINDS = {"srnet": (SRNet, SRConfig), "dncnn": (DnCNN, DenoiseConfig)}


@lru_cache(maxsize=8)
def load_restore_model(name: str) -> torch.nn.Module:
    """A bundled name (sr-x2, denoise, ...) or a folder written by `turbogen train sr|denoise`."""
    folder = find_model_dir(name)
    if folder is None:
        raise InputError(f"no restoration model {name!r}: give a bundled name (sr-x2, sr-x3, "
                         "sr-x4, denoise) or a folder from `turbogen train sr|denoise`")
    data, config_file, weights_file = read_model_folder(folder, "turbogen train sr|denoise")
    kind = data.pop("kind", None)
    if kind not in KINDS:
        raise InputError(f"{config_file} is not a restoration model (kind {kind!r}; "
                         f"expected one of {', '.join(KINDS)})")
    module_cls, config_cls = KINDS[kind]
    model = module_cls(config_cls(**data))
    load_weights(model, weights_file, config_file)
    return model.eval().to(device(), memory_format=torch.channels_last)


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def to_batch(image: np.ndarray, dev: torch.device) -> torch.Tensor:
    """(H, W, 3) uint8 -> (1, 3, H, W) float 0..1, channels-last (1.3x faster convs here)."""
    x = torch.from_numpy(np.array(image)).to(dev).permute(2, 0, 1)[None].float() / 255.0
    return x.contiguous(memory_format=torch.channels_last)


def from_batch(y: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) float 0..1 -> (H, W, 3) uint8."""
    return (y[0].clamp(0, 1) * 255).round().byte().permute(1, 2, 0).contiguous().cpu().numpy()


@torch.inference_mode()
def run_on_image(fn, image: np.ndarray, scale: int = 1, tile: int = 256, pad: int = 16
                 ) -> np.ndarray:
    """A tensor -> tensor network applied tile by tile to a uint8 image."""
    return from_batch(run_tiled(fn, to_batch(image, device()), scale, tile, pad))
