"""The verifier's learned part: a small CNN that names the shape in a coverage crop.

Input (B, 1, P, P): one object's coverage (0 background .. 1 covered), centred and scaled by
verify/crops.py. Output (B, len(shapes)) logits. Everything else the verifier reports (colour,
box, size, background) is measured exactly by verify/segment.py and verify/geometry.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..configs import config_from_dict, config_to_dict
from ..errors import InputError
from ..world import SHAPES

CONFIG_FILE, WEIGHTS_FILE = "config.json", "model.safetensors"


@dataclass(frozen=True)
class ShapeClassifierConfig:
    crop_px: int = 24                            # side of the crop the network reads
    widths: tuple[int, ...] = (12, 24, 48)       # channels per stage; each stage after the
                                                 # first halves the resolution (24 -> 12 -> 6)
    shapes: tuple[str, ...] = SHAPES             # class order of the logits
    window_scale: float = 1.3                    # crop window = scale * extent + margin ...
    window_margin_px: float = 2.0                # ... so a blurred rim stays inside it


def _conv(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class ShapeClassifier(nn.Module):
    def __init__(self, config: ShapeClassifierConfig = ShapeClassifierConfig()) -> None:
        super().__init__()
        self.config = config
        # One conv at full resolution (the input is a single smooth channel), two per later stage.
        layers, c_in = [_conv(1, config.widths[0], 1)], config.widths[0]
        for width in config.widths[1:]:
            layers += [_conv(c_in, width, stride=2), _conv(width, width, 1)]
            c_in = width
        self.features = nn.Sequential(*layers)
        # A 3 x 3 pool keeps where mass sits (a triangle's is low, a star's spread): a global
        # average would throw that away.
        self.pool = nn.AdaptiveAvgPool2d(3)
        self.head = nn.Linear(c_in * 9, len(config.shapes))

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.features(crops))        # (B, C, 3, 3)
        return self.head(x.flatten(1))             # (B, n_shapes)


def save_classifier(model: ShapeClassifier, folder: str | Path) -> None:
    """config.json + model.safetensors in `folder` (which must exist)."""
    from safetensors.torch import save_file

    folder = Path(folder)
    (folder / CONFIG_FILE).write_text(json.dumps(config_to_dict(model.config), indent=2) + "\n")
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})


def load_classifier(folder: str | Path) -> ShapeClassifier:
    """A classifier from config.json + model.safetensors, in eval mode (never torch.load)."""
    from safetensors.torch import load_file

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"verifier weights folder {folder} does not exist")
    for name in (CONFIG_FILE, WEIGHTS_FILE):
        if not (folder / name).is_file():
            raise InputError(f"verifier weights folder {folder} has no {name}; expected "
                             f"{CONFIG_FILE} and {WEIGHTS_FILE} (see turbogen train verifier)")
    try:
        raw = json.loads((folder / CONFIG_FILE).read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"{folder / CONFIG_FILE} is not valid JSON: {err.msg}") from None
    config = config_from_dict(ShapeClassifierConfig, raw, where=str(folder / CONFIG_FILE))
    model = ShapeClassifier(config)
    model.load_state_dict(load_file(str(folder / WEIGHTS_FILE)))
    return model.eval()
