"""Shapes World captions: every stated fact is true of the scene, and phrasings vary."""
import json
import re

import numpy as np
import pytest

from turbogen.data.shapes_captions import Caption, caption_scene, caption_text
from turbogen.data.shapes_sampler import sample_scene
from turbogen.plan import lexicon as lx
from turbogen.plan.facts import fact_failures
from turbogen.plan.scene_plan import SceneObject, ScenePlan


def scenes(n, seed=0):
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        plan = sample_scene(rng)
        yield plan, caption_scene(plan, rng)


@pytest.fixture(scope="module")
def sample():
    return list(scenes(2000))


def test_facts_are_true_of_the_plan(sample):
    for plan, caption in sample:
        assert isinstance(caption, Caption)
        assert fact_failures(plan, caption.facts) == [], caption.text


def test_facts_cover_every_object_and_every_exclusion(sample):
    for plan, caption in sample:
        facts = caption.facts
        assert facts["exact_total"] is True
        assert sum(spec["count"] for spec in facts["objects"]) == len(plan.objects)
        assert facts["exclude"] == [dict(e) for e in plan.exclude]
        for spec in facts["objects"]:
            assert {"shape", "color"} <= set(spec)          # colour and shape always stated


def test_relation_and_place_selectors_pick_out_exactly_one_group(sample):
    for plan, caption in sample:
        groups = [{k: v for k, v in spec.items() if k != "count"}
                  for spec in caption.facts["objects"]]
        selectors = ([r["a"] for r in caption.facts["relations"]]
                     + [r["b"] for r in caption.facts["relations"]]
                     + [p["what"] for p in caption.facts["places"]])
        for sel in selectors:
            assert sel in groups


def test_phrasings_vary(sample):
    texts = [caption.text for _, caption in sample[:1000]]
    assert len(set(texts)) > 500
    assert any(re.search(r"\b[2-6]\b", t) for t in texts)                  # digits
    assert any(re.search(r"\b(two|three|four|five|six)\b", t) for t in texts)
    for phrase in ("a pair of", "a couple of", "a trio of", "disc", "crimson", "tiny", "no ",
                   "without", "nothing", "background", "grey"):
        assert any(phrase in t for t in texts), phrase
    relations = [p for phrases in lx.RELATION_WORDS.values() for p in phrases]
    assert sum(any(f" {p} " in t for p in relations) for t in texts) > 200
    assert sum("background" in caption.facts for _, caption in sample) > 1000
    assert any("background" not in caption.facts for _, caption in sample)


def test_omitted_size_merges_sizes_into_one_group():
    box_a = (0.1, 0.1, 0.1 + 10 / 64, 0.1 + 10 / 64)
    box_b = (0.6, 0.6, 0.6 + 24 / 64, 0.6 + 24 / 64)
    plan = ScenePlan("black", (SceneObject("star", "red", "small", box_a),
                               SceneObject("star", "red", "large", box_b)))
    seen = set()
    for seed in range(60):
        caption = caption_scene(plan, np.random.default_rng(seed))
        assert fact_failures(plan, caption.facts) == []
        seen.add(len(caption.facts["objects"]))
    assert seen == {1, 2}        # "two red stars" and "a small red star ... a large red star"


def test_captions_are_deterministic_and_need_objects():
    plan = sample_scene(np.random.default_rng(3))
    first = caption_text(plan, np.random.default_rng(9))
    assert first == caption_text(plan, np.random.default_rng(9))
    with pytest.raises(ValueError):
        caption_scene(ScenePlan("white", ()), np.random.default_rng(0))


def test_grammar_reads_captions_back_to_the_same_facts():
    """The default planner's grammar parses every caption into exactly the facts it states."""
    from turbogen.plan.default import request_facts
    from turbogen.plan.grammar import parse, tokenize

    def canonical(facts):
        lists = {key: sorted(json.dumps(item, sort_keys=True) for item in facts.get(key, []))
                 for key in ("objects", "relations", "places", "exclude")}
        return {**lists, "background": facts.get("background")}

    for plan, caption in scenes(300, seed=7):
        tokens = tokenize(caption.text)
        assert [t for t in tokens if t[0] == "unknown"] == [], caption.text
        assert canonical(request_facts(parse(tokens))) == canonical(caption.facts), caption.text
