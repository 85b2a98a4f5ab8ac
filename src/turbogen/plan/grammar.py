"""Read a prompt into a Request: object groups, relations, places, background, exclusions.

Two passes: `tokenize` turns words into typed tokens by longest match against the lexicon
(unknown words are kept for the MiniLM matcher), `parse` walks the tokens into a Request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import PlanError
from ..world import COLORS, MAX_OBJECTS, SHAPES
from . import lexicon as lx
from .rewrite import normalize


@dataclass
class Group:
    count: int | tuple[int, int]          # exact, or a (min, max) range for plurals without one
    shape: str | None = None
    color: str | None = None
    size: str | None = None
    places: list[str] = field(default_factory=list)

    def selector(self) -> dict:
        return {k: v for k, v in (("shape", self.shape), ("color", self.color),
                                  ("size", self.size)) if v is not None}

    def describe(self) -> str:
        words = [w for w in (self.size, self.color, self.shape or "object") if w]
        return " ".join(words)


@dataclass
class Request:
    groups: list[Group] = field(default_factory=list)
    relations: list[tuple[int, str, int]] = field(default_factory=list)   # (group a, rel, group b)
    background: str | None = None
    exclude: list[dict] = field(default_factory=list)


def _phrase_table() -> dict[tuple[str, ...], tuple[str, object]]:
    table: dict[tuple[str, ...], tuple[str, object]] = {}

    def add(phrase: str, kind: str, value: object) -> None:
        table.setdefault(tuple(_words(phrase)), (kind, value))

    for value, phrases in lx.RELATION_WORDS.items():
        for p in phrases:
            add(p, "rel", value)
    for value, phrases in lx.PLACE_WORDS.items():
        for p in phrases:
            add(p, "place", value)
    for p, n in lx.COUNT_WORDS.items():
        add(p, "count", n)
    for value, phrases in lx.COLOR_WORDS.items():
        for p in phrases:
            add(p, "color", value)
    for value, phrases in lx.BACKGROUND_WORDS.items():
        for p in phrases:
            add(p, "bgcolor", value)
    for value, pairs in lx.SHAPE_WORDS.items():
        for singular, plural in pairs:
            add(singular, "shape", (value, False))
            add(plural, "shape", (value, True))
    for singular, plural in lx.GENERIC_NOUNS:
        add(singular, "shape", (None, False))
        add(plural, "shape", (None, True))
    for value, phrases in lx.SIZE_WORDS.items():
        for p in phrases:
            add(p, "size", value)
    for value, phrases in lx.COUNT_BOUNDS.items():
        for p in phrases:
            add(p, "bound", value)
    add("between", "between", True)
    for value, phrases in lx.DIRECTION_WORDS.items():
        for p in phrases:
            add(p, "dir", value)
    for p in lx.NEGATION_WORDS:
        add(p, "neg", True)
    for p in lx.BACKGROUND_NOUNS:
        add(p, "bgnoun", True)
    for p in lx.SELF_WORDS:
        add(p, "self", True)
    for p in ("the", "this", "that"):
        add(p, "det", True)
    for p in lx.CONJUNCTIONS:
        add(p, "or", True)
    for p in lx.AND_WORDS:
        add(p, "and", True)
    for p in lx.PRONOUNS:
        add(p, "pron", True)
    for value, phrases in lx.COMPOUND_RELATIONS.items():
        for p in phrases:
            add(p, "rel", value)
    for value, phrases in lx.POSSESSIVE_RELATIONS.items():
        for p in phrases:
            add(p, "relpron", value)
    for p in lx.CANVAS_NOUNS:
        add(p, "canvas", True)
    for p in lx.DISTRIBUTIVE_WORDS:
        add(p, "both", True)
    for value, phrases in lx.ORDER_WORDS.items():
        for p in phrases:
            add(p, "order", value)
    for p in lx.ATTRIBUTE_PLURALS:
        add(p, "attrs", True)
    for p in lx.AROUND_WORDS:
        add(p, "rel", "around")
    for p in lx.CORRECTION_WORDS:
        add(p, "correct", True)
    for p in lx.POSTFIX_NEGATIONS:
        add(p, "postneg", True)
    for value, phrases in lx.EVERY_WORDS.items():
        for p in phrases:
            add(p, "every", value)
    for p in lx.UNDRAWABLE_LOOKS:
        add(p, "look", True)
    for p in lx.FILLER_WORDS + lx.PLACE_NOUNS:
        add(p, "filler", True)
    return table


def _words(text: str) -> list[str]:
    """Lower-cased words, digits and separators, after the text rewrites of rewrite.py."""
    return re.findall(r"[a-z]+|\d+|,|;|:|\.", normalize(text.lower()).replace("-", " "))


_TABLE = _phrase_table()
_LONGEST = max(len(k) for k in _TABLE)


def tokenize(prompt: str) -> list[tuple[str, object, str]]:
    """(kind, value, text) tokens; unknown words come out as ("unknown", None, word)."""
    words, tokens, i = _words(prompt), [], 0
    while i < len(words):
        if words[i] in ",;.:":
            tokens.append(("sep", None, words[i]))
            i += 1
            continue
        if words[i].isdigit():
            tokens.append(("count", int(words[i]), words[i]))
            i += 1
            continue
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            hit = _TABLE.get(tuple(words[i:i + n]))
            if hit:
                tokens.append((hit[0], hit[1], " ".join(words[i:i + n])))
                i += n
                break
        else:
            tokens.append(("unknown", None, words[i]))
            i += 1
    return _nothing_but(_keep_out(_count_of_pronoun(_attribute_counts(tokens))))


def _nothing_but(tokens):
    """'nothing on it but a purple triangle': only what follows, not a negation."""
    out = list(tokens)
    for i, (kind, _, text) in enumerate(out):
        if kind == "neg" and text in ("nothing", "none"):
            j = i + 1
            while j < len(out) and j - i <= 4 and out[j][0] in ("filler", "pron", "det") \
                    and out[j][2] not in ("but", "except"):
                j += 1
            if j < len(out) and out[j][2] in ("but", "except") and j > i + 1:
                out[i:j + 1] = [("filler", True, t[2]) for t in out[i:j + 1]]
    return out


def _attribute_counts(tokens):
    """'in three sizes', 'these colours:': attribute nouns announce a list; they add nothing."""
    out = list(tokens)
    for i, (kind, _, text) in enumerate(out):
        if kind == "attrs":
            out[i] = ("filler", True, text)
            if i and out[i - 1][0] == "count":
                out[i - 1] = ("filler", True, out[i - 1][2])
    return out


def _count_of_pronoun(tokens):
    """'one of it', 'two of them': a count restated for what was named, never 'a ... one'."""
    out = list(tokens)
    for i in range(len(out) - 2):
        if out[i][0] == "count" and out[i + 1][2] == "of" and out[i + 2][0] == "pron":
            out[i] = ("count", out[i][1], str(out[i][1]))
    return out


def _keep_out(tokens):
    """'keep red out of it', 'leave the stars out': the verb negates what stands before 'out'."""
    out = list(tokens)
    for i, (_, _, text) in enumerate(out):
        if text not in lx.KEEP_OUT_VERBS:
            continue
        ends = [j for j in range(i + 2, min(i + 6, len(out))) if out[j][2] == "out"]
        if not ends:
            continue
        j = ends[0]
        out[i] = ("neg", True, text)
        out[j] = ("filler", True, "out")
        if j + 1 < len(out) and out[j + 1][2] == "of":
            k = j + 2
            while k < len(out) and out[k][0] in ("det", "filler"):
                k += 1
            if k < len(out) and out[k][0] in ("pron", "canvas", "bgnoun"):
                out[j + 1:k + 1] = [("filler", True, t[2]) for t in out[j + 1:k + 1]]
    return out


_REL_TO_PLACE = {"left of": "left", "right of": "right", "above": "top", "below": "bottom"}
_PLACE_TO_REL = {place: rel for rel, place in _REL_TO_PLACE.items()}
_ADJ_ROLES = ("color", "size")
_ALL_ROLES = ("color", "size", "shape", "count", "relation")


def unknown_roles(tokens, raw_next: dict[int, str]) -> dict[int, tuple[str, ...]]:
    """Which roles each unknown word may play, from its neighbours ("a ruby dot": adj, noun)."""
    return {i: roles for i, (roles, _) in _unknown_slots(tokens, raw_next).items()}


def required_words(tokens, raw_next: dict[int, str]) -> set[int]:
    """Unknown words that must be understood: those that stand where the object's noun goes
    ("a dog", "two red cars"). Others ("a solitary star", "tucked into") may be skipped when
    they match nothing, with a note, since they do not say what to draw."""
    return {i for i, (_, required) in _unknown_slots(tokens, raw_next).items() if required}


def _unknown_slots(tokens, raw_next):
    meaningful = [i for i, t in enumerate(tokens) if t[0] not in ("filler", "det", "and", "pron")]
    slots = {}
    for pos, i in enumerate(meaningful):
        if tokens[i][0] != "unknown":
            continue
        prev = tokens[meaningful[pos - 1]][0] if pos > 0 else "start"
        nxt_i = meaningful[pos + 1] if pos + 1 < len(meaningful) else None
        nxt = tokens[nxt_i][0] if nxt_i is not None else "end"
        generic_next = nxt == "shape" and tokens[nxt_i][1][0] is None
        if raw_next.get(i) == "of" and prev in ("start", "count", "sep", "neg", "rel", "place"):
            roles = ("count",)
        elif prev == "shape" and tokens[meaningful[pos - 1]][2] in lx.POSTNOMINAL_NOUNS:
            roles = ("shape",) + _ADJ_ROLES       # "something round and orange"
        elif prev == "shape" and tokens[meaningful[pos - 1]][2] in _SHAPE_ADJECTIVES:
            roles = ("shape",)                    # "a round spot": the noun after the look
        elif generic_next:
            roles = ("shape",) + _ADJ_ROLES       # "a round shape", "a triangular object"
        elif nxt in ("color", "size") and prev in ("count", "color", "size") \
                and not _noun_follows(tokens, meaningful, pos):
            roles = ("shape",) + _ADJ_ROLES       # "six small dots in blue"
        elif nxt in ("color", "size") and prev == "shape":
            roles = ("relation",) + _ADJ_ROLES    # "the square underneath the orange diamond"
        elif nxt in ("shape", "unknown", "color", "size"):
            roles = _ADJ_ROLES
        elif prev in ("count", "color", "size"):
            roles = ("shape",) + _ADJ_ROLES
        elif prev == "shape" and nxt in ("count", "det", "color", "size", "shape", "unknown"):
            roles = ("relation",)
        elif prev == "shape":
            roles = ("relation", "shape")
        else:
            roles = _ALL_ROLES
        if i > 0 and tokens[i - 1][2] in _COLOUR_LEADS:
            roles = ("color",) + tuple(r for r in roles if r != "color")   # "a star in salmon"
        required = (prev in ("count", "color", "size") and nxt not in
                    ("shape", "unknown", "color", "size")) or (prev == "start" and nxt == "end")
        slots[i] = (roles, required)
    return slots


_COLOUR_LEADS = ("in", "coloured", "colored", "painted", "shaded", "tinted")


def _noun_follows(tokens, meaningful, pos) -> bool:
    """Whether a shape noun ends the phrase after position `pos` ('a sole cyan triangle')."""
    for j in meaningful[pos + 1:]:
        if tokens[j][0] not in ("color", "size", "unknown"):
            return tokens[j][0] == "shape"
    return False


def merge_shape_adjectives(tokens):
    """'a round shape', 'a star shaped object', 'a round, green one': the generic noun takes
    the named shape (adjectives between them stay with the object); 'something round and
    orange': adjectives after such a noun describe it; 'a thing shaped like a diamond'."""
    out = []
    for token in _postnominal(_shaped_like(tokens)):
        if token[0] == "count" and token[2] == "one" and out \
                and out[-1][0] in ("color", "size", "det"):
            token = ("shape", (None, False), "one")      # "a round, green one", "the one"
        if token[0] == "shape" and token[1][0] is None:
            back = len(out) - 1
            while back >= 0 and (out[back][0] == "filler" or out[back][0] in ("sep", "color",
                                                                               "size")):
                back -= 1
            between = [t for t in out[back + 1:] if t[0] in ("color", "size")]
            if back >= 0 and out[back][0] == "shape" and out[back][1][0] is not None and (
                    token[2] not in ("one", "ones") or between):
                shape = out[back]
                del out[back:]
                out += between
                out.append(("shape", (shape[1][0], token[1][1]), f"{shape[2]} {token[2]}"))
                continue
        back = len(out) - 1
        while back >= 0 and out[back][0] in ("color", "size"):
            back -= 1
        if token[0] == "shape" and token[1][0] is not None and back >= 0 \
                and out[back][0] == "shape" and out[back][1][0] == token[1][0] \
                and out[back][2] in _SHAPE_ADJECTIVES:      # "a round dot", "a round red blob"
            out[back:] = out[back + 1:] + [("shape", token[1], f"{out[back][2]} {token[2]}")]
            continue
        out.append(token)
    return out


_SHAPE_ADJECTIVES = ("round", "circular", "triangular")


def _postnominal(tokens):
    """'something round and orange' -> 'round orange something' (adjectives before it)."""
    out, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if token[0] == "shape" and token[2] in lx.POSTNOMINAL_NOUNS:
            j, adjectives = i + 1, []
            while j < len(tokens) and (tokens[j][0] in ("color", "size", "shape")
                                       or (tokens[j][0] in ("and", "sep") and tokens[j][2] != "."
                                           and j + 1 < len(tokens)
                                           and tokens[j + 1][0] in ("color", "size", "shape"))):
                if tokens[j][0] == "shape" and tokens[j][2] in lx.POSTNOMINAL_NOUNS:
                    break
                if tokens[j][0] != "and" and tokens[j][0] != "sep":
                    adjectives.append(tokens[j])
                j += 1
            named = [t for t in adjectives if t[0] == "shape"]
            if adjectives and len(named) <= 1:
                out += [t for t in adjectives if t[0] != "shape"]
                out.append(("shape", (named[0][1][0] if named else None, False),
                            f"{token[2]} {named[0][2] if named else ''}".strip()))
                i = j
                continue
        out.append(token)
        i += 1
    return out


def _shaped_like(tokens):
    """'a blue thing shaped like a diamond', 'an object in the shape of a star'."""
    out, i = [], 0
    while i < len(tokens):
        token = tokens[i]
        if token[0] == "shape" and (token[1][0] is None or token[2] in _SHAPE_ADJECTIVES):
            j = i + 1
            words = []
            while j < len(tokens) and tokens[j][0] in ("filler", "det", "count", "shape") \
                    and tokens[j][1] in (True, 1, None, (None, False)):
                words.append(tokens[j][2])
                j += 1
            phrase = " ".join(words)
            if j < len(tokens) and tokens[j][0] == "shape" and tokens[j][1][0] is not None \
                    and token[1][0] in (None, tokens[j][1][0]) and (phrase in _SHAPED_LIKE or (token[2] == "shape"
                                                    and phrase in ("of a", "of an"))):
                out.append(("shape", (tokens[j][1][0], token[1][1]),
                            f"{token[2]} {phrase} {tokens[j][2]}"))
                i = j + 1
                continue
        out.append(token)
        i += 1
    return out


_SHAPED_LIKE = {f"{lead} {article}" for lead in ("shaped like", "like", "in the shape of",
                                                 "with the shape of", "in the form of",
                                                 "that is", "which is", "that s", "that are")
                for article in ("a", "an", "the")}


def _count_range(n: int, bound: str) -> int | tuple[int, int]:
    """'at least n' -> (n, n + 2) within the world's limit; 'at most n' -> (1, n)."""
    lo, hi = (n, min(n + 2, MAX_OBJECTS)) if bound == "min" else (1, n)
    return lo if lo >= hi else (lo, hi)


def _compose_place(dirs: list[str], words: str) -> str:
    """{'top', 'left'} -> 'top left'; 'top center' -> 'top'; a run that says both top and
    bottom is a contradiction."""
    vertical = sorted({d for d in dirs if d in ("top", "bottom")})
    horizontal = sorted({d for d in dirs if d in ("left", "right")})
    for pair in (vertical, horizontal):
        if len(pair) > 1:
            raise PlanError(f"'{words}' puts one object at both the {pair[0]} and the {pair[1]}")
    parts = vertical + horizontal
    return " ".join(parts) if parts else "center"


def demonstrative_pronouns(tokens):
    """'below that a red diamond': 'that' points back (a pronoun) when a relation comes before
    it and a new noun phrase ('a', 'two') after it; 'below that red diamond' keeps it a word
    of the noun phrase."""
    out = list(tokens)
    for i in range(1, len(out)):
        kind, _, text = out[i]
        after = out[i + 1][0] if i + 1 < len(out) else "end"
        if kind == "det" and text in ("that", "this") and out[i - 1][0] == "rel" \
                and after in ("count", "sep", "and", "end"):
            out[i] = ("pron", True, text)         # "..., and a green star right of that"
        if kind == "rel" and out[i][1] == "around" and after in ("sep", "end"):
            out[i] = ("filler", True, text)       # "no triangles around"
    for i in range(1, len(out)):      # "above both of them": the objects named before
        if out[i][0] == "both" and out[i - 1][0] == "rel":
            out[i] = ("pron", True, out[i][2])
    for i in range(len(out) - 1):
        kind, _, text = out[i]
        after = out[i + 2] if out[i + 1][0] == "sep" and i + 2 < len(out) else out[i + 1]
        if kind == "shape" and text in ("shape", "shapes") and after[0] == "shape" \
                and after[1][0] is not None:
            out[i] = ("filler", True, text)       # "shape triangle", "shape: star"
        nxt = next((t for t in out[i + 1:] if t[0] not in ("filler", "det")), ("end", None, ""))
        if kind == "rel" and out[i + 1][2] in ("which", "whom"):
            out[i + 1] = ("pron", True, out[i + 1][2])   # "a square, below which a triangle"
        if kind == "rel" and text == "over" and nxt[0] in ("place", "dir"):
            out[i] = ("filler", True, text)       # "far over on the right-hand side"
    return out


def scoped_negations(tokens):
    """'a triangle that is not green': the negation is about triangles, not every object."""
    out = list(tokens)
    for i, (kind, value, text) in enumerate(out):
        if kind != "shape" or value[0] is None:
            continue
        j = i + 1
        while j < len(out) and (out[j][2] in _SCOPE_LINKS or out[j][2] == ","):
            j += 1
        k = j + 1
        while k < len(out) and out[k][0] == "filler":     # "shouldn't be green"
            k += 1
        if j < len(out) and out[j][0] == "neg" and out[j][2] in _SCOPED_NEGATIONS \
                and k < len(out) and out[k][0] in ("color", "size") \
                and (j == i + 1 or any(t[2] != "," for t in out[i + 1:j])
                     or out[j][2] in _ANY_BUT):
            out[j] = ("neg", "scoped", out[j][2])
    return out


# "a triangle that is not green", "the circle shouldn't be green", "a triangle, any colour
# but green": words between the thing and its negation
_SCOPE_LINKS = ("that", "which", "who", "is", "are", "s", "should", "must", "will", "be",
                "can", "may", "ought")
_ANY_BUT = ("any colour but", "any color but", "any colour except", "any color except",
            "any colour other than", "any color other than")
_SCOPED_NEGATIONS = ("not", "isn t", "aren t", "never", "shouldn t", "should not", "mustn t",
                     "must not", "can t", "cannot", "won t") + _ANY_BUT


def halves(tokens):
    """'six circles, half of them red and half blue': 'half' starts a part, not a place."""
    out = list(tokens)
    for i in range(1, len(out) - 1):
        kind, _, text = out[i]
        if text == "half" and out[i - 1][0] in ("sep", "and") and (
                out[i + 1][0] in ("color", "size") or out[i + 1][2] == "of"):
            out[i] = ("half", True, text)
    return out


_NP_KINDS = ("count", "det", "color", "size", "shape")


def apply_corrections(tokens):
    """'a green, no wait, purple circle', 'a star, sorry, I meant a diamond', 'four squares,
    actually three', 'above a square, no, below it': the words after a second thought replace
    the last words of the same kind before it; 'actually drop the star' removes the star."""
    out, i = [], 0
    while i < len(tokens):
        if not _is_correction(tokens, i, out):
            out.append(tokens[i])
            i += 1
            continue
        j = i
        while j < len(tokens) and (tokens[j][0] in ("correct", "sep", "filler")
                                   or tokens[j][2] in ("it", "that")
                                   or (tokens[j][2] == "no" and j + 1 < len(tokens)
                                       and tokens[j + 1][0] == "sep")):
            j += 1
        k = j
        while k < len(tokens) and tokens[k][0] != "sep":
            k += 1
        removal = any(t[2] in _REMOVAL_VERBS for t in tokens[i:j])
        out = _retract(out, tokens[j:k], removal)
        i = k
    return out


_REMOVAL_VERBS = ("drop", "remove", "delete", "forget", "get rid of")


def _is_correction(tokens, i, before) -> bool:
    kind, _, text = tokens[i]
    if kind == "correct":
        return bool(before)
    # "above a square, no, below a square": a bare "no" between commas
    return kind == "neg" and text == "no" and bool(before) and before[-1][0] == "sep" \
        and i + 1 < len(tokens) and tokens[i + 1][0] == "sep"


def _retract(out: list, span: list, removal: bool) -> list:
    """`out` with what `span` corrects taken back, and `span` in its place."""
    content = [t for t in span if t[0] not in ("filler", "det")]
    kinds = {t[0] for t in content}
    while out and out[-1][0] in ("sep", "and"):
        out = out[:-1]
    if removal:                     # "actually drop the star"
        shapes = [t[1][0] for t in content if t[0] == "shape"]
        for end in range(len(out) - 1, -1, -1):
            if out[end][0] == "shape" and shapes and out[end][1][0] == shapes[0]:
                start = end
                while start > 0 and out[start - 1][0] in ("count", "det", "color", "size"):
                    start -= 1
                while start > 0 and out[start - 1][0] in ("and", "sep"):
                    start -= 1
                return out[:start] + out[end + 1:]
        return out
    if "rel" in kinds:              # "above a square, no, below a square"
        last = max((n for n, t in enumerate(out) if t[0] == "rel"), default=None)
        return (out[:last] if last is not None else out) + span
    if "shape" in kinds or len(kinds) > 1:    # a whole noun phrase: "I meant a red diamond"
        start = len(out)
        while start > 0 and out[start - 1][0] in ("shape",) and start == len(out):
            start -= 1
        while start > 0 and out[start - 1][0] in ("count", "det", "color", "size", "filler"):
            start -= 1
        return out[:start] + span
    if len(kinds) == 1:             # one word of one kind: "make it purple", "at the bottom"
        kind = kinds.pop()
        for n in range(len(out) - 1, -1, -1):
            if out[n][0] == kind and not (kind == "count" and out[n][2] in ("a", "an")):
                return out[:n] + content + out[n + 1:]
    return out + span


def postfix_negations(tokens):
    """'Triangles are banned': a negation said after what it forbids."""
    out = []
    for token in tokens:
        if token[0] != "postneg":
            out.append(token)
            continue
        end = len(out)
        while end > 0 and out[end - 1][0] == "filler":
            end -= 1
        start = end
        while start > 0 and out[start - 1][0] in _NP_KINDS:
            start -= 1
        if start == end:
            raise PlanError(f"'{token[2]}' needs something before it, as in 'triangles are "
                            f"{token[2]}'")
        np_ = [t for t in out[start:end] if t[0] != "count"]
        out[start:] = [("neg", True, "no")] + np_ + [("sep", None, ".")]
    return out


def parse(tokens) -> Request:
    """Walk typed tokens (unknowns already resolved) into a Request."""
    state = _ParseState()
    tokens = postfix_negations(apply_corrections(list(tokens)))
    tokens = halves(scoped_negations(merge_shape_adjectives(tokens)))
    for kind, value, text in demonstrative_pronouns(tokens):
        state.feed(kind, value, text)
    state.finish()
    return state.request


class _ParseState:
    # Tokens that neither start nor end a noun phrase: they keep "and"-joined relations alive.
    _TRANSPARENT = ("filler", "and", "sep", "rel", "relpron", "pron", "self")

    def __init__(self) -> None:
        self.request = Request()
        self.np: dict = {}
        self.negating = False
        self.pending_rel: tuple[int, list[str]] | None = None   # subject, relations awaiting object
        self.front: dict | None = None     # "Above the circle is a star": rels, then their object
        self.pending_places: list[str] = []
        self.last_group: int | None = None
        self.rel_subject: int | None = None   # subject of the relation that just closed
        self.conjoined = False                # an "and" came after it
        self.bg_expected = False
        self.prev_kind = "start"              # the last token that was not filler or a comma
        self.run: list[str] = []              # direction words read so far: one place
        self.run_texts: list[str] = []
        self.run_of = False
        self.rel_after_and = False
        self.run_before_and: tuple | None = None
        self.header_total: int | None = None      # "three shapes: ..." announces the total
        self.phrase_prev = "start"
        self.extra_rels: list[str] = []
        self.and_relation: tuple | None = None   # (relations start, object) of "and to the right
                                                 # of that star": maybe front-style
        self.excluded_last = False            # the last noun was an exclusion ("no stars")
        self.elided: list[dict] = []          # "a red [circle] and a blue circle"
        self.sentence_start = 0               # first group of the current sentence
        self.distribute = False               # "both", "all of them": over the sentence
        self.order: tuple[str, int] | None = None   # "from left to right": (relation, first)
        self.only = False                     # "only" was read in this phrase
        self.header_attrs: dict = {}          # "three large shapes: ...": every one large
        self.last_raw = ""                    # the text of the last token that was not filler
        self.carving: int | None = None       # the group "one red, one blue" is splitting
        self.neg_scope: str | None = None     # "a triangle that is not green": triangles only
        self.comparative = False              # "further", "more": a direction compares
        self.other = False                    # "the other star": not the one named before
        self.half_of: int | None = None       # "six circles, half of them red"
        self.header_group: Group | None = None  # "Shapes: 4.": a header whose count follows
        self.run_prev = ""                    # what came before the direction run
        self.pending_count: int | None = None   # "Three. Pink triangles."
        self.phrase_raw = ""                  # the text just before this noun phrase

    def feed(self, kind: str, value, text: str) -> None:
        handler = getattr(self, f"_on_{kind}", None)
        if handler is None:
            raise PlanError(f"could not read '{text}' here")
        if self.run and kind not in ("dir", "place", "filler", "det"):
            self._close_run(kind)
        if self.run_before_and is not None and kind not in ("filler", "sep", "and"):
            run, texts = self.run_before_and
            self.run_before_and = None
            if kind == "rel":        # both were relations to the object still to come
                self.extra_rels = [_PLACE_TO_REL[d] for d in dict.fromkeys(run)
                                   if d in _PLACE_TO_REL]
            else:
                self._place_for_last(_compose_place(run, " ".join(texts)))
        if kind not in self._TRANSPARENT:
            self.rel_subject, self.conjoined = None, False
        if kind in ("count", "color", "size", "det") and not self.np:
            self.phrase_prev = self.prev_kind    # what came before this noun phrase
            self.phrase_raw = self.last_raw
        handler(value, text)
        if kind not in ("filler", "sep"):
            self.prev_kind = kind
        if kind != "filler":
            self.last_raw = text

    def _on_both(self, value, text):
        n = self.np.get("count")
        targets = self.request.groups[self.sentence_start:]
        if text == "each" and isinstance(n, int) and set(self.np) <= {"count", "article"} \
                and targets:
            for group in targets:          # "a star and a circle, two of each"
                group.count = n
            self.np = {}
            return
        self._close_headless(text)
        self.distribute = True

    def _on_order(self, value, text):
        self.order = (value, len(self.request.groups), self.sentence_start)

    def _on_every(self, value, text):
        n = len(COLORS) if value == "color" else len(SHAPES)
        raise PlanError(f"'{text}' asks for one object per {value} ({n} of them); a scene holds "
                        f"1 to {MAX_OBJECTS} objects")

    def _on_look(self, value, text):
        raise PlanError(f"'{text}' is a look Shapes World cannot draw: it draws flat shapes "
                        "filled with one colour")

    def _on_half(self, value, text):
        self._close_headless(text)
        source = self.carving if self.carving is not None else self.last_group
        if source is None:
            raise PlanError("'half' needs objects before it, as in 'six circles, half of them "
                            "red and half blue'")
        if self.half_of is None:
            self.half_of = self.request.groups[source].count
        if not isinstance(self.half_of, int) or self.half_of % 2:
            raise PlanError(f"half of {self.half_of} objects is not a whole number of objects")
        self.np = {"count": self.half_of // 2}

    def _on_filler(self, value, text):
        if text == "only":
            self.only = True
        if text in ("other", "the other"):
            self.other = True           # "one star green and the other star purple"
            if (self.np.get("color") or self.np.get("size")) and self.np.get("count") is None:
                self._close_headless(text)      # "green" described the star before
        if text in ("further", "farther", "more"):
            self.comparative = True     # "the square is the one further left"
        if self.run and text in ("of", "than", "from"):
            self.run_of = True      # "west of a circle", "higher than": a relation, not a place

    def _on_and(self, value, text):
        self.conjoined = self.rel_subject is not None

    def _on_canvas(self, value, text):
        """'left of the image' names a place; a bare 'image' ('an image of ...') is filler."""
        if self.pending_rel is not None:
            a, rels = self.pending_rel
            self.pending_rel = None
            self.request.groups[a].places += [_REL_TO_PLACE[r] for r in rels]
        elif self.front is not None and self.front["ref"] is None:
            self.pending_places += [_REL_TO_PLACE[r] for r in self.front["rels"]]
            self.front = None
        self.np = {}

    def _on_or(self, value, text):
        if self.negating:      # "nothing yellow or green": one more exclusion
            self._close_headless("no")
        elif self.prev_kind == "shape" and self.excluded_last:
            self.negating = True    # "without triangles or diamonds": both excluded

    def _on_det(self, value, text):
        if (self.np.get("color") or self.np.get("size")) and "det" not in self.np:
            self._close_headless(text)      # "the star is red and the circle ...": new phrase
        self.np.setdefault("det", True)

    def _on_bound(self, value, text):
        if value == "min" and isinstance(self.np.get("count"), int):   # "two or more stars"
            self.np["count"] = _count_range(self.np["count"], "min")
        else:
            self.np["bound"] = value

    def _on_between(self, value, text):
        self.np["between"] = True       # "between two and four stars"; a relation otherwise

    def _on_count(self, value, text):
        old = self.np.get("count")
        if isinstance(old, int) and not self.np.get("article") and not (
                self.np.get("color") or self.np.get("size")):
            if value == old:
                return                  # "one (1) red square"
            if value > old and (self.prev_kind in ("count", "or")
                                or (self.np.get("between") and self.prev_kind == "and")):
                self.np["count"] = (old, value)     # "3-4 squares", "four or five circles"
                self.np.pop("between", None)
                return
        if "bound" in self.np and old is None:
            self.np["count"] = _count_range(value, self.np.pop("bound"))
            self.np["article"] = False
            return
        if text == "one" and (self.np.get("color") or self.np.get("size")) \
                and self.prev_kind in ("color", "size") and not self.only \
                and (self.np.get("count") is None or self.np.get("article")):
            return self._on_shape((None, False), text)    # "a crimson one"
        if self.np.get("count") is not None or self.np.get("color") or self.np.get("size"):
            self._close_headless(text)
        self.np["count"] = value
        self.np["article"] = text in ("a", "an")

    def _on_color(self, value, text):
        self._adjective("color", value)

    def _on_size(self, value, text):
        self._adjective("size", value)

    def _adjective(self, key: str, value: str) -> None:
        if self.negating and self.np.get(key) not in (None, value):
            self._close_headless("no")      # "avoiding red and blue": two exclusions
        if self.np.get(key) not in (None, value) and (
                self.prev_kind == "and" or self.last_raw == ",") \
                and self.np.get("count") is None:
            # "red and blue circles", "red, blue and green": one object per word of the list
            self.elided.append(self.np)
            self.np = {}
        if self.np.get(key) not in (None, value):
            raise PlanError(f"one object cannot be both {self.np[key]} and {value}")
        self.np[key] = value

    def _on_bgcolor(self, value, text):
        if self.bg_expected or not self.np or self.negating:
            self._set_background(value)
        else:
            self.np["bgcolor"] = value     # decided when the phrase ends: "black star" or "on black"

    def _on_bgnoun(self, value, text):
        if text in lx.CANVAS_NOUNS and "bgcolor" not in self.np and (
                self.pending_rel is not None or self.front is not None):
            return self._on_canvas(value, text)     # "on the left side of the canvas"
        if self.np.get("color"):
            raise PlanError(f"a {self.np['color']} background is not in Shapes World; "
                            "backgrounds are white, gray or black")
        self.pending_rel = None            # "a triangle over a black background"
        if self.front is not None and self.front["ref"] is None:
            self.front = None
        if "bgcolor" in self.np:
            self._set_background(self.np.pop("bgcolor"))
        else:
            self.bg_expected = True
        self.np = {}     # "a black background": the article belonged to the background

    def _set_background(self, value: str) -> None:
        if self.request.background not in (None, value):
            raise PlanError(f"the background cannot be both {self.request.background} and {value}")
        self.request.background = value
        self.bg_expected = False

    def _on_neg(self, value, text):
        scope = self.request.groups[self.last_group].shape \
            if value == "scoped" and self.last_group is not None else None
        self._close_headless(text)
        self.negating, self.neg_scope = True, scope

    def _on_shape(self, value, text):
        shape, plural = value
        if self.np.get("between"):
            raise PlanError("'between' is not a relation Shapes World knows; relations are "
                            "left of, right of, above, below")
        if "bgcolor" in self.np:
            raise PlanError(f"{self.np['bgcolor']} is a background colour; object colours are "
                            "red, orange, yellow, green, cyan, blue, purple, pink")
        if self.np and self.phrase_prev == "shape" and self.last_raw == "," \
                and self.last_group is not None and not self.negating \
                and not set(self.np) - {"color", "size"}:
            np_, self.np = self.np, {}          # "Square green, circle orange": the square's
            self._predicate(np_)
        if shape is None and text in ("one", "ones") and self.last_group is not None:
            shape = self.request.groups[self.last_group].shape   # "no red ones", "a blue one"
        if self.negating and shape is None and not (self.np.get("color") or self.np.get("size")):
            return     # "without anything red": the adjective that follows says what
        if not self.np:
            self.phrase_prev = self.prev_kind
        np_, self.np = self.np, {}
        only, self.only = self.only, False
        if not self.negating and self._restates_total(shape, np_, only):
            return      # "those are the only two shapes": the objects already named
        if not self.negating and self.distribute \
                and (np_.get("count") is None or np_.get("article")) \
                and self._spread({"shape": shape, **np_}):
            return      # "two shapes, both green triangles"
        self.excluded_last = self.negating
        if self.negating:
            self._add_exclusion({"shape": shape, "color": np_.get("color"), "size": np_.get("size")})
            self.negating = False
            return
        if text in ("one", "ones") and (np_.get("color") or np_.get("size")):
            part = self._carve_one(shape, np_)
            if part is not None:       # "two stars: a green one and an orange one"
                self._attach(part)
                return
        count = np_.get("count")
        pending, self.pending_count = self.pending_count, None
        if count is None and pending is not None:
            count = pending
            if self.header_total == pending and not self.request.groups:
                self.header_total = None      # "Quantity 2: green diamond": its count
        if count is None:
            count = (2, 3) if plural else 1
        if isinstance(count, int) and count < 1:
            raise PlanError("a count must be at least 1")
        for part in self.elided:     # "red and blue circles": as many of each
            same = count if isinstance(count, tuple) else 1
            self.request.groups.append(Group(count=part.get("count") or same, shape=shape,
                                             color=part.get("color"), size=part.get("size")))
        self.elided = []
        group = Group(count=count, shape=shape, color=np_.get("color"), size=np_.get("size"))
        if self._apposition(group):
            return          # "One shape, a red square": the shape was the square
        index = self._reference(group, np_)
        if index is None:
            self.request.groups.append(group)
            index = len(self.request.groups) - 1
        self._attach(index)

    def _restates_total(self, shape, np_: dict, only: bool) -> bool:
        """A bare 'shapes'/'things' after 'only' whose count is the number already named."""
        groups = self.request.groups
        if shape is not None or np_.get("color") or np_.get("size") or not only or not groups \
                or not all(isinstance(g.count, int) for g in groups):
            return False
        return np_.get("count") in (None, sum(g.count for g in groups))

    def _spread(self, attrs: dict) -> bool:
        """Give shape/colour/size to every object of the sentence ('both green'); False when
        an object already has another value, so the words start a new object instead."""
        self.distribute = False
        targets = self.request.groups[self.sentence_start:]
        attrs = {k: v for k, v in attrs.items() if k in ("shape", "color", "size") and v}
        if not targets or not attrs or any(getattr(g, k) not in (None, v)
                                          for g in targets for k, v in attrs.items()):
            return False
        for group in targets:
            for key, value in attrs.items():
                setattr(group, key, value)
        return True

    def _apposition(self, group: Group) -> bool:
        groups = self.request.groups
        if self.phrase_raw != "," or self.last_group != len(groups) - 1 or not groups \
                or self.pending_rel is not None or self.front is not None:
            return False
        last = groups[-1]
        if last.shape is not None or last.color or last.size or last.places \
                or group.shape is None or len(groups) - 1 != self.sentence_start \
                or any(last is groups[a] or last is groups[b] for a, _, b in self.request.relations):
            return False
        if isinstance(last.count, int) and isinstance(group.count, int) \
                and last.count > group.count:      # "two shapes, a star and a circle"
            groups.pop()
            self.header_total, self.last_group = last.count, None
            self.sentence_start = len(groups)
            return False
        if last.count != group.count:
            return False
        last.shape, last.color, last.size = group.shape, group.color, group.size
        self._attach(len(groups) - 1)
        return True

    def _reference(self, group: Group, np_: dict) -> int | None:
        """'the circle' after 'a red circle' means that circle, not a new one."""
        other, self.other = self.other, False
        if np_.get("count") is not None or other:
            return None
        sel = group.selector()
        hits = [i for i, g in enumerate(self.request.groups)
                if all(getattr(g, k) == v for k, v in sel.items())]
        if not np_.get("det"):      # "Square is up, circle is down. Square green."
            hits = [i for i in hits if self.request.groups[i].count == 1
                    and group.shape is not None and not (np_.get("color") or np_.get("size"))]
        return hits[0] if len(hits) == 1 else None

    def _attach(self, index: int) -> None:
        """A noun phrase just became group `index`: give it the places and relations waiting."""
        and_relation, self.and_relation = self.and_relation, None
        group = self.request.groups[index]
        group.places += self.pending_places
        self.pending_places = []
        if self.pending_rel is not None:
            a, rels = self.pending_rel
            self.pending_rel = None
            if a == index and self.rel_after_and:
                # "a circle and above the circle a star": the subject is still to come
                self.front = {"rels": rels, "ref": index}
                self.last_group = index
                return
            start = len(self.request.relations)
            self._relate(a, rels, index)
            self.rel_subject = a
            if self.rel_after_and:
                self.and_relation = (start, index)
        elif and_relation is not None and self.phrase_prev == "shape" \
                and and_relation[1] == self.last_group and index != self.last_group:
            # "..., and to the right of that star there is a square": the square is the subject
            start, _ = and_relation
            self.request.relations[start:] = [(index, rel, b) for _, rel, b in
                                              self.request.relations[start:]]
        elif self.front is not None:
            if self.front["ref"] is None:      # "Above the circle ...": the circle
                self.front["ref"] = index
            else:                              # "... is a star": the star is the subject
                self._relate(index, self.front["rels"], self.front["ref"])
                self.front = None
        self.last_group = index

    def _relate(self, a: int, rels: list[str], b: int) -> None:
        if a == b:
            group = self.request.groups[a]
            raise PlanError(f"the {group.describe()} cannot be {rels[0]} itself")
        self.request.relations += [(a, rel, b) for rel in rels]

    def _spread_around(self) -> None:
        """'four stars around a circle': one star on each side (left, right, above, below)."""
        relations = []
        for a, rel, b in self.request.relations:
            if rel != "around":
                relations.append((a, rel, b))
                continue
            group = self.request.groups[a]
            n = group.count if isinstance(group.count, int) else group.count[0]
            group.count = 1
            members = [a]
            for _ in range(n - 1):
                self.request.groups.append(Group(count=1, shape=group.shape, color=group.color,
                                                 size=group.size, places=list(group.places)))
                members.append(len(self.request.groups) - 1)
            for k, member in enumerate(members):
                relations.append((member, lx.AROUND_SIDES[k % len(lx.AROUND_SIDES)], b))
        self.request.relations = relations

    def _antecedent(self, not_this: int | None) -> int | None:
        """What 'it' points back at: the latest object other than the one being described."""
        for index in range(len(self.request.groups) - 1, -1, -1):
            if index != not_this:
                return index
        return None

    def _on_rel(self, value, text):
        self._close_headless(text)
        rels = list(value) if isinstance(value, tuple) else [value]   # "to the lower left of"
        rels, self.extra_rels = self.extra_rels + rels, []
        self.rel_after_and = self.prev_kind == "and"
        if self.pending_rel is not None:       # "above and to the left of a circle"
            self.pending_rel[1].extend(rels)
        elif self.front is not None and self.front["ref"] is None:
            self.front["rels"].extend(rels)
        elif self.conjoined and self.rel_subject is not None:
            # "a diamond left of a star and right of a circle": the diamond again
            self.pending_rel = (self.rel_subject, rels)
        elif self.last_group is not None:
            self.pending_rel = (self.last_group, rels)
        else:                                  # "Left of the diamond is a square."
            self.front = {"rels": rels, "ref": None}

    def _on_relpron(self, value, text):
        """'a circle with a star to its left': the star, left of the circle."""
        self._close_headless(text)
        subject = self.rel_subject if self.conjoined and self.rel_subject is not None \
            else self.last_group
        if subject is None and self.request.groups:   # "A circle; to its right, a square."
            self.front = {"rels": [value], "ref": self._antecedent(None)}
            return
        target = self._antecedent(subject)
        if subject is not None and target is None:   # "a square, and to its left a diamond"
            self.front = {"rels": [value], "ref": subject}
            return
        if subject is None or target is None:
            raise PlanError(f"'{text}' needs two objects, as in 'a circle with a star {text}'")
        self._relate(subject, [value], target)
        self.rel_subject, self.last_group = subject, subject

    def _restate_count(self) -> bool:
        """'some stars, three of them': a bare count after a vague plural fixes its count."""
        n = self.np.get("count")
        if set(self.np) - {"count", "article"} or not isinstance(n, int):
            return False
        if not self.request.groups:      # "anything except triangles, five of them"
            self.request.groups.append(Group(count=n))
            self.np, self.last_group = {}, 0
            return True
        group = self.request.groups[-1 if self.last_group is None else self.last_group]
        if not isinstance(group.count, tuple):
            return False
        group.count, self.np = n, {}
        return True

    def _on_pron(self, value, text):
        if self.pending_rel is None and self.front is None and self._restate_count():
            return
        if self.np.get("between"):
            raise PlanError("'between' is not a relation Shapes World knows; relations are "
                            "left of, right of, above, below")
        if self.pending_rel is not None:      # "a square with a star above it"
            a, rels = self.pending_rel
            self.pending_rel = None
            target = self._antecedent(a)
            if target is None:   # "a square and, above it, a star": the subject comes next
                self.front = {"rels": rels, "ref": a}
                return
            self._relate(a, rels, target)
            self.rel_subject, self.last_group = a, a
        elif self.front is not None and self.front["ref"] is None:   # "Above it is a star."
            target = self._antecedent(None)
            if target is None:
                raise PlanError(f"'{text}' has nothing to point back to")
            self.front["ref"] = target
        elif self.last_group is None and self.request.groups:
            self.last_group = len(self.request.groups) - 1   # "A star. Make it orange."

    def _on_place(self, value, text):
        if not self.run:
            lone_det = self.np == {"det": True}
            self._close_headless(text)
            if lone_det:       # "the bottom right corner a circle": the place opens a phrase
                self.np = {"det": True}
            self.run_prev = self.last_raw
        self.run += value.split()
        self.run_texts.append(text)

    def _on_dir(self, value, text):
        if not self.run:
            self.run_prev = self.last_raw
        self.run += value
        self.run_texts.append(text)

    def _close_run(self, next_kind: str | None) -> None:
        """The direction words just read name one place; give it to its object."""
        run, texts, of = self.run, self.run_texts, self.run_of
        self.run, self.run_texts, self.run_of = [], [], False
        if next_kind == "rel" and texts == ["right"]:
            return       # "right above the circle": an adverb, not a side
        if len(texts) > 1 and texts[0] == "right" and run[1:] and len(texts[1].split()) > 1:
            run, texts = run[1:], texts[1:]       # "right in the middle", "right at the top"
        if next_kind == "and" and not of:
            self.run_before_and = (run, texts)    # "to the left and to the right of a square"
            return
        if of and next_kind in ("count", "det", "shape", "color", "size", "pron"):
            rels = tuple(_PLACE_TO_REL[d] for d in dict.fromkeys(run) if d in _PLACE_TO_REL)
            if rels:
                np_, self.np = self.np, {}     # "of the triangle": the article is the object's
                self._on_rel(rels, " ".join(texts))
                self.np = np_
                return
        comparative, self.comparative = self.comparative or any(
            t in ("higher", "lower", "higher up", "lower down") for t in texts), False
        if comparative and next_kind in (None, "sep", "and") and self._compare(run):
            return
        place = _compose_place(run, " ".join(texts))
        if next_kind in ("shape", "color", "size") and any(k != "det" for k in self.np):
            self.pending_places.append(place)           # "a top-left star"
        elif next_kind in ("count", "det", "shape", "color", "size") and self.np == {"det": True}:
            self.np = {}                                # "the left side has a blue square"
            self.pending_places.append(place)
        elif next_kind == "count" and self.run_prev in (",", ";", "and"):
            self.pending_places.append(place)           # "..., on the right an orange square"
        else:
            self._place_for_last(place)

    def _compare(self, run: list[str]) -> bool:
        """'a star and a square; the square is further left': with two objects and no 'than',
        a comparative direction relates the object to the other one."""
        rels = [_PLACE_TO_REL[d] for d in dict.fromkeys(run) if d in _PLACE_TO_REL]
        if len(self.request.groups) != 2 or self.last_group is None or not rels \
                or self.pending_rel is not None:
            return False
        self._relate(self.last_group, rels, 1 - self.last_group)
        return True

    def _place_for_last(self, place: str) -> None:
        if self.last_group is not None and self.pending_rel is None:
            self.request.groups[self.last_group].places.append(place)
        else:
            self.pending_places.append(place)           # "In the top left corner, a star"

    def _on_self(self, value, text):
        if self.pending_rel is not None:
            group = self.request.groups[self.pending_rel[0]]
            raise PlanError(f"the {group.describe()} cannot be {self.pending_rel[1][0]} itself")

    def _on_sep(self, value, text):
        self.and_relation = None
        if text == ":" and self.negating and not self.np:
            return      # "exclude: triangles"
        if text == ":" and set(self.np) == {"count", "article"} and not self.np["article"] \
                and isinstance(self.np["count"], int) \
                and len(self.request.groups) == self.sentence_start:
            # "Make it four: two red triangles, ..." or "Quantity 2: green diamond."
            if not self.request.groups:
                self.header_total = self.np["count"]
            self.pending_count, self.np = self.np["count"], {}
            return
        if text == ":" and (self.np.get("color") or self.np.get("size")) \
                and len(self.request.groups) == self.sentence_start and not self.negating:
            # "all tinted blue: triangle, circle, star", "a little emblem: ..."
            self.header_attrs = {k: self.np[k] for k in ("color", "size") if self.np.get(k)}
            if isinstance(self.np.get("count"), int) and not self.np.get("article"):
                self.header_total = self.np["count"]
            self.np, self.distribute = {}, False
            return
        if text == ":" and self.np == {} and self.last_group == len(self.request.groups) - 1 \
                and self.request.groups and not self.request.relations:
            group = self.request.groups[-1]
            if group.shape is None and not group.places:
                self.request.groups.pop()     # "four shapes: two circles and two squares"
                if self.order is not None:    # "three shapes in a vertical stack: ..."
                    self.order = (self.order[0], len(self.request.groups), self.order[2])
                self.header_total = group.count if isinstance(group.count, int) else None
                self.header_group = group if self.header_total is None else None
                self.header_attrs = {k: v for k, v in (("color", group.color),
                                                       ("size", group.size)) if v}
                self.last_group = None
                self.sentence_start = len(self.request.groups)
                return
        if text == "," and not self.negating and "bgcolor" not in self.np and (
                self.np.get("color") or self.np.get("size")
                or (self.np.get("count") is not None and not self.np.get("article"))):
            return      # "a single, solid, purple triangle": the noun is still to come
        self._close_headless(text)
        if text not in ",:" and self.pending_rel is None:   # ", which is ..." keeps its subject
            self.last_group = None
        if text in ".;":
            self.sentence_start, self.distribute = len(self.request.groups), False

    def _add_exclusion(self, raw: dict) -> None:
        sel = {k: v for k, v in raw.items() if v is not None}
        if not sel:
            raise PlanError("a negation needs something to exclude, e.g. 'no red things'")
        if sel not in self.request.exclude:
            self.request.exclude.append(sel)

    def _close_headless(self, text: str = "") -> None:
        """End a phrase that has no noun: 'nothing blue', 'on black', or a dangling word."""
        np_, self.np = self.np, {}
        if "bgcolor" in np_ and not self.negating:
            self._set_background(np_.pop("bgcolor"))
        np_.pop("det", None)
        if np_.pop("article", False) and set(np_) == {"count"}:
            np_ = {}     # a dangling "a" ("an image of ..."): an article, not a count
        if self.elided and (np_.get("color") or np_.get("size")) and np_.get("count") is None \
                and not self.negating and self.last_group is not None:
            self._distribute_list(self.elided + [np_])   # "three circles: red, blue and green"
            self.elided = []
        elif self.negating and (np_.get("color") or np_.get("size")):
            self._add_exclusion({"shape": self.neg_scope, "color": np_.get("color"),
                                 "size": np_.get("size")})
        elif self.distribute and (np_.get("color") or np_.get("size")) \
                and np_.get("count") is None and self._spread(np_):
            pass   # "a large and a small triangle, both green"
        elif (np_.get("color") or np_.get("size")) and np_.get("count") is None \
                and self.last_group is None and len(self.request.groups) == 1 \
                and not self.request.relations and text in ("", ".", ";") \
                and self._predicate(np_, 0):
            pass   # "Just a star. Yellow.": a sentence of one adjective describes the object
        elif set(np_) == {"count"} and not self.request.groups and self.header_group is None \
                and text in (".", ";") and isinstance(np_["count"], int):
            self.pending_count = np_["count"]           # "How many? Three. Of what? Pink ..."
        elif set(np_) == {"count"} and self.header_group is not None \
                and not self.request.groups and isinstance(np_["count"], int):
            self.header_group.count = np_["count"]       # "Shapes: 4."
            self.request.groups.append(self.header_group)
            self.header_group, self.last_group = None, 0
        elif set(np_) == {"count"} and self.request.groups and np_["count"] == sum(
                g.count if isinstance(g.count, int) else -99 for g in self.request.groups):
            pass   # "Just one.", "four in all": the count of what was named
        elif (np_.get("color") or np_.get("size")) and np_.get("count") is None \
                and self.last_group is not None and self._predicate(np_):
            pass   # "a red star which is large": the words described the last object
        elif isinstance(np_.get("count"), int) and (np_.get("color") or np_.get("size")) \
                and self.last_group is not None and self._carve(np_) is not None:
            pass   # "two circles, one red and one blue": part of the last group
        elif (np_.get("color") or np_.get("size")) and self.prev_kind == "and" \
                and (text in lx.COUNT_WORDS or text.isdigit()):
            self.elided.append(np_)   # "a red and a blue circle": the noun comes later
        elif np_.get("color") or np_.get("size") or np_.get("count") is not None:
            words = " ".join(str(v) for k, v in np_.items() if k != "article")
            raise PlanError(f"'{words}' needs a shape (circle, square, triangle, diamond, star)")
        if text not in lx.NEGATION_WORDS:
            self.negating, self.neg_scope = False, None

    def _predicate(self, np_: dict, index: int | None = None) -> bool:
        group = self.request.groups[self.last_group if index is None else index]
        for key in ("color", "size"):
            if np_.get(key) and getattr(group, key) not in (None, np_[key]):
                raise PlanError(f"the {group.describe()} cannot also be {np_[key]}")
        for key in ("color", "size"):
            if np_.get(key):
                setattr(group, key, np_[key])
        return True

    def _distribute_list(self, parts: list[dict]) -> None:
        """One object of the last group per listed colour/size ('four diamonds: red, orange,
        yellow and green')."""
        group = self.request.groups[self.last_group]
        if isinstance(group.count, tuple):
            group.count = len(parts)
        if group.count != len(parts):
            raise PlanError(f"the prompt lists {len(parts)} colours or sizes for "
                            f"{group.count} {group.describe()}s; give one per object")
        for part in parts[1:]:       # the group itself keeps the first, so order is kept
            self._carve({**part, "count": 1})
        self._carve({**parts[0], "count": 1})
        if self.order is not None and self.order[1] > self.last_group:
            # "three stars from left to right: red, then green, then blue": the list is ordered
            self.order = (self.order[0], self.last_group, self.order[2])

    def _carve_one(self, shape: str | None, np_: dict) -> int | None:
        """'a green one', 'the red one' after 'two stars': one of those stars, not a new one.
        Returns the index of the group that now holds it."""
        n = np_.get("count")
        if n is None and np_.get("det"):
            n = 1                          # "two stars, the red one left of the blue one"
        if not isinstance(n, int):
            return None
        for source in (self.carving, self.last_group):
            if source is None or self.request.groups[source].shape != shape:
                continue
            if self.request.groups[source].count == 1 and self.carving != source:
                continue                   # "a star and a green one": a second star
            part = self._carve({**np_, "count": n}, source)
            if part is not None:
                return part
        return None

    def _carve(self, np_: dict, source: int | None = None) -> int | None:
        """Split `np_['count']` objects with the given colour/size off group `source` (the last
        group by default); returns the group that holds them, None when they do not fit."""
        source = self.last_group if source is None else source
        group, n = self.request.groups[source], np_["count"]
        if not isinstance(group.count, int) or group.count < n or any(
                np_.get(k) and getattr(group, k) not in (None, np_[k]) for k in ("color", "size")):
            return None
        if group.count == n:
            self._predicate(np_, source)
            return source
        self.carving = source
        group.count -= n
        part = Group(count=n, shape=group.shape, color=np_.get("color") or group.color,
                     size=np_.get("size") or group.size, places=list(group.places))
        self.request.groups.append(part)
        new = len(self.request.groups) - 1
        self.request.relations += [(new if a == source else a, rel, new if b == source else b)
                                   for a, rel, b in self.request.relations if source in (a, b)]
        return new

    def finish(self) -> None:
        if self.run:
            self._close_run(None)
        if self.run_before_and is not None:
            run, texts = self.run_before_and
            self.run_before_and = None
            self._place_for_last(_compose_place(run, " ".join(texts)))
        self._close_headless()
        if self.elided:
            raise PlanError(f"'{' '.join(str(v) for v in self.elided[0].values())}' needs a shape "
                            "(circle, square, triangle, diamond, star)")
        if self.pending_rel is not None:
            raise PlanError(f"'{self.pending_rel[1][-1]}' needs an object after it")
        if self.front is not None:
            rel = self.front["rels"][0]
            if self.front["ref"] is None:
                raise PlanError(f"'{rel}' needs an object after it")
            ref = self.request.groups[self.front["ref"]].describe()
            raise PlanError(f"'{rel} the {ref}' says where something is but not what; "
                            f"write e.g. '{rel} the {ref} is a star'")
        if self.pending_places and self.request.groups:
            self.request.groups[-1].places += self.pending_places
        if self.order is not None:     # "from top to bottom: a, b, c": a above b above c
            rel, first, sentence = self.order
            if len(self.request.groups) - first < 2:   # "a circle and a star, one above the other"
                first = sentence
            listed = range(first, len(self.request.groups))
            self.request.relations += [(a, rel, a + 1) for a in listed[:-1]]
        self._spread_around()
        if not self.request.groups:
            raise PlanError("the prompt names no object; describe a scene such as "
                            "\"a red circle above two blue squares\"")
        if len(self.request.groups) == 1:    # one kind of object: "a triangle, not green" is
            only = self.request.groups[0]    # "nothing green", the broader way to say it
            self.request.exclude = [
                {k: v for k, v in e.items() if k != "shape"}
                if e.get("shape") == only.shape and len(e) > 1 else e for e in self.request.exclude]
        for group in self.request.groups:      # "three large shapes: two circles and ..."
            for key, value in self.header_attrs.items():
                if getattr(group, key) is None:
                    setattr(group, key, value)
        vague = [g for g in self.request.groups if isinstance(g.count, tuple)]
        if self.header_total is not None and len(self.request.groups) == 1 and vague:
            vague[0].count = self.header_total   # "six shapes in total: all stars"
        total = sum(g.count if isinstance(g.count, int) else g.count[0]
                    for g in self.request.groups)
        exact = all(isinstance(g.count, int) for g in self.request.groups)
        if self.header_total is not None and exact and total != self.header_total:
            raise PlanError(f"the prompt announces {self.header_total} objects but describes "
                            f"{total}")
        if total > MAX_OBJECTS:
            raise PlanError(f"the prompt asks for {total} objects; a scene holds 1 to {MAX_OBJECTS}")
