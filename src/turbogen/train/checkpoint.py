"""Training checkpoints that survive a kill at any moment: safetensors + JSON, never pickle.

A checkpoint is a folder `step-0001234/` written whole or not at all (io_atomic); the file
`latest` names the newest one and is replaced atomically after it is complete, so a reader
sees either the old checkpoint or the new one. Older folders are removed afterwards.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from ..errors import InputError
from ..io_atomic import atomic_directory, atomic_write_text

LATEST = "latest"


def optimizer_to_files(optimizer: torch.optim.Optimizer) -> tuple[dict, dict]:
    """(tensors, JSON) of an optimizer's state_dict: tensors as 'state.<param>.<key>'."""
    sd = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in sd["state"].items():
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"state.{index}.{key}"] = value.detach().contiguous().cpu()
            else:
                scalars[f"{index}.{key}"] = value
    return tensors, {"param_groups": sd["param_groups"], "scalars": scalars}


def optimizer_from_files(tensors: dict, meta: dict) -> dict:
    state: dict[int, dict] = {}
    for name, value in tensors.items():
        _, index, key = name.split(".", 2)
        state.setdefault(int(index), {})[key] = value
    for name, value in meta.get("scalars", {}).items():
        index, key = name.split(".", 1)
        state.setdefault(int(index), {})[key] = value
    return {"state": state, "param_groups": meta["param_groups"]}


def save_checkpoint(folder: str | Path, step: int, tensors: dict[str, dict[str, torch.Tensor]],
                    meta: dict, keep: int = 1) -> Path:
    """Write `{name}.safetensors` per entry of `tensors` plus state.json; point `latest` at it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"step-{step:07d}"
    with atomic_directory(target, overwrite=True) as tmp:
        for name, group in tensors.items():
            save_file({k: v.detach().contiguous().cpu() for k, v in group.items()},
                      str(tmp / f"{name}.safetensors"))
        (tmp / "state.json").write_text(json.dumps(meta), encoding="utf-8")
    atomic_write_text(folder / LATEST, target.name + "\n")
    old = sorted(p for p in folder.glob("step-*") if p.is_dir() and p.name != target.name)
    for path in old[:max(len(old) - (keep - 1), 0)]:
        shutil.rmtree(path, ignore_errors=True)
    return target


def latest_checkpoint(folder: str | Path) -> Path | None:
    pointer = Path(folder) / LATEST
    if not pointer.is_file():
        return None
    path = Path(folder) / pointer.read_text(encoding="utf-8").strip()
    if not (path / "state.json").is_file():
        raise InputError(f"checkpoint {path} named by {pointer} is missing or incomplete")
    return path


def earlier_run(checkpoints: str | Path, resume: bool, elsewhere: str = "--out") -> Path | None:
    """The newest checkpoint of an earlier run in `checkpoints` (None: a fresh start);
    InputError when there is one and the caller did not ask to resume it, rather than
    training over it. `elsewhere`: the options that choose another folder."""
    path = latest_checkpoint(checkpoints)
    if path is not None and not resume:
        raise InputError(f"{checkpoints} holds a checkpoint of an earlier run; pass --resume "
                         f"to continue it, or choose another {elsewhere}")
    return path


def load_checkpoint(path: str | Path) -> tuple[dict[str, dict[str, torch.Tensor]], dict]:
    """(tensors by file name, state.json) of one checkpoint folder."""
    path = Path(path)
    tensors = {p.name.removesuffix(".safetensors"): load_file(str(p))
               for p in sorted(path.glob("*.safetensors"))}
    meta = json.loads((path / "state.json").read_text(encoding="utf-8"))
    return tensors, meta
