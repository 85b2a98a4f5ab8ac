"""Run an image-to-image network tile by tile, so memory stays flat on any image size.

Each tile is cut with `pad` extra input pixels of context on every side, the network runs on
the padded tile, and only the output of the tile's own region is kept (as Real-ESRGAN's
`tile_pad` does). When `pad` covers the network's receptive-field radius, every kept output
pixel saw exactly the neighbourhood it would have seen untiled, so there are no seams: tiled
and untiled outputs agree up to float rounding.
"""
from __future__ import annotations

from typing import Callable

import torch


def run_tiled(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, scale: int = 1,
              tile: int = 256, pad: int = 16) -> torch.Tensor:
    """fn on (B, C, H, W) -> (B, C', H*scale, W*scale), computed over tiles of `tile` px."""
    _, _, h, w = x.shape
    if h <= tile and w <= tile:
        return fn(x)
    out = None
    for top in range(0, h, tile):
        for left in range(0, w, tile):
            bottom, right = min(top + tile, h), min(left + tile, w)
            t0, l0 = max(top - pad, 0), max(left - pad, 0)
            piece = fn(x[:, :, t0:min(bottom + pad, h), l0:min(right + pad, w)])
            if out is None:
                out = piece.new_empty(x.shape[0], piece.shape[1], h * scale, w * scale)
            dy, dx = (top - t0) * scale, (left - l0) * scale    # where the core starts in piece
            out[:, :, top * scale:bottom * scale, left * scale:right * scale] = \
                piece[:, :, dy:dy + (bottom - top) * scale, dx:dx + (right - left) * scale]
    return out
