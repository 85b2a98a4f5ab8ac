"""Layout maps and conditioning dicts for known plans."""
import numpy as np
import pytest
import torch

from turbogen.cond import LAYOUT_CHANNELS, drop_cond, layout_maps, make_cond, null_cond
from turbogen.cond.layout import (BACKGROUND_CH, COLOR_CH, OCCUPANCY_CH, PRESENT_CH, SHAPE_CH,
                                  UV_CH)
from turbogen.plan.scene_plan import ScenePlan

PLAN = ScenePlan.from_dict({"background": "black", "objects": [
    {"shape": "square", "color": "red", "size": "medium", "box": [0.25, 0.25, 0.5, 0.5]},
    {"shape": "star", "color": "blue", "size": "small", "box": [0.6, 0.1, 0.755, 0.255]}]})


def test_shapes_and_background_everywhere():
    maps = layout_maps(PLAN)
    assert maps.shape == (LAYOUT_CHANNELS, 64, 64) and maps.dtype == np.float32
    black = np.array([15, 15, 15]) / 127.5 - 1
    assert np.allclose(maps[BACKGROUND_CH], black[:, None, None])
    assert np.all(maps[PRESENT_CH] == 1)


def test_pixel_aligned_box_values():
    maps = layout_maps(PLAN)
    inside = maps[:, 16:32, 16:32]                 # the square covers pixels 16..31 exactly
    assert np.all(inside[SHAPE_CH][1] == 1) and np.all(inside[SHAPE_CH][[0, 2, 3, 4]] == 0)
    red = np.array([220, 40, 40]) / 127.5 - 1
    assert np.allclose(inside[COLOR_CH], red[:, None, None])
    assert np.all(inside[OCCUPANCY_CH] == 1)
    # pixel centres: column 16 sits at 16.5 / 64, i.e. u = -15/16; column 31 at u = +15/16
    assert inside[UV_CH.start][0, 0] == pytest.approx(-15 / 16)
    assert inside[UV_CH.start][0, -1] == pytest.approx(15 / 16)
    assert inside[UV_CH.start + 1][0, 0] == pytest.approx(-15 / 16)   # v runs downwards
    ring = np.ones((64, 64), bool)
    ring[16:32, 16:32] = False
    ring[0:17, 38:49] = False                      # the star's box
    assert np.all(maps[:BACKGROUND_CH.start][:, ring] == 0)


def test_fractional_occupancy_at_unaligned_edges():
    occ = layout_maps(PLAN)[OCCUPANCY_CH]
    # star box x from 0.6 * 64 = 38.4 to 48.32: pixel 38 is 60% covered, pixel 48 32%
    assert occ[10, 38] == pytest.approx(0.6, abs=1e-4)
    assert occ[10, 48] == pytest.approx(0.32, abs=1e-4)
    assert occ[10, 40] == pytest.approx(1.0)
    assert occ[10, 49] == 0


def test_make_cond_and_dropping():
    emb = np.random.default_rng(0).standard_normal((2, 384)).astype(np.float32)
    cond = make_cond([PLAN, None], emb)
    assert cond["layout"].shape == (2, 15, 64, 64) and cond["text"].shape == (2, 385)
    assert cond["layout"][1].abs().sum() == 0      # no plan: no layout, flag off
    assert cond["text"][:, 384].tolist() == [1.0, 1.0]
    no_text = make_cond([PLAN], None)["text"]
    assert no_text.abs().sum() == 0
    dropped = drop_cond(cond, torch.tensor([True, False]), torch.tensor([False, True]))
    assert dropped["layout"][0].abs().sum() == 0 and dropped["layout"][1].abs().sum() == 0
    assert torch.equal(dropped["text"][0], cond["text"][0]) and dropped["text"][1].abs().sum() == 0
    assert all(v.abs().sum() == 0 for v in null_cond(cond).values())
    with pytest.raises(ValueError, match="384"):
        make_cond([PLAN], emb)
