"""Does the generated image show what the prompt asks? GenEval-style, all or nothing.

Each suite prompt is drawn, the bundled verifier reads the image back as a ScenePlan, and the
image counts as correct only when every fact the suite records for the prompt holds
(verify/faithfulness.py). Two ways to draw the same prompt with the same model and noise are
compared in one run, as LLM-grounded Diffusion compares itself with its text-only base model:

  layout  the planner writes a ScenePlan, drawn as box-masked layout maps + the prompt embedding
  text    no planner: the MiniLM prompt embedding alone, drawn by a text-only model (the
          bundled baseline text2img-shapes64-text, trained with every layout dropped) or by
          the layout model's own text-only mode (10% of its training examples had no layout)

Speed counts everything a user waits for (planning, text encoding, sampling, decoding), not the
verifier; "seconds to a correct image" is seconds per image divided by the success rate.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from ..cond import make_cond
from ..plan.base import plan_batch
from ..pipelines.text2img import Text2Img, draw, model_device, to_uint8
from .plan_eval import per_category

MODES = {
    "layout": "planner + layout maps + prompt embedding",
    "text": "prompt embedding only (no planner, no layout)",
}


def drawable(records: list[dict]) -> list[dict]:
    """The records an image can answer: every category except the planner-only 'reject'."""
    return [r for r in records if not r.get("reject")]


def _draw_batch(pipe: Text2Img, mode: str, prompts: list[str], seeds: list[int],
                **sampling) -> tuple[list[np.ndarray | None], list[str | None]]:
    """Images (None where the planner refused) and refusal messages for one batch."""
    if mode == "text":
        emb = pipe.text_encoder(prompts)
        device = model_device(pipe.denoiser)
        cond = make_cond([None] * len(prompts), emb, size=pipe.config.image_size, device=device)
        x = draw(pipe.denoiser, pipe.config, cond, seeds, **sampling)
        return list(to_uint8(x)), [None] * len(prompts)
    results = plan_batch(pipe.planner, prompts, seed=seeds[0])
    ok = [i for i, r in enumerate(results) if r.plan is not None]
    images: list[np.ndarray | None] = [None] * len(prompts)
    if ok:
        cond = pipe.encode([prompts[i] for i in ok], [results[i].plan for i in ok])
        x = draw(pipe.denoiser, pipe.config, cond, [seeds[i] for i in ok], **sampling)
        for i, image in zip(ok, to_uint8(x)):
            images[i] = image
    return images, [None if r.plan is not None else (r.error or "refused") for r in results]


def _warm_up(pipe: Text2Img, modes, **sampling) -> None:
    """Load the planner's and the text encoder's lazy parts outside the timed runs."""
    pipe.plan(["a red circle above a blue square"], [0])
    pipe.encode(["a red circle"], [None])
    for mode in modes:
        _draw_batch(pipe, mode, ["a red circle above a blue square"], [0], **sampling)


def evaluate_faithfulness(pipe: Text2Img, records: list[dict], verifier: Callable, *,
                          modes=tuple(MODES), text_pipe: Text2Img | None = None,
                          seed: int = 0, batch_size: int = 64,
                          progress: Callable[[str, int, int], None] | None = None,
                          **sampling) -> dict:
    """Draw every drawable record in every mode (record i with seed + i) and score it.

    `verifier(image, facts) -> failures` reads an image; `text_pipe` draws the text mode
    (default: `pipe`); `sampling` (steps, guidance, sampler) goes to the sampler;
    `progress(mode, done, total)` is called after each batch.
    """
    records = drawable(records)
    pipes = {"layout": pipe, "text": text_pipe or pipe}
    for mode in modes:
        _warm_up(pipes[mode], [mode], **sampling)
    report = {"n": len(records), "modes": {}}
    images_by_mode = {}
    for mode in modes:
        images, refusals, seconds = [], [], 0.0
        for start in range(0, len(records), batch_size):
            chunk = records[start:start + batch_size]
            seeds = [seed + start + i for i in range(len(chunk))]
            began = time.perf_counter()
            imgs, refused = _draw_batch(pipes[mode], mode, [r["prompt"] for r in chunk], seeds,
                                        **sampling)
            seconds += time.perf_counter() - began
            images += imgs
            refusals += refused
            if progress is not None:
                progress(mode, len(images), len(records))
        began = time.perf_counter()
        failures = [_score(r, img, why, verifier) for r, img, why in
                    zip(records, images, refusals)]
        verify_seconds = time.perf_counter() - began
        report["modes"][mode] = _mode_report(mode, records, failures, seconds, verify_seconds)
        images_by_mode[mode] = images
    if {"layout", "text"} <= set(report["modes"]):
        lay, txt = report["modes"]["layout"], report["modes"]["text"]
        report["layout_vs_text"] = _ratio(txt["seconds_to_correct_image"],
                                          lay["seconds_to_correct_image"])
    report["images"] = images_by_mode
    return report


def _score(record: dict, image, refusal, verifier) -> dict | None:
    """None when the image shows every fact of the record, else what went wrong."""
    if image is None:
        problems = [f"the planner refused the prompt: {refusal}"]
    else:
        problems = verifier(image, record["expect"])
        if not problems:
            return None
    return {"id": record["id"], "category": record["category"], "prompt": record["prompt"],
            "problems": problems}


def _mode_report(mode, records, failures, seconds, verify_seconds) -> dict:
    n = len(records)
    failed = {f["id"] for f in failures if f is not None}
    correct = n - len(failed)
    accuracy = correct / n if n else 0.0
    per_image = seconds / n if n else 0.0
    return {
        "what": MODES[mode],
        "correct": correct,
        "accuracy": round(accuracy, 4),
        "per_category": per_category(records, failed),
        "images_per_second": round(n / seconds, 2) if seconds > 0 else None,
        "seconds_per_image": round(per_image, 5),
        # None when no image was right: no number of tries is expected to give a correct one
        "seconds_to_correct_image": round(per_image / accuracy, 5) if accuracy else None,
        "verifier_seconds": round(verify_seconds, 3),
        "failures": [f for f in failures if f is not None],
    }


def _ratio(slow: float | None, fast: float | None) -> float | None:
    """How many times fewer seconds to a correct image layout needs than text (None: text
    never drew a correct image, so the ratio is unbounded)."""
    if slow is None or not fast:
        return None
    return round(slow / fast, 2)


def grid_picks(records: list[dict], columns: int) -> list[int]:
    """Indices into drawable(records): one per category in turn, up to `columns`."""
    records = drawable(records)
    by_category: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        by_category.setdefault(r["category"], []).append(i)
    picks, depth = [], 0
    while len(picks) < min(columns, len(records)):
        for indices in by_category.values():
            if depth < len(indices) and len(picks) < columns:
                picks.append(indices[depth])
        depth += 1
    return picks


def grid_image(images_by_mode: dict, picks: list[int], scale: int = 2) -> np.ndarray:
    """A row per mode of the picked images (gray where the planner refused), 4 px apart."""
    size, pad = 64 * scale, 4
    canvas = np.full((len(images_by_mode) * (size + pad) + pad,
                      len(picks) * (size + pad) + pad, 3), 255, np.uint8)
    for r, images in enumerate(images_by_mode.values()):
        for c, i in enumerate(picks):
            image = images[i] if images[i] is not None else np.full((64, 64, 3), 128, np.uint8)
            y, x = pad + r * (size + pad), pad + c * (size + pad)
            canvas[y:y + size, x:x + size] = image.repeat(scale, 0).repeat(scale, 1)
    return canvas
