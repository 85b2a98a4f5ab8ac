"""A batch's conditioning as the dict every denoiser takes: {"layout": maps, "text": vector}.

"layout": (B, 15, H, W) box-masked attribute maps (layout.py), last channel = present flag.
"text":   (B, 385) unit-norm MiniLM prompt embedding followed by a present flag.
Dropping either (zeros, flag 0) gives the unconditional branch of classifier-free guidance and,
with the layout always dropped, a text-only model.
"""
from __future__ import annotations

import numpy as np
import torch

from .layout import PRESENT_CH, layout_batch

TEXT_DIM = 384      # all-MiniLM-L6-v2


def make_cond(plans, text_emb: np.ndarray | torch.Tensor | None, *, size: int = 64,
              device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
    """Conditioning for len(plans) images; `text_emb` (B, 384) or None for no text.

    A plan may be None (no layout) for text-only generation.
    """
    n = len(plans)
    given = [p for p in plans if p is not None]
    maps = np.zeros((n, PRESENT_CH + 1, size, size), dtype=np.float32)
    if given:
        maps[[i for i, p in enumerate(plans) if p is not None]] = layout_batch(given, size)
    text = torch.zeros(n, TEXT_DIM + 1)
    if text_emb is not None:
        emb = torch.as_tensor(np.asarray(text_emb, dtype=np.float32))
        if emb.shape != (n, TEXT_DIM):
            raise ValueError(f"text embeddings must be ({n}, {TEXT_DIM}), got {tuple(emb.shape)}")
        text[:, :TEXT_DIM] = emb
        text[:, TEXT_DIM] = 1.0
    return {"layout": torch.from_numpy(maps).to(device), "text": text.to(device)}


def drop_cond(cond: dict[str, torch.Tensor], drop_layout: torch.Tensor,
              drop_text: torch.Tensor) -> dict[str, torch.Tensor]:
    """Zero the layout / text (flags included) of the examples whose mask is True; (B,) bools."""
    keep_layout = (~drop_layout).to(cond["layout"].dtype)[:, None, None, None]
    keep_text = (~drop_text).to(cond["text"].dtype)[:, None]
    return {"layout": cond["layout"] * keep_layout, "text": cond["text"] * keep_text}


def null_cond(cond: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Everything dropped: the unconditional branch of classifier-free guidance."""
    return {key: torch.zeros_like(value) for key, value in cond.items()}
