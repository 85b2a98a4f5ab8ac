"""The bundled planner suites load, validate, and ask only for scenes that can exist."""
import json
import random
import re

import pytest

from turbogen.errors import InputError
from turbogen.eval.plan_suite import (CATEGORIES, SUITES, load_suite, parse_suite, suite_path,
                                      take)
from turbogen.plan.facts import fact_failures
from turbogen.plan.rules import apart, place_ranges
from turbogen.plan.scene_plan import SceneObject, ScenePlan
from turbogen.world import COLORS, MAX_OBJECTS, SHAPES, size_fraction

MIN_PER_CATEGORY = {"dev": 25, "heldout": 10, "dev2": 20, "heldout3": 20, "heldout4": 16, "dev3": 30, "dev4": 25, "dev5": 25, "dev6": 20, "heldout5": 20, "dev7": 20, "heldout6": 16}


@pytest.fixture(scope="module", params=list(SUITES))
def suite(request):
    return request.param, load_suite(request.param)


def test_every_category_is_well_covered(suite):
    name, records = suite
    for category in CATEGORIES:
        n = sum(r["category"] == category for r in records)
        assert n >= MIN_PER_CATEGORY[name], f"{name}: only {n} {category} records"


def test_ids_and_prompts_are_unique(suite):
    _, records = suite
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    prompts = [_normalise(r["prompt"]) for r in records]
    assert len(set(prompts)) == len(prompts)


@pytest.mark.parametrize("heldout", ["heldout", "heldout3", "heldout4"])
def test_heldout_shares_no_prompt_with_the_dev_suites(heldout):
    dev = {_normalise(r["prompt"]) for name in ("dev", "dev2") for r in load_suite(name)}
    shared = [r["id"] for r in load_suite(heldout) if _normalise(r["prompt"]) in dev]
    assert not shared


def test_counts_fit_the_world(suite):
    _, records = suite
    for r in records:
        if r.get("reject"):
            continue
        counts = [spec["count"] for spec in r["expect"]["objects"]]
        total = sum(c if isinstance(c, int) else c[0] for c in counts)
        assert 1 <= total <= MAX_OBJECTS, r["id"]


def test_every_accepted_record_is_satisfiable(suite):
    """A hand-free witness: a random search finds a plan that meets every fact."""
    _, records = suite
    rng = random.Random(0)
    unsolved = [r["id"] for r in records
                if not r.get("reject") and _witness(r["expect"], rng) is None]
    assert not unsolved


def _normalise(prompt: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", prompt.lower()).strip()


def _witness(facts: dict, rng: random.Random, tries: int = 3000) -> ScenePlan | None:
    """Random plans (attributes and boxes) until one has no fact failures."""
    for _ in range(tries):
        plan = _random_plan(facts, rng)
        if plan is not None and not fact_failures(plan, facts):
            return plan
    return None


def _random_plan(facts: dict, rng: random.Random) -> ScenePlan | None:
    objects = []
    for spec in facts["objects"]:
        count = spec["count"]   # an int or [min, max]; the minimum is the easiest witness
        for _ in range(count if isinstance(count, int) else count[0]):
            attrs = {"shape": spec.get("shape") or rng.choice(SHAPES),
                     "color": spec.get("color") or rng.choice(list(COLORS)),
                     "size": spec.get("size") or rng.choice(["small", "small", "medium", "large"])}
            box = _random_box(attrs, facts, objects, rng)
            if box is None:
                return None
            objects.append(SceneObject(box=box, **attrs))
    return ScenePlan(background=facts.get("background", "white"), objects=tuple(objects),
                     exclude=tuple(facts.get("exclude", [])))


def _random_box(attrs, facts, placed, rng, tries: int = 50):
    """A box of the object's size whose centre meets its places and keeps clear of `placed`."""
    side = size_fraction(attrs["size"])
    xr, yr = (side / 2, 1 - side / 2), (side / 2, 1 - side / 2)
    for p in facts.get("places", []):
        if all(attrs[k] == v for k, v in p["what"].items()):
            (xl, xh), (yl, yh) = place_ranges(p["place"])
            xr, yr = (max(xr[0], xl), min(xr[1], xh)), (max(yr[0], yl), min(yr[1], yh))
    if xr[0] >= xr[1] or yr[0] >= yr[1]:
        return None
    for _ in range(tries):
        cx, cy = rng.uniform(*xr), rng.uniform(*yr)
        box = (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
        probe = SceneObject("circle", "red", attrs["size"], box)
        if all(apart(probe, other) for other in placed):
            return box
    return None


def test_take_round_robins_across_categories():
    records = load_suite("dev")
    picked = take(records, len(CATEGORIES))
    assert {r["category"] for r in picked} == set(CATEGORIES)
    assert take(records, None) == records


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "category": "colour", "prompt": "x", "expect": {}}', "unknown category 'colour'"),
    ('{"id": "a", "category": "single", "expect": {"objects": [{"count": 1}]}}', "missing 'prompt'"),
    ('{"id": "a", "category": "single", "prompt": "x", "expect": {"objcts": []}}', "unknown key"),
    ('{"id": "a", "category": "single", "prompt": "x", '
     '"expect": {"objects": [{"count": 1, "color": "brown"}]}}', "unknown color in expect.objects[0] 'brown'"),
    ('{"id": "a", "category": "place", "prompt": "x", "expect": {"objects": [{"count": 1}], '
     '"places": [{"what": {"shape": "star"}, "place": "upper left"}]}}', "place 'upper left'"),
    ('{"id": "a", "category": "spatial", "prompt": "x", "expect": {"objects": [{"count": 2, '
     '"shape": "star"}], "relations": [{"a": {"shape": "star"}, "relation": "near", '
     '"b": {"shape": "star"}}]}}', "relation 'near'"),
    ('{"id": "a", "category": "counting", "prompt": "x", '
     '"expect": {"objects": [{"count": 7, "shape": "star"}]}}', "outside 1..6"),
    ('{"id": "a", "category": "negation", "prompt": "x", "expect": {"objects": '
     '[{"count": 1, "color": "red", "shape": "star"}], "exclude": [{"color": "red"}]}}',
     "forbids the listed object"),
    ('{"id": "a", "category": "spatial", "prompt": "x", "expect": {"objects": [{"count": 1, '
     '"shape": "star"}], "relations": [{"a": {"shape": "star"}, "relation": "above", '
     '"b": {"shape": "circle"}}]}}', "matches none of the listed objects"),
    ('{"id": "a", "category": "reject", "prompt": "x", "reject": true}', "why"),
    ('{"id": "a", "category": "single", "prompt": "x", "reject": true, "why": "y"}',
     "only category 'reject'"),
    ('{"id": "a", "category": "single", "prompt": "x", ', "not valid JSON"),
])
def test_bad_records_name_their_line(line, message):
    good = json.dumps({"id": "ok", "category": "single", "prompt": "a star",
                       "expect": {"objects": [{"count": 1, "shape": "star"}]}})
    with pytest.raises(InputError) as err:
        parse_suite([good, line], source="s.jsonl")
    assert "s.jsonl:2" in str(err.value) and message in str(err.value)


def test_duplicate_ids_and_empty_files_are_errors():
    good = json.dumps({"id": "ok", "category": "single", "prompt": "a star",
                       "expect": {"objects": [{"count": 1, "shape": "star"}]}})
    with pytest.raises(InputError, match="already used on line 1"):
        parse_suite([good, good], source="s.jsonl")
    with pytest.raises(InputError, match="no records"):
        parse_suite(["", "  "], source="s.jsonl")


def test_unknown_suite_name_lists_the_choices():
    with pytest.raises(InputError, match="dev, heldout"):
        suite_path("nightly")
