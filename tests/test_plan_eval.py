"""evaluate_planner's scoring and the `turbogen eval plans` command, on a fake planner."""
import importlib
import json

import pytest

from turbogen.cli import main as cli_main
from turbogen.errors import PlanError
from turbogen.eval.plan_eval import evaluate_planner
from turbogen.plan.base import PlanResult
from turbogen.plan.scene_plan import ScenePlan


def _plan(shape: str, color: str) -> ScenePlan:
    return ScenePlan.from_dict({"background": "white", "objects": [
        {"shape": shape, "color": color, "size": "medium", "box": [0.375, 0.375, 0.625, 0.625]}]})


class FakePlanner:
    """Right on 'a red circle', wrong on 'a blue square' (via a fallback), refuses the rest."""

    name = "fake"

    def __init__(self):
        self.seeds = {}
        self.last_fallback = None

    def plan(self, prompt, seed=0):
        self.seeds[prompt] = seed
        self.last_fallback = "model timed out" if prompt == "a blue square" else None
        if prompt == "a red circle":
            return _plan("circle", "red")
        if prompt == "a blue square":
            return _plan("square", "red")
        raise PlanError(f"cannot plan {prompt!r}")


RECORDS = [
    {"id": "s1", "category": "single", "prompt": "a red circle",
     "expect": {"objects": [{"count": 1, "shape": "circle", "color": "red"}]}},
    {"id": "s2", "category": "single", "prompt": "a blue square",
     "expect": {"objects": [{"count": 1, "shape": "square", "color": "blue"}]}},
    {"id": "r1", "category": "reject", "prompt": "a dog", "reject": True, "why": "no dogs"},
    {"id": "c1", "category": "counting", "prompt": "two stars",
     "expect": {"objects": [{"count": 2, "shape": "star"}]}},
]


def test_scores_per_category():
    planner = FakePlanner()
    seen = []
    report = evaluate_planner(planner, RECORDS, seed=10, batch_size=3, load_seconds=1.5,
                              progress=lambda done, total: seen.append((done, total)))
    assert (report["n"], report["correct"], report["accuracy"]) == (4, 2, 0.5)
    assert report["per_category"] == {
        "single": {"n": 2, "correct": 1, "accuracy": 0.5},
        "counting": {"n": 1, "correct": 0, "accuracy": 0.0},
        "reject": {"n": 1, "correct": 1, "accuracy": 1.0},
    }
    assert report["reject_rate"] == 1.0
    assert report["false_reject_rate"] == round(1 / 3, 4)
    assert report["fallbacks"] == 1
    assert report["load_seconds"] == 1.5 and report["plans_per_second"] > 0
    failures = {f["id"]: f for f in report["failures"]}
    assert set(failures) == {"s2", "c1"}
    assert failures["s2"]["fallback_reason"] == "model timed out" and "plan" in failures["s2"]
    assert "cannot plan" in failures["c1"]["error"]
    assert seen == [(3, 4), (4, 4)]
    # seeds continue across batches exactly as one plan_batch call would give them
    assert [planner.seeds[r["prompt"]] for r in RECORDS] == [10, 11, 12, 13]


def test_planners_with_plan_many_are_batched():
    class Batched(FakePlanner):
        def __init__(self):
            super().__init__()
            self.batches = []

        def plan_many(self, prompts, seed=0):
            self.batches.append(list(prompts))
            return [PlanResult(p, None, self.name, seed + i, 0.0, error="no") for i, p in
                    enumerate(prompts)]

    planner = Batched()
    report = evaluate_planner(planner, RECORDS, batch_size=2)
    assert [len(b) for b in planner.batches] == [2, 2, 2]     # warm-up, then two batches
    assert report["correct"] == 1                              # only the reject is right


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """Run `turbogen ARGS` through main() with only this module's commands, and a fake planner."""
    monkeypatch.setattr(cli_main, "_register_commands",
                        lambda: importlib.import_module("turbogen.cli.eval_cmd"))
    monkeypatch.setattr("turbogen.plan.registry.make_planner", lambda name, **kw: FakePlanner())

    def run(*args):
        code = cli_main.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def suite_file(tmp_path):
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS[:3]) + "\n")
    return path


def test_cli_json_report(run_cli, suite_file):
    code, out, err = run_cli("eval", "plans", "--suite", str(suite_file), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["planner"], report["n"], report["correct"]) == ("default", 3, 2)
    assert report["per_category"]["reject"]["accuracy"] == 1.0
    assert report["failure_count"] == 1 and report["failures"][0]["id"] == "s2"
    assert report["load_seconds"] is not None


def test_cli_table_lists_failures(run_cli, suite_file):
    code, out, err = run_cli("eval", "plans", "--suite", str(suite_file))
    assert code == 0, err
    assert "single" in out and "reject" in out and "plans/s" in out
    assert "s2" in out and "should be" in out       # failures are listed under the table


def test_cli_limit_takes_every_category_first(run_cli, suite_file):
    code, out, err = run_cli("eval", "plans", "--suite", str(suite_file), "--limit", "2",
                             "--json")
    assert code == 0, err
    assert json.loads(out)["per_category"] == {
        "single": {"n": 1, "correct": 1, "accuracy": 1.0},
        "reject": {"n": 1, "correct": 1, "accuracy": 1.0}}


def test_cli_help_teaches(run_cli):
    code, out, _ = run_cli("eval", "plans", "--help")
    assert code == 0 and "Examples" in out and "heldout" in out


def test_cli_unknown_suite_is_a_clear_error(run_cli):
    code, out, err = run_cli("eval", "plans", "--suite", "nightly")
    assert code == 2 and "unknown suite 'nightly'" in err and "dev, heldout" in err
    assert "Traceback" not in err + out


def test_cli_malformed_suite_names_the_line(run_cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(RECORDS[0]) + "\n{not json\n")
    code, out, err = run_cli("eval", "plans", "--suite", str(bad), "--json")
    assert code == 2 and f"{bad}:2: not valid JSON" in err
    assert "Traceback" not in err + out and out == ""


def test_a_missing_backend_is_not_a_per_prompt_error():
    from turbogen.errors import PlannerUnavailable, PlanError
    from turbogen.plan.base import run_planner

    class Broken:
        name = "broken"

        def __init__(self, err):
            self.err = err

        def plan(self, prompt, seed=0):
            raise self.err

    assert run_planner(Broken(PlanError("a dog is not known")), "a dog").error == \
        "a dog is not known"
    with pytest.raises(PlannerUnavailable):
        run_planner(Broken(PlannerUnavailable("weights missing")), "a red circle")


def test_table_summary_names_each_planner_when_a_fallback_planned():
    from turbogen.cli.eval_cmd import _summary_line
    report = {"reject_rate": 1.0, "false_reject_rate": 0.0, "plans_per_second": 2.0,
              "load_seconds": 1.0, "fallbacks": 1, "fallback_rate": 0.5,
              "by_planner": {"smollm2": {"n": 1, "correct": 1}, "default": {"n": 1, "correct": 0}}}
    line = _summary_line(report)
    assert "fallbacks 1 (50.0%)" in line and "smollm2 1/1 right, default 0/1 right" in line
    report["by_planner"] = {"default": {"n": 2, "correct": 1}}
    assert "by planner" not in _summary_line(report)
