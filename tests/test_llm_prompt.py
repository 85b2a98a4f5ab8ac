"""The language-model planners' shared part: examples, answer parsing, retry and fallback."""
import json

import pytest

from turbogen.errors import InputError, PlanError
from turbogen.plan.constrained_json import PlanWriter, write_plan
from turbogen.plan.llm_answer import (InvalidAnswer, ModelRejection, extract_json,
                                      ground_sizes, parse_answer, prompt_mismatches)
from turbogen.plan.llm_prompt import EXAMPLES, build_messages, plan_with_model
from turbogen.plan.rules import consistency_problems
from turbogen.plan.scene_plan import ScenePlan
from turbogen.world import size_fraction


class FakeFallback:
    name = "default"

    def __init__(self, refuse: bool = False):
        self.refuse, self.calls = refuse, []

    def plan(self, prompt, seed=0):
        self.calls.append((prompt, seed))
        if self.refuse:
            raise PlanError(f"'{prompt}' is not something Shapes World knows")
        return ScenePlan.from_dict(json.loads(VALID))


VALID = json.dumps({"background": "white", "exclude": [], "objects": [
    {"shape": "circle", "color": "red", "size": "medium", "box": [0.38, 0.38, 0.63, 0.63]}]})


@pytest.mark.parametrize("prompt, answer", EXAMPLES, ids=[p for p, _ in EXAMPLES])
def test_every_example_answer_is_valid(prompt, answer):
    text = json.dumps(answer)
    if "error" in answer:
        with pytest.raises(ModelRejection):
            parse_answer(text, prompt)
        return
    plan = parse_answer(text, prompt)   # grounded, consistent, names every word of the prompt
    # the example's own boxes already have the right sizes: grounding moves them by rounding only
    raw = ScenePlan.from_dict(answer)
    assert consistency_problems(raw) == []
    for before, after in zip(raw.objects, plan.objects):
        assert max(abs(a - b) for a, b in zip(before.box, after.box)) < 0.01


def test_messages_hold_the_examples_then_the_prompt():
    messages = build_messages("two green stars")
    assert messages[0]["role"] == "system" and "exclude" in messages[0]["content"]
    assert len(messages) == 2 + 2 * len(EXAMPLES)
    assert messages[-1] == {"role": "user", "content": "two green stars"}


@pytest.mark.parametrize("text, expected", [
    ('{"a": 1}', {"a": 1}),
    ('Sure! ```json\n{"a": {"b": [1, 2]}}\n``` Hope it helps.', {"a": {"b": [1, 2]}}),
    ('{"s": "a } brace in a string"} trailing', {"s": "a } brace in a string"}),
    ('{not json} then {"a": 2}', {"a": 2}),
])
def test_extract_json_finds_the_object(text, expected):
    assert extract_json(text) == expected


@pytest.mark.parametrize("text, words", [
    ("I cannot draw that.", "no JSON object"),
    ('{"background": "white", "objects": [', "stops before"),
    ("{'a': 1}", "malformed"),
])
def test_extract_json_says_what_is_wrong(text, words):
    with pytest.raises(InvalidAnswer, match=words):
        extract_json(text)


def test_ground_sizes_snaps_boxes_to_their_size_and_keeps_them_on_the_canvas():
    plan = ScenePlan.from_dict({"objects": [
        {"shape": "star", "color": "red", "size": "large", "box": [0.9, 0.0, 1.0, 0.05]},
        {"shape": "circle", "color": "blue", "size": "small", "box": [0.1, 0.5, 0.5, 0.9]}]})
    grounded = ground_sizes(plan)
    for obj in grounded.objects:
        x0, y0, x1, y1 = obj.box
        side = size_fraction(obj.size)
        assert x1 - x0 == pytest.approx(side) and y1 - y0 == pytest.approx(side)
        assert 0 <= x0 and x1 <= 1 and 0 <= y0 and y1 <= 1
    assert grounded.objects[1].center == pytest.approx(plan.objects[1].center)


@pytest.mark.parametrize("answer, words", [
    ({"background": "white", "exclude": [{"color": "red"}], "objects": [
        {"shape": "circle", "color": "red", "size": "medium", "box": [0.1, 0.1, 0.35, 0.35]}]},
     "matches exclusion"),
    ({"background": "white", "exclude": [], "objects": [
        {"shape": "circle", "color": "red", "size": "medium", "box": [0.1, 0.1, 0.35, 0.35]},
        {"shape": "star", "color": "red", "size": "medium", "box": [0.2, 0.2, 0.45, 0.45]}]},
     "closer than"),
    ({"background": "white", "exclude": [], "objects": []}, "at least one object"),
    ({"background": "purple", "exclude": [], "objects": []}, "unknown background"),
    ({"error": "no", "objects": []}, "refusal must be"),
])
def test_inconsistent_answers_are_invalid(answer, words):
    with pytest.raises(InvalidAnswer, match=words):
        parse_answer(json.dumps(answer))


def test_answer_must_be_about_the_prompt():
    plan = ScenePlan.from_dict(json.loads(VALID))
    assert prompt_mismatches(plan, "a red circle") == []
    problems = prompt_mismatches(plan, "two blue stars and a red circle")
    assert problems == ["the prompt says blue, star, but the plan leaves them out",
                        "the prompt asks for two blue stars, the plan has 0"]
    with pytest.raises(InvalidAnswer, match="the prompt says blue, star"):
        parse_answer(VALID, "two blue stars and a red circle")
    # a negated word is carried by the exclude list, and only a negated one
    no_stars = json.dumps({**json.loads(VALID), "exclude": [{"shape": "star"}]})
    assert parse_answer(no_stars, "a red circle without stars").exclude == ({"shape": "star"},)
    assert parse_answer(no_stars, "a red circle, but don't draw stars").exclude
    with pytest.raises(InvalidAnswer, match="says star, blue, but the plan leaves them out"):
        parse_answer(no_stars, "a red circle and a star, nothing blue")
    with pytest.raises(InvalidAnswer, match="excludes nothing"):
        parse_answer(no_stars, "a red circle")
    with pytest.raises(InvalidAnswer, match="says gray"):
        parse_answer(VALID, "a red circle on a grey background")


def _circles(*specs):
    """A plan of circles in a row, one per (color, size)."""
    side = 10 / 64
    objects = [{"shape": "circle", "color": c, "size": z,
                "box": [0.2 * i, 0.1, 0.2 * i + side, 0.1 + side]}
               for i, (c, z) in enumerate(specs)]
    return ScenePlan.from_dict({"background": "white", "exclude": [], "objects": objects})


@pytest.mark.parametrize("prompt, words", [
    ("three circles", None),
    ("3 small circles", None),
    ("three tiny red circles", "asks for three tiny red circles, the plan has 2"),
    ("two circles", "asks for two circles, the plan has 3"),            # named once: exactly
    ("two circles and a red circle", None),                           # named twice: at least
    ("four things", "asks for four things, the plan has 3"),
    ("seven circles", "at most 6 objects"),
    ("a dozen small circles", "at most 6 objects"),
    ("a five-pointed red circle", None),                             # not a count
    ("a black circle", "black is a background"),
    ("three circles on black", "says black"),
])
def test_counts_and_background_words_are_checked(prompt, words):
    plan = _circles(("red", "small"), ("red", "small"), ("blue", "small"))
    problems = prompt_mismatches(plan, prompt)
    if words is None:
        assert problems == []
    else:
        assert any(words in p for p in problems), problems


def scripted(answers):
    """ask_many that pops one scripted answer per conversation and records what it was asked."""
    asked = []

    def ask_many(conversations):
        asked.extend(conversations)
        return [answers.pop(0) for _ in conversations]
    return ask_many, asked


def test_invalid_answer_is_retried_with_its_problem():
    ask, asked = scripted(["nothing useful", VALID])
    [outcome] = plan_with_model(["a red circle"], [0], ask, "llm", FakeFallback())
    assert outcome.used == "llm" and outcome.fallback_reason is None
    assert len(asked) == 2 and "no JSON object" in asked[1][-1]["content"]
    assert asked[1][-2] == {"role": "assistant", "content": "nothing useful"}


def test_invalid_twice_falls_back_and_says_why():
    fallback = FakeFallback()
    ask, _ = scripted(["{", "still {"])
    [outcome] = plan_with_model(["a red circle"], [7], ask, "llm", fallback)
    assert outcome.used == "default" and outcome.plan is not None
    assert "llm output invalid twice" in outcome.fallback_reason
    assert fallback.calls == [("a red circle", 7)]


def test_refusal_stands_only_when_the_fallback_refuses_too():
    refusal = '{"error": "unknown object dog"}'
    ask, _ = scripted([refusal])
    [outcome] = plan_with_model(["a dog"], [0], ask, "llm", FakeFallback(refuse=True))
    assert outcome.plan is None and isinstance(outcome.error, PlanError)
    ask, _ = scripted([refusal])
    [outcome] = plan_with_model(["a ruby dot"], [0], ask, "llm", FakeFallback())
    assert outcome.plan is not None and outcome.used == "default"
    assert "refused" in outcome.fallback_reason


def test_bad_prompt_text_is_an_input_error_without_asking():
    ask, asked = scripted([])
    [outcome] = plan_with_model(["   "], [0], ask, "llm", FakeFallback())
    assert isinstance(outcome.error, InputError) and asked == []


# ---- constrained decoding, driven by a fake model ----------------------------------------------

class CharModel:
    """A 'model' over a character vocabulary that prefers, at each step, the next character of
    `target`: constrained decoding must then reproduce `target` where the schema allows it."""

    def __init__(self, target: str):
        self.vocab = sorted(set(target) | set('{}[]":, .0123456789abcdefghijklmnopqrstuvwxyz'))
        self.index = {ch: i for i, ch in enumerate(self.vocab)}
        self.target, self.seen = target, ""

    def encode(self, text):
        return [self.index[ch] for ch in text]

    def decode(self, ids):
        return "".join(self.vocab[i] for i in ids)

    def step(self, ids):
        self.seen += self.decode(ids)
        want = self.target[len(self.seen)] if len(self.seen) < len(self.target) else " "
        return [1.0 if ch == want else 0.0 for ch in self.vocab]


def test_constrained_writer_reproduces_a_plan_it_is_led_to():
    target = ('{"background": "gray", "exclude": [{"color": "blue", "shape": "square"}, '
              '{"size": "large"}], "objects": [{"shape": '
              '"star", "color": "red", "size": "medium", "box": [0.12, 0.40, 0.37, 0.65]}, '
              '{"shape": "circle", "color": "green", "size": "small", "box": [0.60, 0.60, 0.76, '
              '0.76]}]}')
    model = CharModel(target)
    text = write_plan(PlanWriter(model.step, model.encode, model.decode))
    plan = parse_answer(text)
    assert plan.background == "gray"
    assert plan.exclude == ({"color": "blue", "shape": "square"}, {"size": "large"})
    assert [(o.shape, o.color, o.size) for o in plan.objects] == [
        ("star", "red", "medium"), ("circle", "green", "small")]
    assert plan.objects[0].box[0] == pytest.approx(0.12)


def test_constrained_writer_writes_refusals_and_keeps_boxes_inside():
    model = CharModel('{"error": "unknown object dog"}')
    text = write_plan(PlanWriter(model.step, model.encode, model.decode))
    assert json.loads(text) == {"error": "unknown object dog"}
    # a model that wants x0 = 0.99 for a large box gets the largest x0 that fits
    model = CharModel('{"background": "white", "exclude": [], "objects": [{"shape": "star", '
                      '"color": "red", "size": "large", "box": [0.99, 0.99')
    text = write_plan(PlanWriter(model.step, model.encode, model.decode))
    box = json.loads(text)["objects"][0]["box"]
    assert box[2] <= 1.0 and box[3] <= 1.0
