"""Read an edit instruction ("make the circle green", "put a cyan star below the diamond") into
Edits: what to select in the scene and what to change, before any scene is looked at.

The words are the planner's: the instruction is tokenized by plan/grammar.py against the
planner's lexicon (colours, shapes, sizes, places, relations, counts, their synonyms and
typo-free variants), and a new object ("a small red circle in the top right") is read by the
planner's own parser. Only the verbs of editing and a few comparatives are listed here.
Selecting objects in a plan and placing them is plan/edit_apply.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import PlanError
from ..world import BACKGROUNDS, COLORS
from .default import LIGHTNESS_BACKGROUNDS
from .grammar import Group, _compose_place, parse, tokenize

# Multi-word verbs, rewritten to one verb before tokenizing ("get rid of the star" -> "remove").
VERB_PHRASES = {
    "remove": ["take away", "take out", "take off", "get rid of", "rub out", "wipe out",
               "wipe away", "clear away", "cross out", "do away with", "throw away",
               "throw out", "pull out", "knock out", "leave out", "cut out", "strip out",
               "get rid", "no longer show", "don't show", "do not show", "dont show"],
    "swap": ["swap out", "switch out", "trade out", "exchange out"],
    "grow": ["scale up", "size up", "blow up", "bump up", "make bigger", "make larger"],
    "shrink": ["scale down", "size down", "make smaller", "make tinier"],
    "add": ["throw in", "put in", "drop in", "pop in", "stick in", "there should also be",
            "there should be"],
}
# Beside another object, on no side in particular: placed right of it, else left, below, above.
BESIDE = r"\b(?:next to|beside|alongside|close to|near to|near|by the side of|adjacent to)\b"
# One-word verbs by what they do. put/place/draw/paint/make are read by what follows them:
# a new object ("put a star ...") is an addition, an existing one ("put the star ...") a move.
VERBS = {
    "remove": "remove", "delete": "remove", "erase": "remove", "eliminate": "remove",
    "drop": "remove", "discard": "remove", "ditch": "remove", "scrap": "remove",
    "lose": "remove", "clear": "remove", "cut": "remove", "hide": "remove", "omit": "remove",
    "kill": "remove", "exclude": "remove", "vanish": "remove", "banish": "remove",
    "add": "add", "insert": "add", "include": "add", "create": "add", "introduce": "add",
    "draw": "add", "sketch": "add", "stick": "add", "append": "add",
    "move": "move", "shift": "move", "relocate": "move", "slide": "move", "drag": "move",
    "push": "move", "bring": "move", "reposition": "move", "send": "move", "nudge": "move",
    "position": "move", "transfer": "move", "put": "move", "place": "move", "shove": "move",
    "replace": "replace", "swap": "replace", "substitute": "replace", "exchange": "replace",
    "switch": "replace", "trade": "replace",
    "make": "change", "turn": "change", "change": "change", "colour": "change",
    "color": "change", "paint": "change", "recolor": "change", "recolour": "change",
    "dye": "change", "tint": "change", "set": "change", "render": "change",
    "convert": "change", "transform": "change", "alter": "change", "modify": "change",
    "update": "change", "fill": "change", "use": "change", "give": "change", "shade": "change",
    "resize": "change", "scale": "change", "adjust": "change", "switch to": "change",
    "grow": "grow", "enlarge": "grow", "expand": "grow", "magnify": "grow",
    "increase": "grow", "upsize": "grow", "widen": "grow", "inflate": "grow",
    "embiggen": "grow", "double": "grow", "boost": "grow",
    "shrink": "shrink", "reduce": "shrink", "decrease": "shrink", "downsize": "shrink",
    "minimize": "shrink", "minimise": "shrink", "compress": "shrink", "diminish": "shrink",
    "halve": "shrink",
}
# Verbs that add when an indefinite object follows ("put a star", "paint a red circle").
ADDING_VERBS = {"put", "place", "paint", "make", "draw", "give", "position", "stick", "set",
                "bring", "sketch", "create", "use", "insert", "include", "add"}
GROW_WORDS = {"bigger", "larger", "greater", "huger", "taller", "wider", "grow", "grown",
              "enlarged"}
SHRINK_WORDS = {"smaller", "tinier", "littler", "shorter", "shrunk", "shrunken"}
EVERYTHING_WORDS = {"everything", "all", "them", "all of them", "every one", "each one",
                    "each of them", "both of them", "every object", "every shape"}
ANY_WORDS = {"any", "some", "random", "either"}
ALL_WORDS = {"every", "each", "all"}
# Connectors between the object a verb acts on and what it becomes or where it goes.
INTO_WORDS = {"into", "to", "with", "by", "for", "as", "instead", "so", "become", "becomes",
              "be", "is", "are", "should", "look", "like"}
CHANGE_KINDS = ("recolor", "resize", "replace")
LIKE_WORDS = {"sizeof": "size", "colorof": "color"}
SPOT_WORDS = {"positions", "places", "spots", "locations"}


@dataclass
class Target:
    """Which objects of the scene an edit acts on (resolved by plan/edit_apply.select)."""

    selector: dict = field(default_factory=dict)       # shape / color / size to match
    places: list[str] = field(default_factory=list)    # "the circle on the left"
    quantity: str = "the"        # "the": exactly one; "any": any one; "all"; "n": `count` of them
    count: int = 1
    extreme: str | None = None   # "larger" / "smaller": "the bigger circle"
    relation: tuple[str, "Target"] | None = None      # "the circle above the star"
    also: list["Target"] = field(default_factory=list)   # "the triangle and the circle"
    words: str = ""

    def describe(self) -> str:
        return self.words or "the object"


@dataclass
class Edit:
    kind: str                    # recolor resize replace move add remove background
    target: Target | None = None
    color: str | None = None     # new colour (recolor, replace)
    size: str | None = None      # new size class (resize, replace)
    size_step: int = 0           # +1 bigger, -1 smaller (resize)
    shape: str | None = None     # new shape (replace)
    place: str | None = None     # destination (move, add)
    relation: tuple[str, Target] | None = None    # destination next to other objects
    new: list[Group] = field(default_factory=list)   # objects to add
    background: str | None = None
    like: dict = field(default_factory=dict)   # {"size"|"color": Target}: "as big as the star"
    between: tuple[Target, ...] | None = None   # "add a star between the circle and ..."
    swap_with: Target | None = None      # "swap the positions of the star and the circle"
    where_last: bool = False             # "add a square in its place": where the last one was
    text: str = ""


ACCEPTED = ("accepted edits: recolour ('make the circle green'), resize ('make the square "
            "large', 'make the star bigger'), move ('move the star to the bottom left', 'put "
            "the circle above the square'), add ('add a small red circle in the top right "
            "corner'), remove ('remove the diamond', 'delete one of the circles'), replace "
            "('replace the square with a yellow circle'), background ('make the background "
            "black'), several at once ('make everything red', 'make the circle green and the "
            "square small')")


def parse_instruction(text: str) -> list[Edit]:
    """Edits in the order the instruction states them; PlanError when it cannot be read."""
    if not isinstance(text, str) or not text.strip():
        raise PlanError("the instruction is empty; " + ACCEPTED)
    tokens = [("rel", "beside", t[2]) if t[2] == "beside" else t
              for t in _spelled(tokenize(_rewrite_verbs(text)))]
    edits, verb = [], None
    for clause in _clauses(tokens):
        clause_verb, rest = _leading_verb(clause)
        verb = clause_verb or verb
        edits.append(_edit(verb, rest, _words_of(clause)))
    if not edits:
        raise PlanError(f"could not read {text.strip()!r} as an edit; " + ACCEPTED)
    for edit in edits:
        edit.text = text.strip()
    return edits


def _spelled(tokens):
    """'make the cirlce green': typos of lexicon words read as the planner reads them."""
    unknown = [t[2] for t in tokens if t[0] == "unknown" and t[2] not in VERBS
               and t[2] not in GROW_WORDS | SHRINK_WORDS | EVERYTHING_WORDS]
    from .spelling import corrections
    unknown = [w for w in unknown if _near_a_word(w)]    # MiniLM's tokenizer loads only then
    if not unknown:
        return tokens
    fixes = corrections(unknown)
    if not fixes:
        return tokens
    return tokenize(" ".join(fixes.get(t[2], t[2]) if t[0] == "unknown" else t[2]
                             for t in tokens))


def _near_a_word(word: str) -> bool:
    """Cheap test before spelling.corrections: some lexicon word is within its edit limit."""
    from .spelling import LONG_WORD, MIN_LENGTH, _vocabulary, edit_distance
    if len(word) < MIN_LENGTH or not word.isalpha():
        return False
    limit = 2 if len(word) >= LONG_WORD else 1
    return any(abs(len(w) - len(word)) <= limit and edit_distance(word, w) <= limit
               for w in _vocabulary())


# Edit phrasings the planner has no need for: "take the square away", "underneath the star".
REWRITES = [
    (r"\b(?:twice|two times|double) (?:as )?(?:big|large)\b(?! as)", " bigger "),
    (r"\bhalf (?:the size|as big|as large)\b(?! as| of)", " smaller "),
    (r"\b(?:in its place|in their place|where it was|where they were|in the same "
     r"(?:place|spot|position)|in its spot|in place of it)\b", " thereof "),
    (r"\b(?:take|get|clear|throw|move|put) ((?:the |that |this |all |both |every )[a-z ]+?) "
     r"(?:away|out|off)\b", r" remove \1 "),
    (r"\bunderneath\b", " beneath "),
    (r"\b(?:as (?:big|large|small|tiny|little|wide|tall|huge) as|(?:the )?same size as)\b",
     " sizeof "),
    (r"\b(?:(?:the )?same colou?r as|(?:the )?colou?r of|(?:to |so it |so that it )?"
     r"match(?:es)?)\b", " colorof "),
    (r"\bto the side of\b", " beside "),
]


def _rewrite_verbs(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("'", " ")
    for pattern, repl in REWRITES:
        text = re.sub(pattern, repl, text)
    text = re.sub(BESIDE, " beside ", text)
    for verb, phrases in VERB_PHRASES.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            text = re.sub(rf"\b{phrase.replace(' ', r'[ -]+')}\b", f" {verb} ", text)
    return text


def _words_of(tokens) -> str:
    return " ".join(t[2] for t in tokens)


def _is_verb(token) -> bool:
    return token[0] in ("filler", "unknown", "neg") and token[2] in VERBS


def _clauses(tokens):
    """Split at 'and' / 'then' / separators when a new verb or a new 'the ...' follows."""
    clauses, current = [], []
    said_verb = False
    for i, token in enumerate(tokens):
        said_verb = said_verb or _is_verb(token)
        boundary = token[0] in ("and", "sep") or token[2] in ("then", "also", "after")
        if boundary and current:
            rest = [t for t in tokens[i + 1:] if t[2] not in ("then", "also", "after", "please")
                    and t[0] not in ("and", "sep")]
            pair = any(t[0] == "between" for t in current) and \
                not any(t[0] == "and" for t in current)      # "between the circle and the star"
            if rest and (_is_verb(rest[0]) or (rest[0][0] == "det" and said_verb and not pair
                                               and _complete(current))):
                clauses.append(current)
                current = []
                continue
        if token[0] == "sep" and token[2] == ".":
            continue
        current.append(token)
    if current:
        clauses.append(current)
    return [c for c in clauses if any(t[0] not in ("filler", "sep") for t in c)]


def _complete(clause) -> bool:
    """Whether a clause already says what to do ('make the square green'), so that 'and the
    circle ...' starts another one; else 'the triangle and the circle' share what follows."""
    verb = next((t[2] for t in clause if _is_verb(t)), None)
    if VERBS.get(verb) in ("remove", "grow", "shrink"):
        return True
    head = next((i for i, t in enumerate(clause) if t[0] in ("shape", "pron", "every", "bgnoun")
                 or t[2] in EVERYTHING_WORDS), None)
    return head is not None and any(
        t[0] in ("color", "size", "bgcolor", "place", "dir", "rel", "between")
        or t[2] in GROW_WORDS | SHRINK_WORDS | set(LIKE_WORDS) for t in clause[head + 1:])


def _leading_verb(clause):
    """(verb word, tokens after it); the verb is the first verb word of the clause."""
    for i, token in enumerate(clause):
        if _is_verb(token):
            return token[2], clause[i + 1:]
        if token[0] not in ("filler", "unknown", "pron") or token[2] in ("everything",):
            break
    return None, clause


def _edit(verb: str | None, tokens, words: str) -> Edit:
    if any(t[0] == "bgnoun" for t in tokens) and VERBS.get(verb) != "remove" \
            and not any(t[0] == "shape" for t in tokens):
        return _background(tokens, words)
    if verb is None:
        verb = "make"                      # "the circle should be green", "circle -> green"
    kind = VERBS[verb]
    if verb in ADDING_VERBS and _indefinite_object(tokens):
        return _add(tokens, words)
    if kind == "add":
        raise PlanError(f"'{words}': say what to add, e.g. 'add a small red circle'")
    if kind == "remove":
        if any(t[0] == "bgnoun" for t in tokens) and not any(t[0] == "shape" for t in tokens):
            raise PlanError(f"'{words}': the background cannot be removed, only recoloured "
                            "('make the background black'); backgrounds are "
                            f"{', '.join(BACKGROUNDS)}")
        target, _ = read_target(tokens, 0, selecting_places=True)
        return Edit("remove", target=target)
    if kind == "move":
        return _move(tokens, words)
    if verb in ("swap", "exchange", "switch", "trade") and any(t[2] in SPOT_WORDS
                                                                for t in tokens):
        return _swap(tokens, words)
    if kind == "replace":
        return _replace(verb, tokens, words)
    return _change(kind, tokens, words)


def _indefinite_object(tokens) -> bool:
    """An object the scene does not have yet: 'a star', 'two small squares' (not 'one of')."""
    for i, (kind, value, text) in enumerate(tokens):
        if kind in ("filler",) or text in ("also", "another", "more", "extra", "new"):
            if text in ("another", "extra", "new"):
                return True
            continue
        if kind == "count":
            return not (i + 1 < len(tokens) and tokens[i + 1][2] == "of")
        return False
    return False


def _background(tokens, words: str) -> Edit:
    values = [v for k, v, _ in tokens if k == "bgcolor"] or \
        [LIGHTNESS_BACKGROUNDS[t] for k, _, t in tokens if t in LIGHTNESS_BACKGROUNDS]
    colours = [v for k, v, _ in tokens if k == "color"]
    if not values:
        named = f" ({colours[-1]})" if colours else ""
        raise PlanError(f"'{words}': a background is {', '.join(BACKGROUNDS)}{named and ''}; "
                        f"say which, e.g. 'make the background black'"
                        + (f" ({colours[-1]} is an object colour)" if colours else ""))
    return Edit("background", background=values[-1])


def _add(tokens, words: str) -> Edit:
    """'a cyan star below the diamond': the new objects come before the first relation; what
    follows the relation is an object of the scene."""
    cut = next((i for i, t in enumerate(tokens) if t[0] == "rel" and _definite_after(tokens, i + 1)),
               len(tokens))
    named = next((i for i, t in enumerate(tokens[:cut]) if t[0] == "shape"), None)
    definite = next((i for i, t in enumerate(tokens[:cut]) if named is not None and i > named
                     and t[0] == "det" and _noun_ahead(tokens, i + 1)), None)
    new_end = cut if definite is None else definite   # "a star near the circle": one is new
    new_tokens = [t for t in tokens[:new_end] if t[0] not in ("unknown", "between")
                  and t[2] not in ("another", "extra", "new", "more")]
    try:
        request = parse(new_tokens)
    except PlanError as err:
        raise PlanError(f"'{words}': {err}") from None
    if not request.groups:
        raise PlanError(f"'{words}': say what to add, e.g. 'add a small red circle'")
    edit = Edit("add", new=request.groups, where_last=any(t[2] == "thereof" for t in tokens))
    between = next((i for i, t in enumerate(tokens) if t[0] == "between"), None)
    if between is not None:      # "between the circle and the star"
        first, j = read_target(tokens, between + 1, selecting_places=True)
        if first.also:                 # read as "the circle and the diamond"
            second = first.also.pop(0)
        elif _noun_ahead(tokens, j + 1):
            while j < len(tokens) and tokens[j][0] in ("and", "filler", "sep"):
                j += 1
            second, _ = read_target(tokens, j, selecting_places=True)
        else:
            second = None                  # "between the circles"
        edit.between = tuple(t for t in (first, second) if t is not None)
    elif cut < len(tokens):
        rel = tokens[cut][1]
        if rel == "around" or isinstance(rel, tuple):
            raise PlanError(f"'{words}': an added object goes left of, right of, above or "
                            "below another one, or at a place such as 'in the top right'")
        other, _ = read_target(tokens, cut + 1, selecting_places=True)
        edit.relation = (rel, other)
    places = {p for g in request.groups for p in g.places}
    if len(places) > 1:
        raise PlanError(f"'{words}': add objects one place at a time")
    edit.place = places.pop() if places else None
    return edit


def _move(tokens, words: str) -> Edit:
    target, i = read_target(tokens, 0, selecting_places=False)
    edit = Edit("move", target=target)
    places = _place_runs(tokens[i:])
    rel_at = next((j for j in range(i, len(tokens)) if tokens[j][0] == "rel"
                   and _definite_after(tokens, j + 1)), None)
    if rel_at is not None:
        rel = tokens[rel_at][1]
        if rel == "around" or isinstance(rel, tuple):
            raise PlanError(f"'{words}': move an object left of, right of, above or below "
                            "another one, or to a place such as 'the top left'")
        other, _ = read_target(tokens, rel_at + 1, selecting_places=True)
        edit.relation = (rel, other)
        places = _place_runs(tokens[i:rel_at])
    if len(places) > 1:            # "move the left circle ... to the right": the last one
        target.places += places[:-1]
    edit.place = places[-1] if places else None
    if edit.place is None and edit.relation is None:
        raise PlanError(f"'{words}': say where to move it, e.g. 'to the bottom left' or "
                        "'above the square'")
    return edit


def _swap(tokens, words: str) -> Edit:
    """'swap the positions of the star and the circle': each goes where the other was."""
    rest = [t for t in tokens if t[2] not in SPOT_WORDS]
    first, _ = read_target(rest, 0, selecting_places=True)
    if len(first.also) != 1:
        raise PlanError(f"'{words}': name the two objects, e.g. 'swap the positions of the star "
                        "and the circle'")
    second = first.also.pop()
    return Edit("move", target=first, swap_with=second)


def _replace(verb: str, tokens, words: str) -> Edit:
    """'replace X with Y', 'swap X for Y'; 'substitute Y for X' names the new one first."""
    split = next((i for i, t in enumerate(tokens) if t[2] in ("with", "by", "for", "to", "into")
                  and i > 0), None)
    if split is None:
        raise PlanError(f"'{words}': say what replaces it, e.g. 'replace the square with a "
                        "yellow circle'")
    old, new = tokens[:split], tokens[split + 1:]
    if verb == "substitute":
        old, new = new, old
    target, _ = read_target(old, 0, selecting_places=True)
    edit = Edit("replace", target=target)
    _new_looks(edit, new, words, need_shape=True)
    return edit


def _change(kind: str, tokens, words: str) -> Edit:
    """'make the circle green', 'turn the square into a star', 'enlarge the triangle'."""
    like = next((j for j, t in enumerate(tokens) if t[2] in LIKE_WORDS), None)
    if like is not None and not any(t[0] in ("shape", "pron", "every", "count")
                                    or t[2] in EVERYTHING_WORDS for t in tokens[:like]):
        tokens = [t for t in tokens if t[2] not in LIKE_WORDS]   # "change the colour of X to"
        like = None
    if like is not None:         # "make the star as big as the circle", "the colour of ..."
        other, _ = read_target(tokens, like + 1, selecting_places=True)
        attr = LIKE_WORDS[tokens[like][2]]
        if attr == "color" and re.search(r"\b(?:resize|size|scale)\b", words):
            attr = "size"                # "resize the circle to match the star"
        tokens = tokens[:like]
    target, i = read_target(tokens, 0, selecting_places=True)
    edit = Edit("recolor", target=target)
    if like is not None:
        edit.like[attr] = other
        _new_looks(edit, tokens[i:], words, need_shape=False, optional=True)
        edit.kind = "resize" if attr == "size" and not edit.color else edit.kind
        return edit
    if kind in ("grow", "shrink"):
        edit.size_step = 1 if kind == "grow" else -1
    _new_looks(edit, tokens[i:], words, need_shape=False)
    return edit


def _new_looks(edit: Edit, tokens, words: str, need_shape: bool, optional: bool = False) -> None:
    """Colour, size, size step and shape an object should get, from the words after it."""
    unknown, skip = [], False
    for kind, value, text in tokens:
        if text in ("instead", "rather", "than", "not") or kind == "neg":
            skip = True                  # "green instead of red": red is what it was
            continue
        if skip and kind in ("color", "size", "shape", "filler", "det", "count"):
            continue
        skip = False
        if kind == "color":
            edit.color = value
        elif kind == "size":
            edit.size = value
        elif kind == "shape" and value[0] is not None:
            edit.shape = value[0]
        elif text in GROW_WORDS:
            edit.size_step = 1
        elif text in SHRINK_WORDS:
            edit.size_step = -1
        elif kind == "bgcolor":
            raise PlanError(f"'{words}': objects are {', '.join(COLORS)}; {value} is a "
                            "background colour")
        elif kind in ("place", "dir", "rel"):
            raise PlanError(f"'{words}': to move an object say 'move the ... to the {text}'")
        elif kind == "unknown":
            unknown.append(text)
    if edit.size is not None:
        edit.size_step = 0
    if need_shape and not (edit.shape or edit.color or edit.size):
        raise PlanError(f"'{words}': say what replaces it, e.g. 'with a yellow circle'")
    if optional:
        edit.kind = "replace" if edit.shape else "recolor"
        return
    if not (edit.shape or edit.color or edit.size or edit.size_step):
        what = f" ('{' '.join(unknown)}' is not a colour, size or shape)" if unknown else ""
        raise PlanError(f"could not read '{words}' as an edit{what}; " + ACCEPTED)
    edit.kind = "replace" if edit.shape else "resize" if (
        (edit.size or edit.size_step) and not edit.color) else "recolor"


def read_target(tokens, start: int, selecting_places: bool) -> tuple[Target, int]:
    """The noun phrase at tokens[start:]: which objects (Target) and where it ends.

    Places written after the noun select ('the circle on the left') when `selecting_places`;
    for a move they are the destination and are left to the caller.
    """
    target, i, head = Target(), start, False
    words = []
    while i < len(tokens):
        kind, value, text = tokens[i]
        following = tokens[i + 1][2] if i + 1 < len(tokens) else ""
        if head and selecting_places and kind in ("filler", "det") and text != "to" \
                and _place_ahead(tokens, i + 1):
            i += 1                                       # "the triangle on top"
            continue
        if head and kind == "and" and _noun_ahead(tokens, i + 1):
            other, i = read_target(tokens, i + 1, selecting_places)   # "the X and the Y"
            target.also.append(other)
            words.append(f"and {other.words}")
            continue
        if head and not (selecting_places and kind in ("place", "dir")):
            if selecting_places and kind == "rel" and target.relation is None \
                    and _definite_after(tokens, i + 1):
                other, i = read_target(tokens, i + 1, selecting_places=True)
                target.relation = (value, other)
                words.append(f"{text} {other.words}")
                continue
            break
        if kind == "count" and following == "of":
            target.quantity, target.count = ("any", 1) if value == 1 else ("n", value)
            i += 1
        elif kind == "count" and isinstance(value, int) and (text != "one" or _noun_ahead(
                tokens, i + 1)):
            target.quantity, target.count = ("any", 1) if value == 1 else ("n", value)
        elif text in ALL_WORDS:
            target.quantity = "all"
        elif kind == "count" and text == "one" and head is False and (
                target.selector or target.places or target.extreme):
            head = True                                  # "the red one"
        elif kind == "both" or text in ANY_WORDS:
            target.quantity = "all" if kind == "both" else "any"
            if following not in ("of",) and not _noun_ahead(tokens, i + 1):
                head = True                              # "make all red"
        elif kind == "every" or text in EVERYTHING_WORDS or kind == "pron":
            target.quantity = "it" if text == "it" else "all"
            head = True
        elif kind == "color":
            target.selector["color"] = value
        elif kind == "size":
            target.selector["size"] = value
        elif kind == "shape":
            if value[0] is not None:
                target.selector["shape"] = value[0]
            if value[1] and target.quantity == "the":
                target.quantity = "all"
            head = True
        elif kind in ("place", "dir"):
            target.places.append(value if kind == "place" else _compose_place(list(value), text))
        elif text in GROW_WORDS or text in SHRINK_WORDS or text in ("biggest", "largest",
                                                                    "smallest", "tiniest"):
            target.extreme = "larger" if text in GROW_WORDS or text in ("biggest", "largest") \
                else "smaller"
        elif kind in ("det", "filler", "self", "sep"):
            pass
        elif kind in ("unknown",) and not head:
            pass
        else:
            break
        words.append(text)
        i += 1
    if not head:
        said = " ".join(words) or "nothing"
        unknown = [t[2] for t in tokens[start:] if t[0] == "unknown"]
        if unknown:
            raise PlanError(f"could not read '{' '.join(t[2] for t in tokens[start:])}' as an "
                            f"edit of this scene ('{' '.join(unknown)}': not a shape, colour, "
                            f"size or place of Shapes World); " + ACCEPTED)
        raise PlanError(f"which object? read '{said}'; name it by shape, colour, size or "
                        "place ('the circle', 'the red one', 'the star on the left', "
                        "'one of the squares', 'everything')")
    target.words = " ".join(w for w in words if w not in ("the", "of", "to", "all", "both",
                                                          "every", "each", "one", "any"))
    return target, i


def _place_ahead(tokens, i: int) -> bool:
    for kind, _, _ in tokens[i:]:
        if kind in ("place", "dir"):
            return True
        if kind not in ("filler", "det"):
            return False
    return False


def _noun_ahead(tokens, i: int) -> bool:
    for kind, _, text in tokens[i:]:
        if kind in ("shape", "every") or text in EVERYTHING_WORDS:
            return True
        if kind not in ("det", "color", "size", "dir", "filler", "count"):
            return False
    return False


def _definite_after(tokens, i: int) -> bool:
    """'the circle above the star': a relation to an object of the scene (not 'above')."""
    return any(k == "det" for k, _, _ in tokens[i:i + 2]) and _noun_ahead(tokens, i)


def _place_runs(tokens) -> list[str]:
    """The places a phrase names, runs of direction words composed ('top left corner')."""
    places, dirs, text = [], [], []
    for kind, value, word in tokens + [("end", None, "")]:
        if kind == "dir":
            dirs += list(value)
            text.append(word)
            continue
        if dirs:
            places.append(_compose_place(dirs, " ".join(text)))
            dirs, text = [], []
        if kind == "place":
            places.append(value)
    return places
