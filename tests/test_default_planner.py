"""The default planner on prompts whose meaning is unambiguous, and on ones it must refuse."""
import pytest

from turbogen.errors import InputError, PlanError
from turbogen.plan.default import DefaultPlanner
from turbogen.plan.facts import fact_failures
from turbogen.plan.prompt_text import check_prompt


@pytest.fixture(scope="module")
def planner():
    return DefaultPlanner()


CASES = [
    ("three small red stars above a large blue circle on black",
     {"objects": [{"count": 3, "shape": "star", "color": "red", "size": "small"},
                  {"count": 1, "shape": "circle", "color": "blue", "size": "large"}],
      "relations": [{"a": {"shape": "star"}, "relation": "above", "b": {"shape": "circle"}}],
      "background": "black"}),
    ("a ruby dot to the left of a sapphire tile",       # words no template uses: MiniLM + colours
     {"objects": [{"count": 1, "shape": "circle", "color": "red"},
                  {"count": 1, "shape": "square", "color": "blue"}],
      "relations": [{"a": {"shape": "circle"}, "relation": "left of", "b": {"shape": "square"}}]}),
    ("a quartet of green diamonds", {"objects": [{"count": 4, "shape": "diamond", "color": "green"}]}),
    ("a yellow triangle underneath a pink circle",
     {"objects": [{"count": 1, "shape": "triangle", "color": "yellow"},
                  {"count": 1, "shape": "circle", "color": "pink"}],
      "relations": [{"a": {"shape": "triangle"}, "relation": "below", "b": {"shape": "circle"}}]}),
    ("a tiny cyan star in the top right corner and no red things, on a gray background",
     {"objects": [{"count": 1, "shape": "star", "color": "cyan", "size": "small"}],
      "places": [{"what": {"shape": "star"}, "place": "top right"}],
      "exclude": [{"color": "red"}], "background": "gray"}),
    ("2 big purple squares without triangles",
     {"objects": [{"count": 2, "shape": "square", "color": "purple", "size": "large"}],
      "exclude": [{"shape": "triangle"}]}),
]


@pytest.mark.parametrize("prompt, facts", CASES)
def test_plans_satisfy_every_fact(planner, prompt, facts):
    for seed in range(3):
        plan = planner.plan(prompt, seed=seed)
        assert fact_failures(plan, facts) == [], (seed, plan.to_json())


def test_same_seed_same_plan_other_seed_varies(planner):
    prompt = "two circles and a star"
    assert planner.plan(prompt, 5) == planner.plan(prompt, 5)
    assert len({planner.plan(prompt, s).to_json() for s in range(6)}) > 1


@pytest.mark.parametrize("prompt, words", [
    ("a dog", "dog"),
    ("a purple octagon", "octagon"),
    ("seven circles", "1 to 6"),
    ("a circle left of itself", "itself"),
    ("a red circle and no red things", "excludes"),
    ("a square above a star and the star above the square", "contradict"),
    ("six large squares", "could not arrange"),
    ("a black star", "background colour"),
    ("a brown circle", "cannot draw"),
])
def test_rejects_name_the_problem(planner, prompt, words):
    with pytest.raises(PlanError, match=words):
        planner.plan(prompt)


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("   \t ", "empty"), ("a" * 2001, "limit"),
    ("a red\x07 circle", "control character"), ('{"objects": []}', "JSON"),
    ("<b>a red circle</b>", "markup"),
])
def test_prompt_text_checks(text, words):
    with pytest.raises(InputError, match=words):
        check_prompt(text)


def test_look_alikes_placed_apart_each_get_their_place(planner):
    plan = planner.plan("a red circle on the left and a red circle on the right on white")
    from turbogen.plan.rules import in_place
    assert sorted(in_place(o, "left") for o in plan.objects) == [False, True]
    assert sorted(in_place(o, "right") for o in plan.objects) == [False, True]
    both_left = {"places": [{"what": {"shape": "circle"}, "place": "left"}]}
    assert fact_failures(plan, both_left)                     # without count: all of them
    assert not fact_failures(plan, {"places": [{"what": {"shape": "circle"}, "place": "left",
                                                "count": 1}]})
