"""Tiny labelled image folders and trained-in-seconds classic models for the tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from turbogen.cli.main import main


def write_folder(root: Path, n_per_class: int = 8, size: int = 8, classes=("bar", "dot")) -> Path:
    """Class 'bar': a bright vertical bar; 'dot': a bright centre square; a little noise."""
    rng = np.random.default_rng(0)
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            a = rng.integers(0, 30, (size, size)).astype(np.uint8)
            if k == 0:
                a[:, size // 2 - 1:size // 2 + 1] = 230
            else:
                a[size // 2 - 2:size // 2 + 2, size // 2 - 2:size // 2 + 2] = 230
            Image.fromarray(a, "L").save(root / name / f"{i:03d}.png")
    return root


def train_tiny(kind: str, data: Path, out: Path, *extra: str) -> int:
    """A one-or-two-step run through the CLI; returns the exit code."""
    return main(["train", kind, "--data", str(data), "--out", str(out), "--epochs", "2",
                 "--batch-size", "8", "--width", "4", "--classifier", "none", *extra])
