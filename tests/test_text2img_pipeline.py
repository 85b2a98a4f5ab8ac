"""The text2img pipeline: determinism, per-image seeds, loading errors."""
import json

import numpy as np
import pytest

from text2img_fixtures import TINY_CONFIG, write_tiny_model
from turbogen.errors import InputError, PlanError
from turbogen.pipelines.text2img import Text2Img, initial_noise
from turbogen.pipelines.text2img_model import load_text2img
from turbogen.plan.scene_plan import ScenePlan

PLAN = ScenePlan.from_dict({"background": "gray", "objects": [
    {"shape": "circle", "color": "green", "size": "large", "box": [0.1, 0.1, 0.475, 0.475]}]})


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    folder = write_tiny_model(tmp_path_factory.mktemp("tiny"))
    model, config = load_text2img(folder)
    return Text2Img(model, config)


def test_same_seed_same_bytes(pipe):
    a = pipe(["a red circle on black"], seed=5).images
    b = pipe(["a red circle on black"], seed=5).images
    c = pipe(["a red circle on black"], seed=6).images
    assert a.shape == (1, 64, 64, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_batch_image_i_equals_single_run_with_seed_plus_i(pipe):
    prompts = ["a red circle on black", "two blue stars", "a small yellow square on white"]
    batch = pipe(prompts, seed=10, batch_size=2)      # two chunks: 2 + 1
    assert batch.seeds == [10, 11, 12]
    for i, prompt in enumerate(prompts):
        single = pipe([prompt], seed=10 + i)
        assert single.plans[0] == batch.plans[i]
        diff = np.abs(single.images[0].astype(int) - batch.images[i].astype(int))
        assert diff.max() <= 1 and (diff > 0).mean() < 0.01, diff.max()


def test_plans_without_prompts(pipe):
    out = pipe(plans=[PLAN, PLAN], seed=0)
    assert out.plans == [PLAN, PLAN] and out.timings["plan"] < 0.01
    assert not np.array_equal(out.images[0], out.images[1])    # different noise per image


def test_noise_is_per_image():
    a = initial_noise([3, 4], (3, 8, 8))
    assert np.array_equal(a[1].numpy(), initial_noise([4], (3, 8, 8))[0].numpy())


def test_bad_requests(pipe):
    with pytest.raises(PlanError, match="octagon"):
        pipe(["a purple octagon"])
    with pytest.raises(InputError, match="steps"):
        pipe(["a red circle"], steps=0)
    with pytest.raises(InputError, match="seed"):
        pipe(["a red circle"], seed=-1)
    with pytest.raises(InputError, match="nothing to draw"):
        pipe([])


def test_load_errors(tmp_path):
    with pytest.raises(InputError, match="bundled"):
        load_text2img(tmp_path / "missing")
    folder = write_tiny_model(tmp_path / "m")
    (folder / "config.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_text2img(folder)
    bigger = TINY_CONFIG.to_dict()
    bigger["unet"]["channels"] = [32, 64]
    (folder / "config.json").write_text(json.dumps(bigger))
    with pytest.raises(InputError, match="does not match"):
        load_text2img(folder)


def test_verify_redraws_until_accepted(pipe):
    from turbogen.pipelines.text2img_verify import generate_verified, plan_facts, prompt_facts
    calls = []

    def picky(image, facts):                 # rejects the first two images it sees
        calls.append(facts)
        return ["not yet"] if len(calls) <= 2 else []
    out, reports = generate_verified(pipe, ["a red circle on black"], seed=7, candidates=5,
                                     verifier=picky)
    assert reports[0].accepted and reports[0].candidates == 3 and out.seeds == [9]
    assert calls[0]["background"] == "black"
    assert calls[0]["objects"] == [{"shape": "circle", "color": "red", "count": 1}]
    single = pipe(["a red circle on black"], seed=9)
    assert np.array_equal(single.images[0], out.images[0])
    out, reports = generate_verified(pipe, plans=[PLAN], candidates=2,
                                     verifier=lambda image, facts: ["never"])
    assert reports[0].to_dict() == {"candidates": 2, "accepted": False, "failures": ["never"]}
    assert plan_facts(PLAN)["objects"] == [{"count": 1, "shape": "circle", "color": "green",
                                            "size": "large"}]
    assert prompt_facts("a purple octagon") is None
