"""Typos of words the grammar knows: 'cirlce' -> 'circle', 'backround' -> 'background'.

A word is corrected only when it is no word of its own, which MiniLM's WordPiece vocabulary
tells: 'cirlce' splits into pieces (ci ##rl ##ce) while 'round', 'tile' or 'orb' stay whole and
go to the meaning matcher instead. Then exactly one lexicon word must lie one edit away (two for
words of seven letters or more), a swap of neighbouring letters counting as one edit.
"""
from __future__ import annotations

from functools import lru_cache

MIN_LENGTH = 4          # shorter words have too many neighbours to guess from
LONG_WORD = 7           # from this length two edits are still a typo, not another word
CONTENT_KINDS = ("color", "shape", "size", "bgcolor", "bgnoun", "rel", "place", "dir", "count",
                 "neg")


def corrections(words: list[str]) -> dict[str, str]:
    """{typo: lexicon word} for the words of `words` that are typos of exactly one word."""
    return {word: fix for word in dict.fromkeys(words) if (fix := correction(word))}


@lru_cache(maxsize=4096)
def correction(word: str) -> str | None:
    """The lexicon word `word` is a typo of, or None."""
    if len(word) < MIN_LENGTH or not word.isalpha() or word in _vocabulary() \
            or _is_whole_word(word):
        return None
    limit = 2 if len(word) >= LONG_WORD else 1
    scored = [(d, w) for w in _vocabulary() if abs(len(w) - len(word)) <= limit
              and 0 < (d := edit_distance(word, w)) <= limit]
    if not scored:
        return None
    nearest = min(d for d, _ in scored)
    ties = [w for d, w in scored if d == nearest]
    if len(ties) > 1:          # typos rarely touch the first letter: 'yelow' is not 'below'
        ties = [w for w in ties if w[0] == word[0]]
    return ties[0] if len(ties) == 1 else None


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): insert, delete, substitute,
    swap two neighbours."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[str, ...]:
    from .grammar import _TABLE
    # single-word entries only: 'great' of 'whopping great' is no size by itself
    words = {phrase[0] for phrase, (kind, _) in _TABLE.items() if kind in CONTENT_KINDS
             and len(phrase) == 1 and len(phrase[0]) >= MIN_LENGTH and phrase[0].isalpha()}
    return tuple(sorted(words))


def _is_whole_word(word: str) -> bool:
    from ..text.minilm import load_minilm
    return len(load_minilm().tokenizer.tokenize(word)) == 1
