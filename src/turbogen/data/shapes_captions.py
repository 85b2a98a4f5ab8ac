"""Captions for Shapes World scenes, written from the ground truth, with the facts they state.

A caption names every object (identical ones grouped: "three small red stars"), may give a
group's place or a relation between two groups where it holds for every member, may name the
background, and states every exclusion of the plan. `facts` records exactly what the text claims
in the format of plan/facts.py, so `fact_failures(plan, caption.facts)` is empty by construction
(tests check it over thousands of scenes). All words come from plan/lexicon.py, so the grammar
planner reads them without the fuzzy matcher.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..plan import lexicon as lx
from ..plan.rules import group_relation_holds, in_place
from ..plan.scene_plan import SceneObject, ScenePlan
from ..world import MAX_OBJECTS, PLACES, RELATIONS

OMIT_SIZE_P = 0.35         # a colour-and-shape cluster named without its size(s)
PLACE_P = 0.30             # a group's absolute place is stated
RELATION_P = 0.50          # two neighbouring groups are joined by a relation that holds
BACKGROUND_P = 0.80        # the background is named
BACKGROUND_FIRST_P = 0.25  # "on black, a red star" rather than "a red star on black"
ARTICLE_P = 0.60           # "a red star" rather than "one red star" / "a single red star"
CANONICAL_P = 0.60         # "red" rather than "crimson" or "scarlet"
DIGIT_P = (0.0, 0.5, 1.0)  # per caption: how often counts of two or more are written as digits

# Count phrases that need something before them ("pair of") or are handled apart ("an").
_BARE_COUNTS = {"an", "single", "pair of", "couple of", "trio of", "dozen"}
COUNT_PHRASES = {n: [w for w, c in lx.COUNT_WORDS.items() if c == n and w not in _BARE_COUNTS]
                 for n in range(1, MAX_OBJECTS + 1)}
_GENERIC_PLURALS = [plural for _, plural in lx.GENERIC_NOUNS if plural != "ones"]
# Place phrases that follow a noun well: "a star in the top left", not "a star top left".
_PREPOSITIONS = ("in", "at", "on", "near", "along")
PLACE_PHRASES = {place: [p for p in phrases if p.split()[0] in _PREPOSITIONS] or phrases
                 for place, phrases in lx.PLACE_WORDS.items()}
_BACKGROUND_SUFFIX = ["on {bg}", "on a {bg} background", "against a {bg} backdrop",
                      "on a {bg} canvas", "with a {bg} background", "against {bg}"]
_BACKGROUND_PREFIX = ["on {bg}, ", "on a {bg} background, ", "a {bg} background with ",
                      "against a {bg} backdrop, "]
_NEGATION_JOIN = [", ", " and ", ", and ", ", but ", ", with "]


@dataclass(frozen=True)
class Caption:
    text: str
    facts: dict


@dataclass
class _Group:
    """Objects one phrase names; `size` None when the phrase leaves the size out."""
    objects: list[SceneObject]
    shape: str
    color: str
    size: str | None

    def selector(self) -> dict:
        sel = {"shape": self.shape, "color": self.color}
        return sel if self.size is None else {**sel, "size": self.size}


def _pick(rng: np.random.Generator, options):
    options = list(options)
    return options[int(rng.integers(len(options)))]


def _groups(plan: ScenePlan, rng: np.random.Generator) -> list[_Group]:
    """Identical objects grouped; each group's selector matches exactly its own objects."""
    clusters: dict[tuple[str, str], list[SceneObject]] = {}
    for obj in plan.objects:
        clusters.setdefault((obj.shape, obj.color), []).append(obj)
    groups = []
    for (shape, color), objects in clusters.items():
        if rng.random() < OMIT_SIZE_P:
            groups.append(_Group(objects, shape, color, None))
            continue
        by_size: dict[str, list[SceneObject]] = {}
        for obj in objects:
            by_size.setdefault(obj.size, []).append(obj)
        groups += [_Group(objs, shape, color, size) for size, objs in by_size.items()]
    return [groups[i] for i in rng.permutation(len(groups))]


class _Writer:
    """Writes one caption: its word choices, its count style, and the facts it has stated.

    Each colour, shape and size keeps one word within a caption ("a pink square left of two
    pink discs", not "... two rose discs"), and the canonical word is the most common choice.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.digit_p = _pick(rng, DIGIT_P)
        self.chosen: dict[tuple, object] = {}
        self.facts: dict = {"objects": [], "exact_total": True, "relations": [], "places": []}

    def word(self, key: tuple, options: list):
        if key not in self.chosen:
            canonical = len(options) == 1 or self.rng.random() < CANONICAL_P
            self.chosen[key] = options[0] if canonical else _pick(self.rng, options[1:])
        return self.chosen[key]

    def count(self, n: int, next_word: str) -> str:
        if n >= 2 and self.rng.random() < self.digit_p:
            return str(n)
        if n == 1 and self.rng.random() < ARTICLE_P:
            return "an" if next_word[0] in "aeiou" else "a"
        return _pick(self.rng, COUNT_PHRASES[n])

    def noun_phrase(self, group: _Group) -> str:
        """'three small red stars', 'an aqua disc', '2 crimson rhombuses'."""
        n = len(group.objects)
        words = [] if group.size is None else [self.word(("size", group.size),
                                                         lx.SIZE_WORDS[group.size])]
        words.append(self.word(("color", group.color), lx.COLOR_WORDS[group.color]))
        singular, plural = self.word(("shape", group.shape), lx.SHAPE_WORDS[group.shape])
        words.append(singular if n == 1 else plural)
        return " ".join([self.count(n, words[0])] + words)

    def mention(self, group: _Group, place_ok: bool = True) -> str:
        """The group's noun phrase, sometimes with a place that holds for all of it."""
        text = self.noun_phrase(group)
        places = [p for p in PLACES if all(in_place(o, p) for o in group.objects)]
        if place_ok and places and self.rng.random() < PLACE_P:
            place = _pick(self.rng, places)
            self.facts["places"].append({"what": group.selector(), "place": place})
            text += " " + _pick(self.rng, PLACE_PHRASES[place])
        return text

    def relation(self, a: _Group, b: _Group) -> str | None:
        holding = [r for r in RELATIONS if group_relation_holds(a.objects, r, b.objects)]
        if not holding or self.rng.random() >= RELATION_P:
            return None
        relation = _pick(self.rng, holding)
        self.facts["relations"].append({"a": a.selector(), "relation": relation,
                                        "b": b.selector()})
        return relation

    def scene(self, groups: list[_Group]) -> str:
        """Every group once; neighbours sometimes joined by a relation ('A above B').

        The first group of a relation gets no place: "a star on the right on the left of a
        disc" is true but reads as a contradiction.
        """
        chunks, i = [], 0
        while i < len(groups):
            a = groups[i]
            relation = self.relation(a, groups[i + 1]) if i + 1 < len(groups) else None
            if relation is None:
                chunks.append(self.mention(a))
                i += 1
                continue
            phrase = _pick(self.rng, lx.RELATION_WORDS[relation])
            b_text = self.mention(groups[i + 1])
            chunks.append(f"{self.mention(a, place_ok=False)} {phrase} {b_text}")
            i += 2
        return _join(chunks)

    def background(self, text: str, background: str) -> str:
        self.facts["background"] = background
        bg = self.word(("background", background), lx.BACKGROUND_WORDS[background])
        if self.rng.random() < BACKGROUND_FIRST_P:
            return _pick(self.rng, _BACKGROUND_PREFIX).format(bg=bg) + text
        return text + " " + _pick(self.rng, _BACKGROUND_SUFFIX).format(bg=bg)

    def negation(self, sel: dict, first: bool) -> str:
        """'no red things', 'nothing red', 'without triangles', 'no blue squares'."""
        color = self.word(("color", sel["color"]), lx.COLOR_WORDS[sel["color"]]) \
            if "color" in sel else None
        if "shape" in sel:
            noun = self.word(("shape", sel["shape"]), lx.SHAPE_WORDS[sel["shape"]])[1]
            things = noun if color is None else f"{color} {noun}"
        else:
            things = f"{color} {self.word(('generic',), _GENERIC_PLURALS)}"
        forms = [f"no {things}"]
        if "shape" not in sel:
            forms.append(f"nothing {color}")
        if first:       # "..., without triangles and no red things" reads well; the reverse not
            forms += [f"without {things}", f"without any {things}"]
        return _pick(self.rng, forms)

    def negations(self, text: str, exclude) -> str:
        self.facts["exclude"] = [dict(sel) for sel in exclude]
        if not exclude:
            return text
        parts = [self.negation(sel, first=(i == 0)) for i, sel in enumerate(exclude)]
        join = _pick(self.rng, _NEGATION_JOIN)
        if join == ", with " and (not parts[0].startswith("no ") or " with " in text):
            join = ", "    # "with without", "with nothing red", "with ..., with" read badly
        return text + join + " and ".join(parts)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def caption_scene(plan: ScenePlan, rng: np.random.Generator) -> Caption:
    """A random true caption of `plan` and the facts it states (plan/facts.py format)."""
    if not plan.objects:
        raise ValueError("a caption needs a scene with at least one object")
    writer = _Writer(rng)
    groups = _groups(plan, rng)
    writer.facts["objects"] = [{"count": len(g.objects), **g.selector()} for g in groups]
    text = writer.scene(groups)
    if rng.random() < BACKGROUND_P:
        text = writer.background(text, plan.background)
    text = writer.negations(text, plan.exclude)
    return Caption(text=text, facts=writer.facts)


def caption_text(plan: ScenePlan, rng: np.random.Generator) -> str:
    return caption_scene(plan, rng).text


_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def canonical_caption(plan: ScenePlan) -> Caption:
    """One fixed caption of `plan` in canonical words, and the facts it states.

    Identical objects are grouped in order of first appearance: "two small red stars and a large
    blue circle on a black background". No places or relations: what a reader of the image can
    always say. Used by the captioner, where the same image must always get the same words.
    """
    groups: dict[tuple[str, str, str], int] = {}
    for obj in plan.objects:
        key = (obj.size, obj.color, obj.shape)
        groups[key] = groups.get(key, 0) + 1
    phrases = []
    for (size, color, shape), n in groups.items():
        words = f"{lx.SIZE_WORDS[size][0]} {lx.COLOR_WORDS[color][0]} "
        singular, plural = lx.SHAPE_WORDS[shape][0]
        count = _NUMBER_WORDS.get(n, str(n)) if n > 1 else ("an" if words[0] in "aeiou" else "a")
        phrases.append(f"{count} {words}{singular if n == 1 else plural}")
    background = lx.BACKGROUND_WORDS[plan.background][0]
    text = (f"{_join(phrases)} on a {background} background" if phrases
            else f"an empty {background} background")
    facts = {"objects": [{"count": n, "shape": shape, "color": color, "size": size}
                         for (size, color, shape), n in groups.items()],
             "exact_total": True, "background": plan.background}
    return Caption(text=text, facts=facts)
