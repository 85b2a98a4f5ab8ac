"""Constrained greedy decoding of a ScenePlan answer: the model picks only what the schema leaves
open (background, exclusions, each object's shape, colour, size and box corner, when to stop);
every brace, key and quote is written for it.

Why: a 135M model asked for free JSON loses the structure within a few objects (repeats entries,
drops keys, never closes the object). Constraining each choice to the allowed values, as
grammar-constrained decoders do (Willard & Louf, 2023, "Efficient Guided Generation for LLMs"),
makes every answer parse, and costs one forward pass per choice instead of one per token.
The result is still text in the few-shot examples' exact format, checked by
llm_answer.parse_answer like any other model's answer.

The text is cut where the tokenizer would cut it anyway (after `":`, before `Ġ"`, ...), so the
model sees the same tokens as in the examples. A box's far corner is written for the model from
its size (x1 = x0 + side), since sizes are discrete in Shapes World.
"""
from __future__ import annotations

import json
from typing import Callable, Sequence

from ..world import BACKGROUNDS, COLORS, MAX_OBJECTS, SHAPES, SIZES_PX, size_fraction

Step = Callable[[list[int]], Sequence[float]]   # feed token ids, get next-token logits
Encode = Callable[[str], list[int]]             # text -> token ids, no special tokens
Decode = Callable[[list[int]], str]

ATTRIBUTE_VALUES = {"shape": tuple(SHAPES), "color": tuple(COLORS), "size": tuple(SIZES_PX)}
MAX_EXCLUDES = 4          # more negations than this in one prompt is not a real request
MAX_ERROR_TOKENS = 40     # a refusal names the unknown word; it needs no essay


class PlanWriter:
    """Writes text piece by piece; `choose` lets the model pick one of several strings."""

    def __init__(self, step: Step, encode: Encode, decode: Decode, eos_id: int | None = None,
                 prompt: Sequence[int] = ()):
        self.step, self.encode, self.decode, self.eos_id = step, encode, decode, eos_id
        self.pieces: list[str] = []
        self.pending: list[int] = list(prompt)   # tokens written but not yet fed to the model
        self.forward_passes = 0

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def feed(self) -> Sequence[float]:
        logits, self.pending = self.step(self.pending), []
        self.forward_passes += 1
        return logits

    def literal(self, text: str) -> None:
        self.pieces.append(text)
        self.pending.extend(self.encode(text))

    def choose(self, options: Sequence[str]) -> str:
        """The option the model prefers, token by token (greedy over a trie of the options'
        tokenizations). When one option's tokens are a prefix of another's, the shorter wins."""
        seqs = {option: self.encode(option) for option in options}
        chosen: list[int] = []
        alive = list(options)
        while True:
            done = [o for o in alive if len(seqs[o]) == len(chosen)]
            if done:
                self.pieces.append(done[0])
                return done[0]
            logits = self.feed()
            nexts = {seqs[o][len(chosen)] for o in alive}
            best = max(nexts, key=lambda t: logits[t])
            chosen.append(best)
            self.pending.append(best)
            alive = [o for o in alive if seqs[o][len(chosen) - 1] == best]

    def free_text(self, stop: str, max_tokens: int) -> str:
        """Greedy free text up to (not including) `stop`; the stop string is not written."""
        ids: list[int] = []
        for _ in range(max_tokens):
            logits = self.feed()
            best = _argmax(logits)
            if best == self.eos_id:
                break
            ids.append(best)
            self.pending.append(best)
            if stop in self.decode(ids):
                break
        text = self.decode(ids).split(stop)[0]
        self.pieces.append(text)
        self.pending = []          # the caller ends the answer; nothing more is decoded
        return text


def _argmax(logits) -> int:
    if hasattr(logits, "argmax"):          # a tensor: avoid a Python loop over the vocabulary
        return int(logits.argmax())
    return max(range(len(logits)), key=lambda t: logits[t])


def write_plan(writer: PlanWriter) -> str:
    """Drive `writer` through one answer in the few-shot format; returns the answer text."""
    w = writer
    w.literal('{"')
    if w.choose(['background": "', 'error": "']).startswith("error"):
        reason = w.free_text('"', MAX_ERROR_TOKENS)
        w.pieces[-1] = json.dumps(reason)[1:-1]   # escape what the model wrote, if anything
        w.literal('"}')
        return w.text
    w.choose(tuple(BACKGROUNDS))
    w.literal('", "exclude":')
    _write_excludes(w)
    w.literal(' "objects": [{"')
    for count in range(1, MAX_OBJECTS + 1):
        _write_object(w)
        if count == MAX_OBJECTS:
            w.literal("]}]}")
        elif w.choose([']}, {"', "]}]}"]) == "]}]}":
            break
    return w.text


def _write_excludes(w: PlanWriter) -> None:
    """The exclude list: entries of one or more attributes ({"color": "blue", "shape": "square"}
    is a blue square). Objects are not kept from matching it here: a clash is a contradiction
    ("a red circle and no red things") that validation reports, not something to hide by
    picking another colour."""
    if w.choose([" [],", ' [{"']) == " [],":
        return
    # each choice spans the whole joint ('"}, {"') so the tokens match the examples' tokens
    end_list, next_entry, next_key = '"}],', '"}, {"', '", "'
    keys, count = list(ATTRIBUTE_VALUES), 1
    while True:
        key = w.choose(keys)
        keys.remove(key)
        w.literal('": "')
        w.choose(ATTRIBUTE_VALUES[key])
        options = [end_list] + [next_entry] * (count < MAX_EXCLUDES) + [next_key] * bool(keys)
        joint = w.choose(options)
        if joint == end_list:
            return
        if joint == next_entry:
            keys, count = list(ATTRIBUTE_VALUES), count + 1


def _write_object(w: PlanWriter) -> None:
    values = {}
    for key, prefix in (("shape", 'shape": "'), ("color", '", "color": "'),
                        ("size", '", "size": "')):
        w.literal(prefix)
        values[key] = w.choose(ATTRIBUTE_VALUES[key])
    side = size_fraction(values["size"])
    w.literal('", "box": [0.')
    x0 = _hundredths(w, side)
    w.literal(", 0.")
    y0 = _hundredths(w, side)
    w.literal(f", {json.dumps(round(x0 + side, 2))}, {json.dumps(round(y0 + side, 2))}")


def _hundredths(w: PlanWriter, side: float) -> float:
    """Two digits after the "0." already written, so that a box of `side` fits the canvas."""
    top = int((1.0 - side) * 100 + 1e-9)                     # largest allowed value, in 1/100
    tens = int(w.choose([str(d) for d in range(10) if d * 10 <= top]))
    units = int(w.choose([str(d) for d in range(10) if tens * 10 + d <= top]))
    return (tens * 10 + units) / 100
