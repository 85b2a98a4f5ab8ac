"""Frozen config dataclasses <-> JSON dicts: one `config.json` beside each `model.safetensors`."""
from __future__ import annotations

import dataclasses
import typing

from .errors import InputError


def config_to_dict(config) -> dict:
    """Plain JSON-ready dict of a config dataclass (tuples become lists)."""
    return dataclasses.asdict(config)


def config_from_dict(cls, data: object, where: str = "config"):
    """Build `cls` from a dict, naming unknown or ill-typed keys; missing keys take defaults."""
    if not isinstance(data, dict):
        raise InputError(f"{where} must be a JSON object, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(fields)
    if unknown:
        raise InputError(f"{where} has unknown key(s) {sorted(unknown)}; "
                         f"known: {', '.join(fields)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in data.items():
        origin = typing.get_origin(hints[key])
        if origin is tuple and isinstance(value, list):
            value = tuple(value)
        values[key] = value
    try:
        return cls(**values)
    except (TypeError, ValueError) as err:
        raise InputError(f"{where} is not valid: {err}") from None
