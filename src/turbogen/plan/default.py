"""The default planner: grammar + MiniLM word matching + layout solver. Offline and fast.

prompt -> check text -> tokens -> (unknown words -> MiniLM / colour table) -> Request -> plan,
and the plan is checked against the facts the Request states before it is returned, so a plan
that misses what the prompt said is never presented as right.
"""
from __future__ import annotations

import re
import time

import numpy as np

from ..errors import PlanError, TurbogenError
from .base import PlanResult
from .facts import fact_failures
from .fields import fields_to_words
from .grammar import Request, parse, required_words, tokenize, unknown_roles, _words
from .lexicon import COLOUR_MODIFIERS
from .layout import realize
from .prompt_text import check_prompt
from .scene_plan import ScenePlan
from .spelling import corrections
from .word_matcher import (background_of_name, colour_of_name, embed_words, is_colour_name,
                           match_words)


def request_facts(request: Request) -> dict:
    """The facts a Request asks for, in the format of plan/facts.py."""
    objects = [{**g.selector(), "count": g.count if isinstance(g.count, int) else list(g.count)}
               for g in request.groups]
    selectors = [g.selector() for g in request.groups]
    # a relation between groups that look alike ("four stars around a circle": one star per
    # side) holds for the layout but cannot be read back from the plan, so it is not a fact
    relations = [(a, rel, b) for a, rel, b in request.relations
                 if selectors.count(selectors[a]) == 1 and selectors.count(selectors[b]) == 1]
    facts = {"objects": objects, "exclude": [dict(e) for e in request.exclude],
             "relations": [{"a": request.groups[a].selector(), "relation": rel,
                            "b": request.groups[b].selector()}
                           for a, rel, b in relations],
             "places": [_place_fact(g, p, selectors) for g in request.groups for p in g.places]}
    if request.background:
        facts["background"] = request.background
    return facts


def _place_fact(group, place: str, selectors: list[dict]) -> dict:
    """'a red circle on the left and a red circle on the right': groups that look alike each
    claim their count of the look-alikes in their place, not all of them."""
    fact = {"what": group.selector(), "place": place}
    if selectors.count(group.selector()) > 1:
        fact["count"] = group.count if isinstance(group.count, int) else group.count[0]
    return fact


def _merge_colour_names(tokens):
    """'hot pink', 'sky blue': a two-word colour name is one colour; 'jet black', 'deep blue':
    a modifier that only strengthens a colour is dropped."""
    out = []
    for token in tokens:
        if out and out[-1][0] == "unknown" and token[0] in ("color", "bgcolor", "unknown"):
            name = f"{out[-1][2]} {token[2]}"
            if is_colour_name(name):
                if token[0] in ("bgcolor", "color"):
                    out[-1] = token      # "blush pink", "sky blue": the world colour named last
                else:
                    out[-1] = ("color", colour_of_name(name), name)
                continue
            if out[-1][2] in COLOUR_MODIFIERS and token[0] != "unknown":
                out[-1] = token
                continue
        if out and out[-1][0] == "unknown" and token[0] == "bgnoun":
            word = out[-1][2]                # "on a dark background", "a charcoal backdrop"
            value = LIGHTNESS_BACKGROUNDS.get(word) or background_of_name(word)
            if value:
                out[-1] = ("bgcolor", value, word)
        out.append(token)
    return [("filler", None, t[2]) if _is_adverb(t) else t for t in out]


LIGHTNESS_BACKGROUNDS = {"dark": "black", "light": "white", "pale": "white", "bright": "white",
                         "blank": "white"}


def _is_adverb(token) -> bool:
    """'directly', 'neatly', 'exactly': adverbs shade a phrase but add no scene content."""
    return token[0] == "unknown" and len(token[2]) > 4 and token[2].endswith("ly") \
        and not is_colour_name(token[2])


class DefaultPlanner:
    name = "default"
    last_used = "default"
    last_fallback = None
    last_notes: list[str] = []    # words the last prompt used that were skipped

    def read(self, prompt: str) -> Request:
        """Prompt text to Request, resolving words outside the lexicon by meaning."""
        text = check_prompt(prompt)
        text = fields_to_words(text) or text     # "Size: large. Shape: circle."
        self.last_notes = []
        tokens = tokenize(text)
        typos = corrections([t[2] for t in tokens if t[0] == "unknown"])
        if typos:        # "a green cirlce": read as "circle", and say so
            text = re.sub(r"[A-Za-z]+", lambda m: typos.get(m[0].lower(), m[0]), text)
            self.last_notes = [f"read '{typo}' as '{word}'" for typo, word in typos.items()]
            tokens = tokenize(text)
        tokens = _merge_colour_names(tokens)
        words = _words(text)
        raw_next = self._raw_next(tokens, words)
        roles = unknown_roles(tokens, raw_next)
        if roles:
            idx = sorted(roles)
            required = required_words(tokens, raw_next)
            matched = match_words([tokens[i][2] for i in idx], [roles[i] for i in idx],
                                  [i not in required for i in idx])
            for i, (role, value) in zip(idx, matched):
                if role == "ignore":
                    self.last_notes.append(f"ignored '{tokens[i][2]}': not a shape, colour, size, "
                                           "count or relation Shapes World can draw")
                    tokens[i] = ("filler", None, tokens[i][2])
                    continue
                kind = {"relation": "rel"}.get(role, role)
                if kind == "shape":
                    value = (value, tokens[i][2].endswith("s"))
                tokens[i] = (kind, value, tokens[i][2])
        return parse(tokens)

    @staticmethod
    def _raw_next(tokens, words) -> dict[int, str]:
        """The raw word after each token ('of' after 'quartet' marks a count noun)."""
        out, pos = {}, 0
        for i, (_, _, text) in enumerate(tokens):
            pos += len(text.split())
            if pos < len(words):
                out[i] = words[pos]
        return out

    def plan(self, prompt: str, seed: int = 0) -> ScenePlan:
        if seed < 0:
            raise PlanError(f"seed must be 0 or more, got {seed}")
        request = self.read(prompt)
        plan = realize(request, np.random.default_rng(seed))
        failures = fact_failures(plan, request_facts(request))
        if failures:   # a bug in the layout solver; never hand out a plan that is wrong
            raise PlanError(f"internal check failed for {prompt!r}: {failures[0]}")
        return plan

    def plan_many(self, prompts: list[str], seed: int = 0) -> list[PlanResult]:
        """Plan a batch; every word outside the lexicon is encoded in one MiniLM call."""
        unknown = set()
        for prompt in prompts:
            try:
                unknown.update(t[2] for t in tokenize(check_prompt(prompt)) if t[0] == "unknown")
            except TurbogenError:
                pass      # reported when the prompt itself is planned below
        if unknown:
            embed_words(unknown)
        results = []
        for i, prompt in enumerate(prompts):
            start = time.perf_counter()
            try:
                plan, error = self.plan(prompt, seed + i), None
            except TurbogenError as err:
                plan, error = None, str(err)
            results.append(PlanResult(prompt=prompt, plan=plan, planner=self.name, seed=seed + i,
                                      seconds=time.perf_counter() - start, error=error,
                                      notes=list(self.last_notes)))
        return results
