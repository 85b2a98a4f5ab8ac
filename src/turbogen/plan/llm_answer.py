"""Checking a language model's answer: find the JSON in its text, turn it into a drawable
ScenePlan, and check that it is about the prompt. Nothing a model writes is trusted unchecked.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace

from ..errors import PlanError
from ..world import BACKGROUNDS, COLORS, MAX_OBJECTS, SHAPES, SIZES_PX, size_fraction
from .rules import consistency_problems
from .scene_plan import ScenePlan


class InvalidAnswer(PlanError):
    """The model's text is not a usable plan: worth one retry, then the fallback planner."""


class ModelRejection(PlanError):
    """The model answered {"error": ...}, finding the request outside Shapes World. The fallback
    planner confirms or overrules it (llm_prompt._check_refusal)."""


def json_object_end(text: str, start: int = 0) -> int | None:
    """Index just past the '}' that closes the object opening at text[start], or None when the
    text ends first. Braces inside JSON strings do not count."""
    depth, in_string, escaped = 0, False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def extract_json(text: str) -> dict:
    """The first JSON object in `text`, skipping chat around it ("Sure! ```json {...} ```").

    A balanced {...} that does not parse is skipped in favour of a later one, but its error is
    reported when none parses, since it is the likeliest attempt at the answer.
    """
    first_error, start = None, text.find("{")
    if start < 0:
        raise InvalidAnswer("the answer holds no JSON object (no '{' in it)")
    while start >= 0:
        end = json_object_end(text, start)
        if end is None:
            first_error = first_error or (
                "the answer stops before its JSON object is closed "
                f"(no matching '}}' after {len(text) - start} characters)")
            break
        try:
            return json.loads(text[start:end])
        except json.JSONDecodeError as err:
            first_error = first_error or (
                f"the JSON object is malformed: {err.msg} at character {err.pos}")
        start = text.find("{", end)
    raise InvalidAnswer(first_error)


def ground_box(box: tuple[float, float, float, float], side: float) -> tuple[float, ...]:
    """The box resized to `side` around its centre, then shifted to lie inside the canvas."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    x0 = min(max(cx - side / 2, 0.0), 1.0 - side)
    y0 = min(max(cy - side / 2, 0.0), 1.0 - side)
    return (x0, y0, x0 + side, y0 + side)


def ground_sizes(plan: ScenePlan) -> ScenePlan:
    """Every box snapped to the nominal side of its size class. Sizes are discrete in Shapes
    World, so the stated size is the truth and the model's box only tells where it goes."""
    objects = tuple(replace(o, box=ground_box(o.box, size_fraction(o.size))) for o in plan.objects)
    return replace(plan, objects=objects)


def parse_answer(text: str, prompt: str | None = None) -> ScenePlan:
    """Model text to a drawable ScenePlan; InvalidAnswer says what is wrong, ModelRejection
    carries the model's own refusal of a request outside the world. With `prompt`, the plan must
    also be about that prompt (see prompt_mismatches)."""
    data = extract_json(text)
    if isinstance(data, dict) and "error" in data:
        if not isinstance(data["error"], str) or set(data) != {"error"}:
            raise InvalidAnswer('a refusal must be {"error": "<reason>"} and nothing else')
        raise ModelRejection(f"the request is outside Shapes World: {data['error']}")
    try:
        plan = ScenePlan.from_dict(data)
    except PlanError as err:
        raise InvalidAnswer(str(err)) from None
    plan = ground_sizes(plan)
    problems = consistency_problems(plan)
    if prompt is not None:
        problems += prompt_mismatches(plan, prompt)
    if problems:
        raise InvalidAnswer("; ".join(problems))
    return plan


# Shapes World's own words, as a prompt may write them ("stars" is the shape star).
_VOCABULARY = {**{s: ("shape", s) for s in SHAPES}, **{s + "s": ("shape", s) for s in SHAPES},
               **{c: ("color", c) for c in COLORS}, **{z: ("size", z) for z in SIZES_PX},
               **{b: ("background", b) for b in BACKGROUNDS}, "grey": ("background", "gray")}
_THINGS = {"things", "shapes", "objects", "ones"}       # a count or colour without a shape
# Words that start a negation; a superset is harmless (it only allows an exclude entry).
_NEGATIONS = {"no", "not", "without", "nothing", "none", "never", "neither", "nor", "zero",
              "exclude", "excluding", "except", "avoid", "omit", "free", "lacking", "t"}
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20}


def prompt_mismatches(plan: ScenePlan, prompt: str) -> list[str]:
    """Cheap checks that the answer is about this prompt: small models often copy an example's
    objects or exclusions instead. Only the literal vocabulary is read ("ruby" is not).

    - every shape, colour and size word of the prompt is on some object, or, after a negation
      ("no red things"), on an exclude entry; a background colour named is the background;
    - a plan excludes something only when the prompt negates something;
    - "three small stars" has three small stars (see _count_problems);
    - "a black star" cannot be planned: black, white and gray are backgrounds only.
    """
    # "don't" -> "don", "t"; "five-pointed" stays one word, so it is no count
    words = re.findall(r"[a-z]+(?:-[a-z]+)*|\d+", prompt.lower())
    on_objects = {(k, getattr(o, k)) for o in plan.objects for k in ("shape", "color", "size")}
    on_objects.add(("background", plan.background))          # no object is white, gray or black
    excluded = {(k, v) for selector in plan.exclude for k, v in selector.items()}
    negated, missing, problems = False, [], []
    for i, word in enumerate(words):
        negated = negated or word in _NEGATIONS
        attribute = _VOCABULARY.get(word)
        carried = attribute in on_objects or (negated and attribute in excluded)
        if attribute and not carried and attribute[1] not in missing:
            missing.append(attribute[1])
        after = words[i + 1] if i + 1 < len(words) else ""
        if attribute and attribute[0] == "background" and (
                _VOCABULARY.get(after, ("",))[0] == "shape" or after in _THINGS):
            problems.append(f"'{word} {after}' cannot be planned: {word} is a background, "
                            f"object colours are {', '.join(COLORS)}")
        if not negated:
            problems += _count_problems(plan, words, i)
    if missing:
        problems.insert(0, f"the prompt says {', '.join(missing)}, but the plan leaves "
                           f"{'it' if len(missing) == 1 else 'them'} out")
    if plan.exclude and not negated:
        problems.append("the prompt excludes nothing (it has no 'no', 'without', 'nothing'), "
                        'so "exclude" must be []')
    return problems


def _count_problems(plan: ScenePlan, words: list[str], i: int) -> list[str]:
    """For a count at words[i] ("three small pink stars", "2 circles", "four things"): the plan
    needs that many matching objects; exactly that many when the shape is named only once."""
    count = int(words[i]) if words[i].isdigit() else _COUNTS.get(words[i])
    if not count:
        return []
    wanted: dict[str, str] = {}
    for j in range(i + 1, min(i + 4, len(words))):     # the noun within three words
        key, value = _VOCABULARY.get(words[j], ("", ""))
        if key in ("shape", "color", "size"):
            wanted[key] = value
        if key == "shape" or words[j] in _THINGS:
            break
    else:
        return []                       # not a count of objects ("2 px", "three times")
    phrase = " ".join(words[i:j + 1])
    if count > MAX_OBJECTS:
        return [f"'{phrase}' cannot be planned: a scene holds at most {MAX_OBJECTS} objects"]
    have = sum(o.matches(wanted) for o in plan.objects)
    named = "shape" in wanted and sum(_VOCABULARY.get(w) == ("shape", wanted["shape"])
                                      for w in words)
    if have < count or (named == 1 and have != count):
        return [f"the prompt asks for {phrase}, the plan has {have}"]
    return []
