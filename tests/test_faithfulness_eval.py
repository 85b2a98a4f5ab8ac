"""`turbogen eval faithfulness`: scoring, modes, refusals, the grid and the CLI's mistakes."""
import dataclasses
import json

import numpy as np
import pytest

import turbogen.cli.eval_faithfulness_cmd  # noqa: F401  (adds `eval faithfulness`)
from text2img_fixtures import TINY_CONFIG, write_tiny_model
from turbogen.cli.main import main
from turbogen.eval import faithfulness_eval as fe
from turbogen.pipelines.text2img import Text2Img
from turbogen.pipelines.text2img_model import load_text2img

RED_CIRCLE = {"objects": [{"count": 1, "color": "red", "shape": "circle"}], "exact_total": True}
RECORDS = [
    {"id": "single-001", "category": "single", "prompt": "a red circle", "expect": RED_CIRCLE},
    {"id": "single-002", "category": "single", "prompt": "a blue square",
     "expect": {"objects": [{"count": 1, "color": "blue", "shape": "square"}]}},
    {"id": "binding-001", "category": "binding", "prompt": "a dog", "expect": RED_CIRCLE},
    {"id": "reject-001", "category": "reject", "prompt": "a cat", "reject": True, "why": "cat"},
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return write_tiny_model(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def pipe(model_dir):
    return Text2Img(*load_text2img(model_dir))


def test_refusals_fail_and_rejects_are_skipped(pipe):
    report = fe.evaluate_faithfulness(pipe, RECORDS, lambda image, facts: [], modes=("layout",))
    layout = report["modes"]["layout"]
    assert report["n"] == 3                               # the reject record has no image
    assert layout["correct"] == 2 and layout["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    (failure,) = layout["failures"]
    assert failure["id"] == "binding-001" and "planner refused" in failure["problems"][0]
    assert layout["seconds_to_correct_image"] == pytest.approx(
        layout["seconds_per_image"] / (2 / 3), rel=1e-2)
    assert report["images"]["layout"][2] is None


def test_a_verifier_that_rejects_everything_gives_no_ratio(pipe):
    report = fe.evaluate_faithfulness(pipe, RECORDS[:2], lambda image, facts: ["wrong"])
    for mode in ("layout", "text"):
        assert report["modes"][mode]["accuracy"] == 0
        assert report["modes"][mode]["seconds_to_correct_image"] is None
    assert report["layout_vs_text"] is None


def test_the_verifier_sees_the_suite_facts_and_the_drawn_image(pipe):
    seen = []
    report = fe.evaluate_faithfulness(
        pipe, RECORDS[:2], lambda image, facts: seen.append((image.shape, facts)) or [],
        modes=("text",))
    assert seen == [((64, 64, 3), RECORDS[0]["expect"]), ((64, 64, 3), RECORDS[1]["expect"])]
    assert report["modes"]["text"]["accuracy"] == 1


def test_text_mode_draws_without_layout_and_layout_mode_with_it(pipe, monkeypatch):
    conds = {}
    real_draw = fe.draw

    def spy(model, config, cond, seeds, **kw):
        conds.setdefault(spy.mode, cond)
        return real_draw(model, config, cond, seeds, **kw)
    monkeypatch.setattr(fe, "draw", spy)
    for spy.mode in ("text", "layout"):
        fe._draw_batch(pipe, spy.mode, ["a red circle"], [0])
    assert conds["text"]["layout"].abs().sum() == 0
    assert conds["layout"]["layout"].abs().sum() > 0
    assert conds["text"]["text"][0, -1] == 1 == conds["layout"]["text"][0, -1]


def test_a_text_only_model_ignores_plans(model_dir):
    config = dataclasses.replace(TINY_CONFIG, layout=False)
    model, _ = load_text2img(model_dir)
    pipe = Text2Img(model, config)
    cond = pipe.encode(["a red circle"], [None])
    assert cond["layout"].abs().sum() == 0
    assert config.to_dict()["layout"] is False


def test_same_seed_same_images(pipe):
    a = fe.evaluate_faithfulness(pipe, RECORDS[:2], lambda i, f: [], seed=5)["images"]
    b = fe.evaluate_faithfulness(pipe, RECORDS[:2], lambda i, f: [], seed=5)["images"]
    for mode in a:
        assert all(np.array_equal(x, y) for x, y in zip(a[mode], b[mode]))


def test_grid_takes_one_prompt_per_category_in_turn():
    records = [{"category": c, "id": f"{c}-{i}"} for c in ("single", "counting") for i in range(3)]
    assert fe.grid_picks(records, 3) == [0, 3, 1]
    images = {"layout": [np.zeros((64, 64, 3), np.uint8)] * 6, "text": [None] * 6}
    grid = fe.grid_image(images, [0, 3, 1], scale=1)
    assert grid.shape == (2 * 68 + 4, 3 * 68 + 4, 3)
    assert grid[4 + 68 + 10, 14].tolist() == [128, 128, 128]   # a refusal shows gray


def run(capsys, *args):
    code = main(["eval", "faithfulness", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_and_grid(tmp_path, capsys, model_dir):
    grid = tmp_path / "grid.png"
    code, out, err = run(capsys, "--model", model_dir, "--limit", 4, "--json", "--grid", grid)
    assert code == 0, err
    report = json.loads(out)
    assert set(report["modes"]) == {"layout", "text"} and report["n"] == 4
    assert report["text_model"].endswith("(no layout)")
    assert grid.is_file() and report["grid"] == str(grid)


@pytest.mark.parametrize("args, message", [
    (["--suite", "no-such-suite"], "unknown suite"),
    (["--grid", "grid.jpg"], "ending in .png"),
    (["--steps", "0"], "0"),
    (["--mode", "pixels"], "pixels"),
])
def test_cli_mistakes(tmp_path, capsys, model_dir, args, message):
    code, out, err = run(capsys, "--model", model_dir, "--limit", 2, *args)
    assert code != 0 and message in err and "Traceback" not in err
    assert not (tmp_path / "grid.jpg").exists()
