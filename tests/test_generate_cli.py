"""`turbogen generate`: happy paths with a tiny checkpoint, and every user mistake."""
import json
import os

import pytest
from PIL import Image

import turbogen.cli.generate_cmd  # noqa: F401  (adds `generate` to the cli group)
from text2img_fixtures import write_tiny_model
from turbogen.cli.main import main

PROMPT = "three small red stars above a large blue circle on black"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return str(write_tiny_model(tmp_path_factory.mktemp("model")))


def run(capsys, *args):
    code = main(["generate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_prompt_to_png(tmp_path, capsys, model_dir):
    out = tmp_path / "out.png"
    code, stdout, err = run(capsys, PROMPT, "-o", out, "--model", model_dir, "--json",
                            "--seed", 3)
    assert code == 0, err
    image = Image.open(out)
    assert image.size == (64, 64) and image.mode == "RGB"
    record = json.loads(stdout)
    assert record["seed"] == 3 and record["prompt"] == PROMPT and record["file"] == str(out)
    assert len(record["plan"]["objects"]) == 4
    assert set(record["timings"]) >= {"plan", "encode", "sample", "decode", "total"}
    assert files(tmp_path) == ["out.png"]                 # no temp files left
    again = tmp_path / "again.png"
    assert run(capsys, PROMPT, "-o", again, "--model", model_dir, "--seed", 3)[0] == 0
    assert out.read_bytes() == again.read_bytes()


def test_file_to_folder_and_plan(tmp_path, capsys, model_dir):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a red circle\ntwo green squares on white\n")
    code, stdout, err = run(capsys, "--file", prompts, "--out", tmp_path / "imgs",
                            "--model", model_dir, "--json", "--steps", 2)
    assert code == 0, err
    assert files(tmp_path / "imgs") == ["0000.png", "0001.png"]
    records = [json.loads(line) for line in stdout.splitlines()]
    assert [r["seed"] for r in records] == [0, 1]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(records[1]["plan"]))
    code, _, err = run(capsys, "--plan", plan, "-o", tmp_path / "p.png", "--model", model_dir)
    assert code == 0, err
    assert Image.open(tmp_path / "p.png").size == (64, 64)


@pytest.mark.parametrize("args, message", [
    (["--steps", 0], "--steps"),
    (["--steps", 5000], "--steps"),
    (["--seed", -1], "--seed"),
    (["--guidance", -2], "--guidance"),
    (["--sampler", "ddim"], "use flow_euler or flow_heun"),
    (["--sampler", "nope"], "choose one of"),
    (["--model", "no-such-model"], "bundled"),
])
def test_bad_options(tmp_path, capsys, model_dir, args, message):
    model = [] if "--model" in args else ["--model", model_dir]
    code, _, err = run(capsys, "a red circle", "-o", tmp_path / "x.png", *model, *args)
    assert code != 0 and message in err
    assert files(tmp_path) == []


def test_input_mistakes(tmp_path, capsys, model_dir):
    m = ["--model", model_dir]
    cases = []
    cases.append((run(capsys, "a purple octagon", "-o", tmp_path / "a.png", *m), "octagon"))
    bad_plan = tmp_path / "bad.json"
    bad_plan.write_text('{"background": "white", "objects": [')
    cases.append((run(capsys, "--plan", bad_plan, "-o", tmp_path / "b.png", *m), "not valid JSON"))
    bad_plan.write_text('{"background": "mauve", "objects": []}')
    cases.append((run(capsys, "--plan", bad_plan, "-o", tmp_path / "b.png", *m), "mauve"))
    cases.append((run(capsys, "a red circle", "-o", tmp_path / "nodir" / "c.png", *m),
                  "does not exist"))
    cases.append((run(capsys, "a red circle", "-o", tmp_path / "c.jpg", *m), ".png"))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    cases.append((run(capsys, "--file", empty, "--out", tmp_path / "d", *m), "empty"))
    cases.append((run(capsys, "   ", "-o", tmp_path / "e.png", *m), "empty"))
    cases.append((run(capsys, "-o", tmp_path / "f.png", *m), "exactly one"))
    cases.append((run(capsys, "a red circle", *m), "-o FILE.png"))
    for (code, _, err), message in cases:
        assert code != 0 and message in err, (message, err)
        assert "Traceback" not in err
    assert sorted(files(tmp_path)) == ["bad.json", "empty.txt"]


def test_a_bad_line_writes_nothing(tmp_path, capsys, model_dir):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a red circle\na purple octagon\n")
    code, _, err = run(capsys, "--file", prompts, "--out", tmp_path / "imgs",
                       "--model", model_dir)
    assert code != 0 and "prompt 2" in err and "octagon" in err
    assert not (tmp_path / "imgs").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder(tmp_path, capsys, model_dir):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    code, _, err = run(capsys, "a red circle", "-o", locked / "x.png", "--model", model_dir)
    assert code != 0 and "not writable" in err


def test_verify_with_the_bundled_verifier(tmp_path, capsys, model_dir):
    pytest.importorskip("turbogen.pipelines.caption")
    from turbogen.pipelines.caption import BUNDLED
    if not (BUNDLED / "model.safetensors").is_file():
        pytest.skip("no bundled verifier weights")
    out = tmp_path / "v.png"
    code, stdout, err = run(capsys, "a large red circle on white", "-o", out, "--model",
                            model_dir, "--verify", 2, "--json")
    assert code == 0, err
    report = json.loads(stdout)["verify"]
    # the tiny random model draws noise: the verifier rejects both candidates, the best is kept
    assert report["candidates"] == 2 and not report["accepted"] and report["failures"]
    assert out.is_file()


@pytest.mark.slow
def test_train_tiny_recipe_cli(tmp_path, capsys):
    import turbogen.cli.train_cmd  # noqa: F401
    code = main(["train", "text2img", "--recipe", "tiny", "--out", str(tmp_path / "t"),
                 "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["steps"] == 3
    code = main(["generate", "a red circle", "-o", str(tmp_path / "x.png"), "--model",
                 str(tmp_path / "t")])
    assert code == 0 and (tmp_path / "x.png").is_file()
