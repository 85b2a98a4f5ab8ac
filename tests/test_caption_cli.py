"""`turbogen caption` and `turbogen train verifier --dry-run`."""
import json

import numpy as np
import pytest
from PIL import Image

from turbogen.cli.main import main
from turbogen.data.shapes_render import save_png
from turbogen.plan.scene_plan import SceneObject, ScenePlan

PLAN = ScenePlan(background="black", objects=(
    SceneObject("star", "red", "small", (0.10, 0.10, 0.26, 0.26)),
    SceneObject("star", "red", "small", (0.40, 0.10, 0.56, 0.26)),
    SceneObject("circle", "blue", "large", (0.30, 0.50, 0.675, 0.875)),
))


def run(capsys, *args):
    code = main(["caption", *map(str, args)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


@pytest.fixture
def scene_png(tmp_path):
    path = tmp_path / "scene.png"
    save_png(PLAN, path)
    return path


def test_caption_prints_plan_and_caption(capsys, scene_png):
    code, lines, err = run(capsys, scene_png)
    assert code == 0, err
    [line] = lines
    assert line["image"] == str(scene_png)
    assert line["caption"] == "two small red stars and a large blue circle on a black background"
    plan = ScenePlan.from_dict(line["plan"])
    assert [(o.shape, o.color, o.size) for o in plan.objects] == \
        [("star", "red", "small"), ("star", "red", "small"), ("circle", "blue", "large")]
    assert line["notes"] == [] and len(line["confidence"]) == 3


def test_bad_inputs_get_an_error_line_and_good_ones_still_read(capsys, tmp_path, scene_png):
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    broken = tmp_path / "broken.png"
    broken.write_bytes(scene_png.read_bytes()[:60])
    big = tmp_path / "big.png"
    Image.open(scene_png).resize((100, 80)).save(big)
    code, lines, err = run(capsys, tmp_path / "missing.png", text, broken, tmp_path,
                           scene_png, big)
    assert code == 0 and len(lines) == 6, err
    assert "no such file" in lines[0]["error"]
    assert "not an image" in lines[1]["error"]
    assert "damaged" in lines[2]["error"] or "not an image" in lines[2]["error"]
    assert "folder" in lines[3]["error"]
    assert len(lines[4]["plan"]["objects"]) == 3
    assert "resized from 100x80" in lines[5]["notes"][0] and "aspect" in lines[5]["notes"][0]
    assert "Traceback" not in err


def test_fails_only_when_nothing_could_be_read(capsys, tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("hello")
    code, lines, err = run(capsys, text, tmp_path / "nope.png")
    assert code != 0 and len(lines) == 2 and "none of the 2" in err
    assert "Traceback" not in err
    code, lines, err = run(capsys)
    assert code != 0 and "at least one image" in err


def test_transparent_and_grey_images_are_accepted(capsys, tmp_path):
    rgba = np.zeros((64, 64, 4), dtype=np.uint8)
    rgba[20:40, 20:40] = (40, 80, 220, 255)           # a blue square on a transparent canvas
    Image.fromarray(rgba).save(tmp_path / "t.png")
    Image.new("L", (64, 64), 128).save(tmp_path / "g.png")
    code, lines, err = run(capsys, tmp_path / "t.png", tmp_path / "g.png")
    assert code == 0, err
    assert "transparency" in lines[0]["notes"][0]
    assert [o["shape"] for o in lines[0]["plan"]["objects"]] == ["square"]
    assert lines[0]["plan"]["background"] == "white"
    assert lines[1]["plan"] == {"background": "gray", "objects": [], "exclude": []}


def test_train_verifier_dry_run(tmp_path, capsys):
    out = tmp_path / "v"
    code = main(["train", "verifier", "--dry-run", "--eval-scenes", "5", "--threads", "1",
                 "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads(captured.out)
    assert summary["out"] == str(out) and summary["train_crops"] > 0
    assert sorted(p.name for p in out.iterdir()) == ["card.md", "config.json",
                                                      "model.safetensors", "train_summary.json"]
    code = main(["train", "verifier", "--dry-run", "--out", str(out)])
    assert code != 0 and "not empty" in capsys.readouterr().err
