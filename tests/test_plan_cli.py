import json

import pytest

from turbogen.cli.main import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_prints_a_plan(capsys):
    code, out, err = run(capsys, "plan", "a red circle above a blue square on white")
    assert code == 0
    plan = json.loads(out)
    assert plan["background"] == "white" and len(plan["objects"]) == 2


def test_file_mode_keeps_order_and_reports_bad_lines(tmp_path, capsys):
    path = tmp_path / "prompts.txt"
    path.write_bytes(b"a red circle\n\na dog\n\xff bad bytes\ntwo blue stars\n")
    code, out, err = run(capsys, "plan", "--file", str(path))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 5
    assert "objects" in lines[0] and "objects" in lines[4]
    assert "empty" in lines[1]["error"] and "dog" in lines[2]["error"]
    assert "UTF-8" in lines[3]["error"]


def test_file_mode_fails_only_when_nothing_planned(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text("a dog\na cat\n")
    code, out, err = run(capsys, "plan", "--file", str(path))
    assert code != 0 and len(out.splitlines()) == 2 and "none of the 2 lines" in err


@pytest.mark.parametrize("args, words", [
    (["plan", "   "], "empty"),
    (["plan", "--file", "/no/such/file.txt"], "does not exist"),
    (["plan"], "either a PROMPT or --file"),
    (["plan", "a red circle", "--planner", "nope"], "nope"),
    (["plan", "a red circle", "--planner", "openai"], "--endpoint"),
    (["plan", "a red circle", "--seed", "-1"], "seed"),
])
def test_errors_are_clear_and_non_zero(capsys, args, words):
    code, out, err = run(capsys, *args)
    assert code != 0
    assert words in err and "Traceback" not in err


def test_schema_and_version(capsys):
    code, out, _ = run(capsys, "plan", "--schema")
    assert code == 0 and json.loads(out)["title"] == "ScenePlan"
    code, out, _ = run(capsys, "--version")
    assert code == 0 and "turbogen" in out
