"""Checks on raw prompt text at the boundary, before any planner sees it."""
from __future__ import annotations

import json
import re
import unicodedata

from ..errors import InputError

MAX_PROMPT_CHARS = 2000
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|\[/?[a-z]+\]|```")


def check_prompt(text: object) -> str:
    """Return the prompt stripped, or raise InputError saying what is wrong with it."""
    if not isinstance(text, str):
        raise InputError(f"a prompt is text, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise InputError("the prompt is empty; describe a scene, e.g. "
                         "\"two red circles left of a blue star on black\"")
    if len(stripped) > MAX_PROMPT_CHARS:
        raise InputError(f"the prompt is {len(stripped)} characters; the limit is "
                         f"{MAX_PROMPT_CHARS}")
    for ch in stripped:
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t":
            raise InputError(f"the prompt contains a control character (U+{ord(ch):04X}); "
                             "use plain text on one line")
    if stripped[0] in "{[" and stripped[-1] in "}]":
        try:
            json.loads(stripped)
        except ValueError:     # "{shape: diamond, color: red}": words in braces, read them
            stripped = stripped[1:-1].strip() or stripped
        else:
            raise InputError("the prompt is JSON; pass a ScenePlan file with --plan, "
                             "or write the scene in words")
    if _MARKUP.search(stripped):
        raise InputError("the prompt contains markup (HTML tags or code fences); "
                         "write the scene in plain words")
    return stripped
