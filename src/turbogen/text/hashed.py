"""A stand-in text encoder for tests and tiny recipes: no model, no load time.

Each word gets a fixed pseudo-random unit vector (from a hash of the word); a text is the
normalised mean of its words' vectors, (N, 384) like MiniLM. It knows no synonyms: only for
checking that code runs, never for a model that should understand prompts.
"""
from __future__ import annotations

import hashlib

import numpy as np

DIM = 384


def _word_vector(word: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
    return np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)


def encode(texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        words = text.lower().split() or [""]
        v = np.mean([_word_vector(w) for w in words], axis=0)
        out[i] = v / max(float(np.linalg.norm(v)), 1e-8)
    return out
