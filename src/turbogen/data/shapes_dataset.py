"""Shapes World as a torch Dataset: item i is example i of `sample_example(seed, i)`.

Items are built on first access and kept as uint8 (12 KB at 64 px instead of 48 KB as float),
so a DataLoader epoch after the first costs only the float conversion. Each DataLoader worker
keeps its own cache; items are deterministic, so workers agree.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset

from ..errors import InputError
from .shapes_render import MAX_SIZE, MIN_SIZE
from .shapes_sampler import Example, sample_example


class ShapesDataset(Dataset):
    """`n` Shapes World scenes from `seed`, rendered at `size` px.

    Item: {"image": float32 (3, size, size) in 0..1, "plan": ScenePlan, "caption": str,
    "facts": dict}. The same (seed, i, size) always gives the same item, and the same pixels
    and caption as file i of `write_shapes_dataset(..., seed=seed, size=size)`.
    """

    def __init__(self, n: int, seed: int = 0, size: int = 64) -> None:
        if n < 1:
            raise InputError(f"a dataset holds at least 1 scene, got n={n}")
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise InputError(f"image size must be in {MIN_SIZE}..{MAX_SIZE} px, got {size}")
        self.n, self.seed, self.size = n, seed, size
        self._cache: list[Example | None] = [None] * n

    def __len__(self) -> int:
        return self.n

    def example(self, index: int) -> Example:
        if not -self.n <= index < self.n:
            raise IndexError(f"index {index} out of range for {self.n} scenes")
        index %= self.n
        if self._cache[index] is None:
            self._cache[index] = sample_example(self.seed, index, self.size)
        return self._cache[index]

    def __getitem__(self, index: int) -> dict:
        ex = self.example(index)
        image = torch.from_numpy(np.ascontiguousarray(ex.image.transpose(2, 0, 1)))  # (3, H, W)
        return {"image": image.float().div_(255.0), "plan": ex.plan,
                "caption": ex.caption.text, "facts": ex.caption.facts}


def collate_shapes(items: list[dict]) -> dict:
    """DataLoader collate: images stacked to (B, 3, H, W); plans, captions, facts as lists."""
    return {"image": torch.stack([item["image"] for item in items]),
            "plan": [item["plan"] for item in items],
            "caption": [item["caption"] for item in items],
            "facts": [item["facts"] for item in items]}
