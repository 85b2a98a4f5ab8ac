"""Shapes World renderer and scene sampler: exact colours, shape geometry, determinism."""
import math

import numpy as np
import pytest
from PIL import Image

from turbogen.data.shapes_render import coverage, render, render_image, save_png
from turbogen.data.shapes_sampler import JITTER, sample_scene
from turbogen.errors import InputError
from turbogen.plan.rules import consistency_problems
from turbogen.plan.scene_plan import SceneObject, ScenePlan
from turbogen.world import BACKGROUNDS, COLORS, MAX_OBJECTS, SIZES_PX

RED, BLACK, WHITE = COLORS["red"], BACKGROUNDS["black"], BACKGROUNDS["white"]


def one(shape, box, color="red", background="black", size="large"):
    return ScenePlan(background=background,
                     objects=(SceneObject(shape=shape, color=color, size=size, box=box),))


def px(image, x, y):
    return tuple(int(c) for c in image[y, x])


def test_big_square_is_exactly_its_colour_inside_and_background_outside():
    image = render(one("square", (0.25, 0.25, 0.75, 0.75)))
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8
    assert px(image, 32, 32) == RED
    assert px(image, 16, 16) == RED and px(image, 47, 47) == RED      # pixel-aligned edges
    assert px(image, 15, 32) == BLACK and px(image, 48, 32) == BLACK


def test_circle_leaves_box_corners_to_the_background():
    image = render(one("circle", (0.25, 0.25, 0.75, 0.75), background="white"))
    assert px(image, 32, 32) == RED
    assert px(image, 16, 16) == WHITE and px(image, 47, 47) == WHITE


def test_edges_are_anti_aliased():
    # The left edge falls in the middle of pixel column 10: half covered, half background.
    image = render(one("square", (10.5 / 64, 0.25, 0.75, 0.75)))
    half = tuple(round((c + b) / 2) for c, b in zip(RED, BLACK))
    assert max(abs(a - b) for a, b in zip(px(image, 10, 32), half)) <= 1
    # A circle's rim has many levels strictly between background and colour.
    image = render(one("circle", (0.1, 0.1, 0.9, 0.9)))
    red = image[..., 0]
    assert len(np.unique(red[(red > BLACK[0]) & (red < RED[0])])) > 10


@pytest.mark.parametrize("shape, fraction", [
    ("square", 1.0), ("circle", math.pi / 4), ("triangle", 0.5), ("diamond", 0.5),
    ("star", 1.1226 / 4),    # regular pentagram with outer radius 1 has area 1.1226
])
def test_each_shape_covers_the_right_share_of_its_box(shape, fraction):
    box = (0.2, 0.2, 0.2 + 40 / 64, 0.2 + 40 / 64)
    _, _, alpha = coverage(SceneObject(shape, "red", "large", box), 64)
    assert alpha.sum() / 40 ** 2 == pytest.approx(fraction, rel=0.02)


def test_triangle_points_up_and_star_has_a_top_point():
    box = (0.25, 0.25, 0.75, 0.75)           # pixels 16..47
    tri = render(one("triangle", box))
    assert px(tri, 31, 17) != BLACK and px(tri, 18, 17) == BLACK       # narrow near the apex
    assert px(tri, 18, 46) == RED and px(tri, 45, 46) == RED            # wide at the base
    star = render(one("star", box))
    assert px(star, 31, 20) == RED and px(star, 27, 18) == BLACK        # a sharp top point
    assert px(star, 31, 46) == BLACK                                    # between the two feet
    assert px(star, 31, 32) == RED


def test_diamond_touches_edge_midpoints_not_corners():
    image = render(one("diamond", (0.25, 0.25, 0.75, 0.75)))
    assert px(image, 32, 17) == RED and px(image, 17, 32) == RED
    assert px(image, 17, 17) == BLACK and px(image, 46, 46) == BLACK


def test_later_objects_paint_over_earlier_ones():
    box = (0.25, 0.25, 0.75, 0.75)
    objects = (SceneObject("square", "red", "large", box),
               SceneObject("square", "blue", "large", box))
    image = render(ScenePlan(background="gray", objects=objects))
    assert px(image, 32, 32) == COLORS["blue"]


def test_render_is_deterministic_and_scales():
    plan = sample_scene(np.random.default_rng(5), 6)
    assert np.array_equal(render(plan), render(plan))
    assert render(plan, 32).shape == (32, 32, 3)
    assert render_image(plan, 48).size == (48, 48)
    with pytest.raises(InputError, match="size"):
        render(plan, 0)


def test_save_png_round_trips_pixels(tmp_path):
    plan = sample_scene(np.random.default_rng(1))
    save_png(plan, tmp_path / "a.png")
    save_png(render(plan), tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert np.array_equal(np.asarray(Image.open(tmp_path / "a.png")), render(plan))
    with pytest.raises(InputError, match="uint8"):
        save_png(np.zeros((4, 4), dtype=np.float32), tmp_path / "c.png")


def test_sampled_scenes_are_consistent_and_round_trip():
    counts, exclusions = set(), 0
    for seed in range(600):
        plan = sample_scene(np.random.default_rng(seed))
        assert consistency_problems(plan) == []
        assert ScenePlan.from_json(plan.to_json()) == plan
        for obj in plan.objects:
            x0, y0, x1, y1 = obj.box
            assert x1 - x0 == pytest.approx(y1 - y0, abs=2e-4)                 # square boxes
            nominal = SIZES_PX[obj.size] / 64
            assert abs((x1 - x0) / nominal - 1) <= JITTER + 1e-3
        counts.add(len(plan.objects))
        exclusions += bool(plan.exclude)
    assert counts == set(range(1, MAX_OBJECTS + 1))
    assert 100 < exclusions < 300                                   # about 30% of scenes


def test_sampler_is_deterministic_and_honours_n_objects():
    a = sample_scene(np.random.default_rng(42), 4)
    assert a == sample_scene(np.random.default_rng(42), 4)
    assert len(a.objects) == 4
    with pytest.raises(ValueError):
        sample_scene(np.random.default_rng(0), MAX_OBJECTS + 1)
