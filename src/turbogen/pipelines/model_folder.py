"""A model folder on disk: config.json + model.safetensors, by path or bundled name.

Shared by every loader (text2img, classic GAN/DCGAN/VAE): where a name points, the checks that
a folder is a finished checkpoint, and loading weights with safetensors only, each failure an
InputError that says what is wrong.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from ..errors import InputError

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"


def find_model_dir(name_or_path: str | Path) -> Path | None:
    """A folder path, or the name of a checkpoint bundled in turbogen/weights/; None if neither."""
    path = Path(name_or_path)
    if path.is_dir():
        return path
    bundled = WEIGHTS_DIR / str(name_or_path)
    if "/" not in str(name_or_path) and bundled.is_dir():
        return bundled
    return None


def read_model_folder(folder: Path, train_command: str) -> tuple[dict, Path, Path]:
    """(config.json's data, its path, the weights' path) of a finished checkpoint."""
    config_file, weights_file = folder / "config.json", folder / "model.safetensors"
    for file in (config_file, weights_file):
        if not file.is_file():
            raise InputError(f"model folder {folder} has no {file.name}: not a finished "
                             f"checkpoint (`{train_command}` writes both at the end)")
    try:
        data = json.loads(config_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{config_file} is not valid JSON: {err}") from None
    return data, config_file, weights_file


def load_weights(module: torch.nn.Module, weights_file: Path, config_file: Path) -> None:
    """Fill `module` from a safetensors file; InputError for a damaged or mismatched one."""
    try:
        module.load_state_dict(load_file(str(weights_file)))
    except (RuntimeError, OSError, SafetensorError) as err:   # wrong shapes, truncated file
        raise InputError(f"{weights_file} is damaged or does not match {config_file}: "
                         f"{str(err).splitlines()[0]}") from None
