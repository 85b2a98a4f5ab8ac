"""A prompt-embedding cache: each distinct prompt text goes through MiniLM once per process.

MiniLM (22.7M parameters) costs more than one small UNet step per prompt on a CPU; batch jobs
and servers see the same prompts (and the same phrases from a planner's templates) again and
again, and the vector is a pure function of the text.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

import numpy as np

from .model import AccelModel

DEFAULT_SIZE = 4096


class CachedEncoder:
    """texts -> (N, 384) like the wrapped encoder, encoding only texts it has not seen (LRU)."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], size: int = DEFAULT_SIZE):
        self.encode, self.size = encode, size
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = self.misses = 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            for text, vec in zip(missing, np.asarray(self.encode(missing), np.float32)):
                self.vectors[text] = vec
        self.misses += len(missing)
        self.hits += len(texts) - len(missing)
        out = np.stack([self.vectors[t] for t in texts])
        for text in texts:
            self.vectors.move_to_end(text)
        while len(self.vectors) > self.size:
            self.vectors.popitem(last=False)
        return out


def text_cache(model: AccelModel, arg: str | None = None) -> AccelModel:
    return model.then("cache", text_cache=True)
