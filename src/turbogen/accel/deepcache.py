"""DeepCache (Ma, Fang & Wang, CVPR 2024): reuse the UNet's deep features across sampler steps.

Between neighbouring steps the UNet's low-resolution features change little, while the first
level (full resolution) follows the image closely. So every `interval`-th network call runs
the whole UNet and keeps `deep` (what enters the first level's up block); the calls between
run only the first level (stem, its down blocks, its up block, the output layer) on that cached
`deep`. Training-free; the cost is a staler deep path, measured in `turbogen bench` (PSNR vs
exact renders, faithfulness).

The cache belongs to one sampling run: `start_run()` (pipelines.text2img.start_run, before
every draw and masked redraw) empties it, and so does a call whose batch shape differs or whose
t is later than the last one's (samplers go from t = 1 to 0), so a run can never see another
run's features.
"""
from __future__ import annotations

import contextlib

import torch

from ..errors import AccelError
from .autocast import FastDenoiser, _channels_last
from .model import AccelModel


class DeepCacheDenoiser:
    """`(x, t, cond) -> v`: the whole UNet every `interval` calls, its first level otherwise."""

    def __init__(self, net: torch.nn.Module, interval: int, dtype: torch.dtype | None = None,
                 channels_last: bool = False) -> None:
        self.net, self.interval, self.dtype = net, interval, dtype
        self.channels_last = channels_last
        self.start_run()

    def start_run(self) -> None:
        self.deep, self.calls, self.last_t, self.shape = None, 0, None, None

    def parameters(self):           # pipelines.text2img.model_device reads the weights' device
        return self.net.parameters()

    def __call__(self, x: torch.Tensor, t: torch.Tensor, cond: dict) -> torch.Tensor:
        if t.ndim == 0:
            t = t.expand(x.shape[0])
        t_now = float(t.max())
        if self.shape != x.shape or (self.last_t is not None and t_now > self.last_t):
            self.start_run()
        if self.channels_last:
            x, cond = _channels_last(x), _channels_last(cond)
        context = torch.autocast(x.device.type, dtype=self.dtype) if self.dtype is not None \
            else contextlib.nullcontext()
        net = self.net
        with context:
            emb = net.embed(t, cond)
            skip = net.shallow_down(x, cond, emb)
            if self.deep is None or self.calls % self.interval == 0:
                self.deep = net.deep(skip, emb)
            out = net.shallow_up(self.deep, skip, emb)
        self.calls, self.last_t, self.shape = self.calls + 1, t_now, x.shape
        return out.float()


def deepcache(model: AccelModel, arg: str | None = None) -> AccelModel:
    """The `deepcache=N` method: the whole UNet every N-th call (N from 2 to 10)."""
    if not arg or not arg.isdigit() or not 2 <= int(arg) <= 10:
        raise AccelError(f"deepcache needs how often the whole UNet runs, every 2nd to 10th "
                         f"call, e.g. deepcache=2; got {arg!r}")
    net = model.torch_net("deepcache")
    if not all(hasattr(net, part) for part in ("shallow_down", "deep", "shallow_up")):
        raise AccelError("deepcache needs a UNet split into levels (models/unet.py); this "
                         f"network is a {type(net).__name__}")
    current = model.denoiser
    fast = isinstance(current, FastDenoiser)
    return model.then(f"deepcache={arg}", denoiser=DeepCacheDenoiser(
        net, int(arg), current.dtype if fast else None, channels_last=fast))
