"""Our plain-torch MiniLM against sentence-transformers on the same weights."""
import numpy as np
import pytest

TEXTS = ["three small red stars above a large blue circle on black", "a red circle",
         "Two GREEN squares, no blue things!", "x", "a crimson rhombus in the top left corner "
         "to the left of 2 aqua discs against a gray backdrop, without triangles"]


@pytest.mark.slow
def test_matches_sentence_transformers():
    from turbogen.text import minilm, minilm_torch
    ours, ref = minilm_torch.encode(TEXTS, batch_size=2), minilm.encode(TEXTS)
    assert ours.shape == (5, 384)
    assert np.abs(ours - ref).max() < 1e-5


@pytest.mark.slow
def test_batching_does_not_change_vectors():
    from turbogen.text import minilm_torch
    one = np.concatenate([minilm_torch.encode([t]) for t in TEXTS])
    assert np.abs(one - minilm_torch.encode(TEXTS)).max() < 1e-5
