"""Style transfer: Gatys optimisation on VGG16 features, or one pass of a trained network.

`gatys` (Gatys et al. 2016) optimises the pixels themselves with L-BFGS, starting from the
content photo, until its VGG16 Gram matrices match the style image's: any style, tens of
seconds per 256 px image on a CPU. `fast` (Johnson et al. 2016) runs a TransformerNet trained
for one style (`turbogen train style`): milliseconds. `adain` (Huang & Belongie 2017,
pipelines/adain.py) runs one trained decoder for any style image: one pass. Images are
(H, W, 3) uint8 RGB; a Picture's alpha channel is resized and kept.
"""
from __future__ import annotations

import copy
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..data.restore_io import Picture, load_picture
from ..data.style_images import STYLE_IMAGES, style_image
from ..errors import InputError
from ..models.style import StyleLoss, StyleWeights, TransformerConfig, TransformerNet
from ..models.vgg import load_vgg16
from .model_folder import WEIGHTS_DIR, find_model_dir, load_weights, read_model_folder

PREFIX = "style-"
MIN_SIDE = 16          # the 9x9 reflection-padded convs need at least this many pixels
MAX_FAST_SIDE = 2048   # the fast net's default output keeps the photo's size up to this


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def bundled_styles() -> list[str]:
    """Names of the style networks in turbogen/weights/style-<name>/."""
    return sorted(p.name[len(PREFIX):] for p in WEIGHTS_DIR.glob(PREFIX + "*")
                  if (p / "config.json").is_file())


@lru_cache(maxsize=8)
def load_style_net(name_or_dir: str) -> tuple[TransformerNet, dict]:
    """A bundled style network by name, or a folder written by `turbogen train style`; returns
    the network (eval, on `device()`) and its config.json data (which names its style)."""
    folder = find_model_dir(PREFIX + name_or_dir) if "/" not in name_or_dir else None
    folder = folder or find_model_dir(name_or_dir)
    if folder is None:
        raise InputError(f"no style network {name_or_dir!r}: bundled ones are "
                         f"{', '.join(bundled_styles()) or 'none'}; or give a folder written by "
                         "`turbogen train style`")
    data, config_file, weights_file = read_model_folder(folder, "turbogen train style")
    if data.get("kind") != "transformer":
        raise InputError(f"{config_file} is not a style network (kind {data.get('kind')!r})")
    fields = {k: data[k] for k in TransformerConfig.__dataclass_fields__ if k in data}
    net = TransformerNet(TransformerConfig(**fields))
    load_weights(net, weights_file, config_file)
    return net.eval().to(device()), data


def style_pixels(style: str) -> np.ndarray:
    """The style image for Gatys and AdaIN: a procedural name's image, an image file, or the style a
    trained network (bundled name or folder) was trained on."""
    if style in STYLE_IMAGES:
        return style_image(style)
    path = Path(style)
    if path.is_file():
        try:
            return load_picture(path).rgb
        except InputError as err:
            raise InputError(f"--style {err}") from None
    folder = path if path.is_dir() else \
        (find_model_dir(PREFIX + style) if "/" not in style else None)
    if folder is not None:
        _, data = load_style_net(style)
        if data.get("style") in STYLE_IMAGES:
            return style_image(data["style"])
        if (folder / "style.png").is_file():       # a user's image: its copy in the folder
            return load_picture(folder / "style.png").rgb
    raise InputError(f"unknown style {style!r}: give a style name ({', '.join(STYLE_IMAGES)}) "
                     "an image file, or a folder from `turbogen train style`")


def fit_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    """(w, h) with the longer side `long_side`, aspect kept, neither side under MIN_SIDE."""
    scale = long_side / max(width, height)
    return max(MIN_SIDE, round(width * scale)), max(MIN_SIDE, round(height * scale))


def resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if (rgb.shape[1], rgb.shape[0]) == size:
        return rgb
    shrink = size[0] <= rgb.shape[1]
    method = Image.Resampling.BOX if shrink else Image.Resampling.BICUBIC
    return np.asarray(Image.fromarray(rgb).resize(size, method))


def to_tensor(rgb: np.ndarray, dev: torch.device) -> torch.Tensor:
    """(H, W, 3) uint8 -> (1, 3, H, W) float 0..1, contiguous."""
    return (torch.from_numpy(np.array(rgb)).to(dev).permute(2, 0, 1)[None].float() / 255.0) \
        .contiguous()


def to_rgb(x: torch.Tensor) -> np.ndarray:
    return (x[0].detach().float().clamp(0, 1) * 255).round().byte().permute(1, 2, 0).cpu() \
        .numpy()


def gatys(content: np.ndarray, style: np.ndarray, steps: int = 200,
          weights: StyleWeights = StyleWeights(), seed: int = 0, callback=None) -> np.ndarray:
    """Gatys et al. 2016 with L-BFGS from the content image plus a little noise (`seed`);
    `steps` loss evaluations; `callback(step, parts)` after each."""
    dev = device()
    vgg = load_vgg16(weights.layers()).to(dev)
    generator = torch.Generator().manual_seed(seed)
    # 1. the style image at the content's scale: Gram statistics depend on the stroke size
    style = resize(style, fit_size(style.shape[1], style.shape[0], max(content.shape[:2])))
    loss_fn = StyleLoss(vgg, to_tensor(style, dev), weights)
    # 2. the content target and the starting image
    target = to_tensor(content, dev)
    content_target = loss_fn.content_target(target)
    noise = torch.randn(target.shape, generator=generator).to(dev) * 0.02
    x = (target + noise).clamp(0, 1).requires_grad_(True)
    # 3. optimise the pixels
    optimizer = torch.optim.LBFGS([x], lr=1.0, max_iter=steps, history_size=20,
                                  tolerance_grad=0, tolerance_change=0)
    count = [0]

    def closure():
        optimizer.zero_grad()
        with torch.no_grad():
            x.clamp_(0, 1)
        loss, parts = loss_fn(x, content_target)
        loss.backward()
        count[0] += 1
        if callback is not None:
            callback(count[0], parts)
        return loss
    optimizer.step(closure)
    return to_rgb(x)


@lru_cache(maxsize=8)
def accelerated_style_net(name_or_dir: str) -> torch.nn.Module:
    """The style network under bf16 autocast + channels_last where bf16 is native (CUDA, or a
    CPU with avx512_bf16): 10.0 vs 6.9 images/s at 256 px, one image, one thread, output
    58.6 dB PSNR from fp32's (benchmarks/stylize_speed.py); fp32 channels_last elsewhere."""
    from ..accel.autocast import cpu_has_fast_bf16
    from ..accel.image_model import accelerate
    net = load_style_net(name_or_dir)[0]
    fast_bf16 = device().type == "cuda" or cpu_has_fast_bf16()
    return accelerate(copy.deepcopy(net), "bf16" if fast_bf16 else "fp32")


@torch.inference_mode()
def fast(content: np.ndarray, net: torch.nn.Module) -> np.ndarray:
    """One pass of a trained TransformerNet."""
    return to_rgb(net(to_tensor(content, next(net.parameters()).device)))


METHODS = ("gatys", "fast", "adain")


def output_size(picture: Picture, size: int | None, method: str) -> tuple[int, int]:
    """Gatys defaults to 256 px on the longer side (it is slow); the one-pass methods keep the
    photo's size up to MAX_FAST_SIDE."""
    h, w = picture.rgb.shape[:2]
    if size is None:
        size = 256 if method == "gatys" else min(max(w, h), MAX_FAST_SIDE)
    return fit_size(w, h, size)


def _run(method: str, content: np.ndarray, style: str, *, steps: int, seed: int, alpha: float,
         model: str, callback) -> np.ndarray:
    if method == "fast":
        return fast(content, accelerated_style_net(style))
    if method == "adain":
        from .adain import fast_bf16, load_adain, stylize_adain
        net = load_adain(model)[0]
        # the style at the content's scale, as for Gatys: its statistics depend on stroke size
        style_rgb = style_pixels(style)
        style_rgb = resize(style_rgb, fit_size(style_rgb.shape[1], style_rgb.shape[0],
                                               max(content.shape[:2])))
        return stylize_adain(net, content, style_rgb, alpha, bf16=fast_bf16(net))
    torch.manual_seed(seed)
    return gatys(content, style_pixels(style), steps, seed=seed, callback=callback)


def stylize_picture(picture: Picture, style: str, *, method: str = "gatys", steps: int = 200,
                    size: int | None = None, seed: int = 0, alpha: float = 1.0,
                    model: str = "adain", callback=None) -> tuple[Picture, dict]:
    """The stylised Picture (alpha channel resized and kept) and a report (method, size,
    seconds). `method`: gatys | fast | adain; `alpha` and `model` are AdaIN's."""
    # 1. fit the photo
    w, h = output_size(picture, size, method)
    content = resize(picture.rgb, (w, h))
    # 2. stylise
    start = time.perf_counter()
    rgb = _run(method, content, style, steps=steps, seed=seed, alpha=alpha, model=model,
               callback=callback)
    seconds = time.perf_counter() - start
    # 3. the alpha channel follows the new size
    mask = None
    if picture.alpha is not None:
        mask = np.asarray(Image.fromarray(picture.alpha).resize((w, h),
                                                                Image.Resampling.BILINEAR))
    notes = list(picture.notes)
    if (w, h) != (picture.rgb.shape[1], picture.rgb.shape[0]):
        notes.append(f"resized from {picture.rgb.shape[1]}x{picture.rgb.shape[0]} to {w}x{h}")
    report = {"method": method, "style": style, "width": w, "height": h,
              "seconds": round(seconds, 3)}
    if method == "adain":
        report.update(alpha=alpha, model=model)
    return Picture(rgb, mask, notes), report


def check_style(style: str, method: str, *, alpha: float = 1.0, model: str = "adain") -> None:
    """Everything about --style, --alpha and --model that can fail, checked before any slow
    work or output."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if not 0.0 <= alpha <= 1.0:
        raise InputError(f"--alpha must be between 0 (the photo) and 1 (full style), got {alpha:g}")
    if method == "fast":
        if Path(style).is_file():
            raise InputError(f"--fast needs a trained network and {style} is an image file: "
                             "use --method adain (any style image, one pass) or drop --fast "
                             "(Gatys), or train one with "
                             f"`turbogen train style --style {style} --out DIR` and pass "
                             "--style DIR --fast")
        load_style_net(style)
        return
    from ..models.vgg import hed_weights_path
    hed_weights_path()
    if method == "adain":
        from .adain import load_adain
        load_adain(model)
    style_pixels(style)
