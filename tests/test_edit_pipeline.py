"""Masked redrawing keeps every pixel outside the mask; edit/vary/inpaint end to end."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from turbogen.cli.main import main
from turbogen.data.shapes_render import render, save_png
from turbogen.pipelines.masked_redraw import box_mask, dilate
from turbogen.plan.scene_plan import SceneObject, ScenePlan
from turbogen.samplers.flow_dpmpp import sample_flow_dpmpp
from turbogen.samplers.flow_euler import sample_flow_euler
from turbogen.samplers.masked import keep_known
from turbogen.samplers.schedules import time_grid

PLAN = ScenePlan(background="white", objects=(
    SceneObject("circle", "red", "large", (0.05, 0.30, 0.425, 0.675)),
    SceneObject("square", "blue", "small", (0.70, 0.45, 0.856, 0.606)),
))


@pytest.mark.parametrize("sampler", [sample_flow_euler, sample_flow_dpmpp])
def test_masked_sampling_follows_the_known_image_outside_the_mask(sampler):
    torch.manual_seed(0)
    known = torch.rand(1, 3, 8, 8) * 2 - 1
    noise = torch.randn(1, 3, 8, 8)
    redraw = torch.zeros(1, 1, 8, 8)
    redraw[..., 2:5, 3:6] = 1
    seen = []

    def wild(x, t, cond):              # a denoiser that knows nothing of the image
        seen.append(x.clone())
        return torch.randn_like(x) * 3

    out = sampler(keep_known(wild, known, noise, redraw), noise.clone(), time_grid(6))
    keep = redraw == 0
    assert torch.allclose(out.expand_as(known)[keep.expand_as(known)],
                          known[keep.expand_as(known)], atol=1e-5)
    assert not torch.allclose(out[..., 2:5, 3:6], known[..., 2:5, 3:6])
    # the network saw the known image noised to each step's t outside the mask
    assert torch.allclose(seen[0][keep.expand_as(known)], noise[keep.expand_as(known)])


def test_box_mask_covers_the_box_and_its_margin():
    mask = box_mask([(0.25, 0.25, 0.5, 0.5)], 64, px=2)
    assert mask[14:34, 14:34].all() and mask.sum() == 20 * 20
    dot = np.zeros((7, 7), dtype=bool)
    dot[3, 3] = True
    assert dilate(dot, 1).sum() == 9 and dilate(dot, 1)[2:5, 2:5].all()


@pytest.fixture(scope="module")
def editor():
    from turbogen.pipelines.edit import Editor
    torch.set_num_threads(2)
    return Editor.load(steps=2)


def test_an_edit_redraws_only_inside_its_mask(editor):
    image = render(PLAN)
    result = editor.edit(image, "make the square green", seed=0)
    outside = ~result.mask
    assert (result.image[outside] == image[outside]).all()
    assert result.mask[30:38, 46:54].all() and not result.mask[:, :20].any()
    assert result.after.objects[1].color == "green"
    assert result.timings["total"] > 0


def test_edit_cli_writes_the_image_and_refuses_what_does_not_apply(tmp_path, capsys):
    scene = tmp_path / "scene.png"
    save_png(PLAN, scene)
    out = tmp_path / "out.png"
    code = main(["edit", str(scene), "remove the square", "-o", str(out), "--steps", "2",
                 "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and out.is_file() and report["kinds"] == ["remove"]
    assert len(report["after"]["objects"]) == 1
    missing = tmp_path / "never.png"
    assert main(["edit", str(scene), "remove the triangle", "-o", str(missing)]) == 2
    assert "no triangle" in capsys.readouterr().err and not missing.exists()


@pytest.mark.parametrize("setup, message", [
    (lambda p: None, "no such file"),
    (lambda p: p.write_bytes(b"not a png"), "not an image"),
])
def test_edit_cli_bad_images(tmp_path, capsys, setup, message):
    image = tmp_path / "in.png"
    setup(image)
    assert main(["edit", str(image), "make the circle red", "-o", str(tmp_path / "o.png")]) == 2
    assert message in capsys.readouterr().err


def test_inpaint_checks_the_mask_and_repairs_photos(tmp_path, capsys):
    photo = np.random.default_rng(0).integers(0, 255, (40, 50, 3), dtype=np.uint8)
    Image.fromarray(photo).save(tmp_path / "photo.png")
    mask = np.zeros((40, 50), dtype=np.uint8)
    mask[10:20, 10:30] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    Image.fromarray(mask[:30]).save(tmp_path / "small.png")
    out = tmp_path / "fixed.png"
    assert main(["inpaint", str(tmp_path / "photo.png"), "--mask", str(tmp_path / "small.png"),
                 "-o", str(out)]) == 2
    assert "same size" in capsys.readouterr().err and not out.exists()
    assert main(["inpaint", str(tmp_path / "photo.png"), "--mask", str(tmp_path / "mask.png"),
                 "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["method"] == "biharmonic"
    fixed = np.asarray(Image.open(out))
    assert (fixed[mask == 0] == photo[mask == 0]).all()


def test_inpaint_repairs_a_shapes_world_image_through_the_plan(editor):
    from turbogen.pipelines.inpaint import choose_method, inpaint_plan
    image = render(PLAN)
    damaged = image.copy()
    mask = np.zeros((64, 64), dtype=bool)
    mask[36:44, 40:60] = True            # across the square and the background beside it
    damaged[mask] = 0
    assert choose_method("auto", damaged, mask) == "plan"
    out, plan = inpaint_plan(editor.pipe, editor.verifier, damaged, mask, steps=2)
    assert (out[~mask] == damaged[~mask]).all()
    assert [(o.shape, o.color) for o in editor.verifier.read(out).plan.objects] == \
        [("circle", "red"), ("square", "blue")]


@pytest.mark.slow    # two variations with retries: several seconds on a shared CPU
def test_vary_keeps_the_content(editor):
    from turbogen.pipelines.vary import vary
    result = vary(editor.pipe, editor.verifier, render(PLAN), 2, seed=0, tries=2)
    assert result.images.shape == (2, 64, 64, 3)
    assert result.caption == "a large red circle and a small blue square on a white background"
    assert all(p.objects and p != PLAN for p in result.plans)
