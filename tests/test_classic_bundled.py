"""Every bundled classic checkpoint loads, draws, and carries its card and samples."""
import json

import pytest
import torch

from turbogen.pipelines.classic_model import GENERATOR_KINDS, WEIGHTS_DIR, load_classic
from turbogen.pipelines.classic_sample import sample

BUNDLED = sorted(p.name for p in WEIGHTS_DIR.iterdir() if (p / "config.json").is_file()
                 and json.loads((p / "config.json").read_text()).get("kind")
                 in (*GENERATOR_KINDS, "classifier"))


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_loads_and_runs(name):
    model = load_classic(name)
    folder = WEIGHTS_DIR / name
    assert (folder / "card.md").is_file()
    assert (folder / "model.safetensors").stat().st_size < 8e6         # a few MB at most
    c = model.config
    if model.kind == "classifier":
        out = model.module(torch.rand(2, c.channels, c.image_size, c.image_size))
        assert out.shape == (2, c.num_classes)
        return
    assert (folder / "samples.png").is_file()
    images, labels = sample(model, 4, seed=0)
    assert images.shape == (4, c.channels, c.image_size, c.image_size)
    assert 0 <= images.min() and images.max() <= 1
    assert (labels is not None) == model.conditional     # cluster-trained models: unconditional
