"""Prompts written as form fields: 'Size: large. Shape: circle. Colour: yellow.'

Users who think in parameters write one field per attribute. When every part of a prompt is such
a field with a known name, the fields are put back into the word order the grammar reads
('a large yellow circle'); anything else is left to the grammar untouched.
"""
from __future__ import annotations

import re

FIELD_NAMES = {
    "count": "count", "number": "count", "quantity": "count", "amount": "count",
    "how many": "count", "shapes": "count", "objects": "count", "items": "count",
    "size": "size", "shape": "shape", "type": "shape", "colour": "color", "color": "color",
    "position": "place", "place": "place", "location": "place", "where": "place",
    "background": "background", "bg": "background", "backdrop": "background",
}
_FIELD = re.compile(r"^\s*([a-z ]+?)\s*[:=]\s*(\S.*?)\s*$")
_SPLIT = re.compile(r"[.;\n]|,(?=\s*[a-z ]+\s*[:=])")
_NEGATION_START = ("no ", "not ", "anything but", "any but", "without", "except", "never")


def fields_to_words(text: str) -> str | None:
    """'Size: large. Shape: circle. Colour: yellow.' -> 'a large yellow circle'; None when
    the prompt is not made of known fields (two at least)."""
    fields = {}
    for part in _SPLIT.split(text.lower()):
        if not part.strip():
            continue
        match = _FIELD.match(part)
        if not match or match[1] not in FIELD_NAMES or FIELD_NAMES[match[1]] in fields:
            return None
        fields[FIELD_NAMES[match[1]]] = match[2]
    if len(fields) < 2:
        return None
    count = fields.get("count", "a")
    plural = count not in ("a", "an", "1", "one")
    adjectives, clauses = [], []
    for key in ("size", "color"):
        value = fields.get(key)
        if value and value.startswith(_NEGATION_START):
            clauses.append(value)         # "Colour: anything but blue"
        elif value:
            adjectives.append(value)
    noun = fields.get("shape") or ("shapes" if plural else "shape")
    if plural and not noun.endswith("s"):
        noun += "s"
    words = " ".join([count, *adjectives, noun])
    if "place" in fields:
        place = fields["place"]
        words += " " + place if place.startswith(("in ", "at ", "on ", "near ")) else f" in the {place}"
    if "background" in fields:
        words += f" on a {fields['background']} background"
    return ", ".join([words, *clauses])
