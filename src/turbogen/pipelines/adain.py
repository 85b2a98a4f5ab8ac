"""Arbitrary style transfer in one pass: AdaIN (Huang & Belongie 2017) with a trained decoder.

`turbogen stylize PHOTO --style ANY --method adain` encodes the photo and the style image with
the frozen VGG16, renormalises the photo's features to the style's channel statistics, blends
by alpha and decodes: any style image, no training per style. Images are (H, W, 3) uint8 RGB.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import InputError
from ..models.adain import AdaINConfig, AdaINNet
from ..models.vgg import load_vgg16
from .model_folder import find_model_dir, load_weights, read_model_folder

DEFAULT_MODEL = "adain"          # turbogen/weights/adain
TRAIN_COMMAND = "turbogen train adain"


def _tensor(rgb: np.ndarray, dev: torch.device) -> torch.Tensor:
    """(H, W, 3) uint8 -> (1, 3, H, W) float 0..1, channels_last."""
    x = torch.from_numpy(np.array(rgb)).to(dev).permute(2, 0, 1)[None].float() / 255.0
    return x.contiguous(memory_format=torch.channels_last)


@torch.inference_mode()
def stylize_adain(net: AdaINNet, content: np.ndarray, style: np.ndarray,
                  alpha: float = 1.0, bf16: bool = False) -> np.ndarray:
    """One pass (under bf16 autocast if asked). The photo is reflection-padded to a multiple
    of the encoder's pooling (4 for relu3_1) and the output cropped back: same size out."""
    dev = next(net.decoder.parameters()).device
    x, s = _tensor(content, dev), _tensor(style, dev)
    h, w = x.shape[-2:]
    m = 2 ** (net.config.depth - 1)
    pad = (0, -w % m, 0, -h % m)
    if any(pad):                     # reflection needs the pad below the side: tiny images
        x = F.pad(x, pad, mode="reflect" if min(h, w) > max(pad) else "replicate")
    with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
        y = net(x, s, alpha)[..., :h, :w]
    return (y[0].float().clamp(0, 1) * 255).round().byte().permute(1, 2, 0).cpu().numpy()


@lru_cache(maxsize=4)
def load_adain(name_or_dir: str = DEFAULT_MODEL) -> tuple[AdaINNet, dict]:
    """A bundled decoder by name or a folder from `turbogen train adain`, with the VGG16
    encoder it was trained behind: (network in eval mode, config.json data)."""
    folder = find_model_dir(name_or_dir)
    if folder is None:
        bundled = find_model_dir(DEFAULT_MODEL) is not None
        hint = f"the bundled one is {DEFAULT_MODEL!r}" if bundled else \
            "none is bundled (see the README's Style transfer section)"
        raise InputError(f"no AdaIN model {name_or_dir!r}: {hint}; train one with "
                         f"`{TRAIN_COMMAND} --out DIR` and pass --model DIR")
    data, config_file, weights_file = read_model_folder(folder, TRAIN_COMMAND)
    if data.get("kind") != "adain":
        raise InputError(f"{config_file} is not an AdaIN model (kind {data.get('kind')!r})")
    try:
        config = AdaINConfig(**{k: data[k] for k in AdaINConfig.__dataclass_fields__
                                if k in data})
    except (TypeError, ValueError) as err:
        raise InputError(f"{config_file}: {err}") from None
    net = AdaINNet(load_vgg16(config.style_layers()), config)
    load_weights(net.decoder, weights_file, config_file)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return net.eval().to(dev, memory_format=torch.channels_last), data


def fast_bf16(net: AdaINNet) -> bool:
    """bf16 autocast where bf16 is native (CUDA, or a CPU with avx512_bf16), as --fast does."""
    from ..accel.autocast import cpu_has_fast_bf16
    return next(net.decoder.parameters()).device.type == "cuda" or cpu_has_fast_bf16()
