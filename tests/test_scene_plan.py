import json

import jsonschema
import pytest

from turbogen.errors import PlanError
from turbogen.plan.facts import fact_failures
from turbogen.plan.rules import consistency_problems, group_relation_holds, in_place
from turbogen.plan.scene_plan import ScenePlan
from turbogen.plan.schema import SCENE_PLAN_SCHEMA

GOOD = {"background": "white",
        "objects": [{"shape": "circle", "color": "red", "size": "small",
                     "box": [0.10, 0.20, 0.10 + 10 / 64, 0.20 + 10 / 64]},
                    {"shape": "star", "color": "blue", "size": "large",
                     "box": [0.6, 0.6, 0.6 + 24 / 64, 0.6 + 24 / 64]}],
        "exclude": [{"color": "green"}]}


def test_round_trip_and_schema_agree():
    plan = ScenePlan.from_dict(GOOD)
    again = ScenePlan.from_json(plan.to_json())
    assert again.to_dict() == plan.to_dict()
    jsonschema.validate(plan.to_dict(), SCENE_PLAN_SCHEMA)
    assert consistency_problems(plan) == []


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d.update(background="purple"), "unknown background"),
    (lambda d: d["objects"][0].update(shape="octagon"), "unknown shape"),
    (lambda d: d["objects"][0].update(box=[0.5, 0.5, 0.4, 0.6]), "empty"),
    (lambda d: d["objects"][0].update(box=[0.5, 0.5, 1.4, 0.6]), "leaves the canvas"),
    (lambda d: d["objects"][0].pop("color"), "missing color"),
    (lambda d: d.update(extra=1), "unknown ScenePlan field"),
    (lambda d: d.update(exclude=[{"colour": "red"}]), "unknown key"),
    (lambda d: d.update(objects=[d["objects"][0]] * 7), "1 to 6"),
])
def test_bad_plans_name_the_problem(mutate, words):
    data = json.loads(json.dumps(GOOD))
    mutate(data)
    with pytest.raises(PlanError, match=words):
        ScenePlan.from_dict(data)
    if words not in ("1 to 6", "empty"):   # JSON Schema cannot compare x0 with x1
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, SCENE_PLAN_SCHEMA)


def test_malformed_json_is_a_plan_error():
    with pytest.raises(PlanError, match="not valid JSON"):
        ScenePlan.from_json("{objects: ")


def test_rules_places_relations_and_consistency():
    plan = ScenePlan.from_dict(GOOD)
    circle, star = plan.objects
    assert in_place(circle, "top left") and not in_place(circle, "right")
    assert in_place(star, "bottom right")
    assert group_relation_holds([circle], "left of", [star])
    assert not group_relation_holds([circle], "below", [star])
    assert not group_relation_holds([], "left of", [star])
    crowded = dict(GOOD, objects=[GOOD["objects"][0], dict(GOOD["objects"][0], color="blue")])
    assert any("closer than" in p for p in consistency_problems(ScenePlan.from_dict(crowded)))
    excluded = dict(GOOD, exclude=[{"color": "red"}])
    assert any("exclusion" in p for p in consistency_problems(ScenePlan.from_dict(excluded)))


def test_fact_checker_counts_relations_and_exclusions():
    plan = ScenePlan.from_dict(GOOD)
    right = {"objects": [{"count": 1, "shape": "circle"}, {"count": 1, "color": "blue"}],
             "relations": [{"a": {"shape": "circle"}, "relation": "above", "b": {"shape": "star"}}],
             "places": [{"what": {"shape": "star"}, "place": "bottom right"}],
             "background": "white", "exclude": [{"color": "green"}]}
    assert fact_failures(plan, right) == []
    assert fact_failures(plan, {"objects": [{"count": 2, "shape": "circle"}]})
    assert fact_failures(plan, {"objects": [{"count": 1, "shape": "circle"}]})   # star is extra
    assert not fact_failures(plan, {"objects": [{"count": 1, "shape": "circle"}],
                                    "exact_total": False})
    assert fact_failures(plan, {"exclude": [{"color": "red"}]})
    assert fact_failures(plan, {"background": "black"})
