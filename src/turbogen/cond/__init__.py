"""Conditioning: ScenePlan and prompt -> the tensors a denoiser reads (`cond` dicts)."""
from .batch import TEXT_DIM, drop_cond, make_cond, null_cond
from .layout import LAYOUT_CHANNELS, layout_batch, layout_maps

__all__ = ["LAYOUT_CHANNELS", "TEXT_DIM", "drop_cond", "layout_batch", "layout_maps",
           "make_cond", "null_cond"]
