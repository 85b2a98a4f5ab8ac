"""Text rewrites before the words are read: layouts of a prompt, not its words.

Numbered items ("1) a star 2) a circle"), item labels ("Test case 4:"), settings written as code
("circle(color='cyan')", "n_circles = 3", "square.color = 'pink'", "triangle.x < circle.x"),
possessive sides ("on the circle's right"), similes of size ("small as a seed"), "the colour of
bubblegum", multipliers ("4x"), dashes that set off a list, size steps ("one size down from
medium", "larger than medium"). Each becomes the plain words the grammar reads; text that uses
none of them passes unchanged.
"""
from __future__ import annotations

import re

_RULES = [
    (r"\b(?:objects|shapes|items|scene)\s*=\s*\[", " : "),
    # code: circle(color='cyan') -> "cyan circle"; n_circles = 3 -> "3 circles"
    (r"\b([a-z]+)\(\s*colou?r\s*=\s*['\"]?([a-z]+)['\"]?\s*\)", r" \2 \1 "),
    (r"\bn_([a-z]+)\s*=\s*(\d+)", r" \2 \1 "),
    (r"\b([a-z]+s)\s*==?\s*(\d+)\b", r" \2 \1 "),
    (r"\b([a-z]+)\.colou?r\s*=\s*['\"]?([a-z]+)['\"]?", r" the \1 is \2 "),
    (r"\b([a-z]+)\.size\s*=\s*['\"]?([a-z]+)['\"]?", r" the \1 is \2 "),
    (r"\b([a-z]+)\.(?:anchor|position|pos|place|location)\s*=\s*['\"]?([a-z -]+?)['\"]?(?=\s*[;,]|\s*$)",
     r" the \1 in the \2 "),
    (r"\bcolou?r\s*!=\s*['\"]?([a-z]+)['\"]?", r" no \1 "),
    (r"\bcolou?r\s*==?\s*['\"]?([a-z]+)['\"]?", r" \1 "),
    (r"\b([a-z]+)\.x\s*<\s*([a-z]+)\.x\b", r" \1 left of \2 "),
    (r"\b([a-z]+)\.x\s*>\s*([a-z]+)\.x\b", r" \1 right of \2 "),
    (r"\b([a-z]+)\.y\s*<\s*([a-z]+)\.y\b", r" \1 above \2 "),     # image y grows downwards
    (r"\b([a-z]+)\.y\s*>\s*([a-z]+)\.y\b", r" \1 below \2 "),
    # numbered items and labels: "1) ... 2) ...", "Test case 4:", "#3"
    (r"(^|[\s;,.:])\d+\)\s*", r"\1 ; "),
    (r"(^|\n)\s*\d+\.\s", r"\1 ; "),
    (r"\b(?:test case|case|item|step|example|exercise|question|task|slide|level|number)\s*#?\d+"
     r"\s*[:.)]", " ; "),
    (r"#", " ; "),
    # "on the circle's right" -> "to the right of the circle"
    (r"\b(?:on|to|at) (?:the )?([a-z]+)['\u2019]s (left|right)(?: hand)?(?: side)?",
     r" to the \2 of the \1 "),
    (r"\b3-?d\b", " three dimensional "),
    (r"\bas (small|tiny|little|big|large|huge) as (?:possible|you can(?: make it| draw it)?|"
     r"it gets|can be|they come)", r"\1"),
    # "small as a seed" -> "small"; "the colour of bubblegum" -> "in bubblegum"
    (r"\b(small|tiny|little|big|large|huge)\s+as\s+(?:a|an)\s+[a-z]+", r"\1"),
    (r"\b(?:in )?the colou?r of (?:a |an )?([a-z]+)", r" in \1 "),
    # "4x yellow circle", "x2"
    (r"\b(\d+)\s*[x\u00d7](?=\s|$)", r"\1"),
    (r"\b[x\u00d7]\s*(\d+)\b", r"\1"),
    # questions and exclamations end sentences as full stops do
    (r"[?!]+", " . "),
    (r"(?<=[=(\s,\[])'([a-z -]+)'(?=[\s),;\]]|$)", r" \1 "),     # quoted values of code
    (r"[\[\]()=<>\"`]", " , "),
    # a dash between spaces sets off a list or an aside, as a colon does
    (r"\s[\u2013\u2014-]\s|\s--\s", " : "),
]

_SIZES = ("small", "medium", "large")


def _size_compared(match: re.Match) -> str:
    """'larger than medium' -> 'large'; 'smaller than large' could be small or medium, so it
    stays as written (and is refused as two sizes)."""
    i = _SIZES.index(match[2])
    if match[1] == "smaller":
        return _SIZES[0] if i == 1 else match[0]
    return _SIZES[2] if i == 1 else match[0]


def _size_step(match: re.Match) -> str:
    """'one size down from medium' -> 'small'; a step off the scale stays as written."""
    step = -1 if match[1] in ("down", "smaller", "below", "under") else 1
    i = _SIZES.index(match[2]) + step
    return _SIZES[i] if 0 <= i < len(_SIZES) else match[0]


_RULES += [
    (r"\b(larger|bigger|smaller) than (?:a |the )?(small|medium|large)\b(?: size| one)?",
     _size_compared),
    (r"\b(?:one|a) (?:size|step) (down|smaller|below|under|up|bigger|larger|above|over) "
     r"(?:from|than) (?:the )?(small|medium|large)\b(?: size)?", _size_step),
]
_COMPILED = [(re.compile(pattern), repl) for pattern, repl in _RULES]


def normalize(text: str) -> str:
    """Lower-cased prompt text with the layouts above turned into plain words."""
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return text
