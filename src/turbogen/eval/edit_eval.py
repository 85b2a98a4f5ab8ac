"""Score the editor on an edit suite: success by the verifier, pixels kept, seconds per edit.

For each record the scene is drawn once (best of SCENE_TRIES seeds by the verifier, so edits
start from a faithful image), the instruction applied, and the result read back:
- success: every fact of `expect` holds in the reading (all or nothing); for a 'reject'
  record, the editor refused it with an error;
- pixels kept: of the pixels outside the edit mask (old and new boxes of the edited objects,
  grown by 2 px), the share identical to the input;
- seconds per edit: read + plan + redraw (+ the editor's own retries), not the scoring; wall
  clock, and the process's CPU time (all threads), which does not grow when other programs
  share the cores.
"""
from __future__ import annotations

import statistics
import time

import numpy as np

from ..errors import TurbogenError
from ..pipelines.edit import Editor
from ..pipelines.text2img_verify import generate_verified
from ..verify.faithfulness import image_fact_failures
from .edit_suite import CATEGORIES

SCENE_TRIES = 8


def scene_image(editor: Editor, record: dict) -> tuple[np.ndarray, bool]:
    """The scene drawn by the bundled generator, and whether the verifier accepted it."""
    scene, seed = record["scene"], record["scene_seed"]
    prompts, plans = ([scene], None) if isinstance(scene, str) else (None, [scene])
    result, reports = generate_verified(editor.pipe, prompts, plans=plans, seed=seed,
                                        candidates=SCENE_TRIES,
                                        verifier=editor.verifier.faithfulness)
    return result.images[0], reports[0].accepted


def evaluate_edits(editor: Editor, records: list[dict], *, seed: int = 0, tries: int = 1,
                   progress=None) -> dict:
    scenes: dict[str, tuple[np.ndarray, bool]] = {}
    rows = []
    for done, record in enumerate(records, 1):
        key = f"{record['scene']!r}/{record['scene_seed']}"
        if key not in scenes:
            scenes[key] = scene_image(editor, record)
        image, faithful = scenes[key]
        rows.append({**score_edit(editor, record, image, seed, tries), "scene_ok": faithful})
        if progress is not None:
            progress(done, len(records))
    return summarize(rows)


def score_edit(editor: Editor, record: dict, image: np.ndarray, seed: int, tries: int) -> dict:
    row = {"id": record["id"], "category": record["category"],
           "instruction": record["instruction"]}
    start, cpu = time.perf_counter(), time.process_time()
    try:
        result = editor.edit(image, record["instruction"], seed=seed, tries=tries)
    except TurbogenError as err:
        row["seconds"] = time.perf_counter() - start
        row["error"] = str(err)
        row["correct"] = bool(record.get("reject"))
        return row
    row["seconds"] = time.perf_counter() - start
    row["cpu_seconds"] = time.process_time() - cpu
    if record.get("reject"):
        row["correct"], row["problems"] = False, ["the editor should have refused this"]
        return row
    outside = ~result.mask
    row["pixels_kept"] = float((result.image == image).all(axis=-1)[outside].mean()) \
        if outside.any() else 1.0
    row["mask_fraction"] = float(result.mask.mean())
    reading = editor.verifier.read(result.image)
    row["problems"] = image_fact_failures(reading.plan, record["expect"])
    row["correct"] = not row["problems"]
    row["read_as"] = reading.caption
    return row


def summarize(rows: list[dict]) -> dict:
    per_category = {}
    for category in CATEGORIES:
        mine = [r for r in rows if r["category"] == category]
        if mine:
            right = sum(r["correct"] for r in mine)
            per_category[category] = {"n": len(mine), "correct": right,
                                      "accuracy": right / len(mine)}
    edits = [r for r in rows if "pixels_kept" in r]
    drawn = [r["seconds"] for r in rows if "error" not in r]
    correct = sum(r["correct"] for r in rows)
    faithful = [r for r in rows if r["scene_ok"]]
    return {
        "n": len(rows), "correct": correct, "accuracy": correct / len(rows) if rows else None,
        "accuracy_on_faithful_scenes": (sum(r["correct"] for r in faithful) / len(faithful)
                                        if faithful else None),
        "scenes_not_faithful": len(rows) - len(faithful),
        "per_category": per_category,
        "pixels_kept_mean": statistics.fmean(r["pixels_kept"] for r in edits) if edits else None,
        "pixels_kept_min": min((r["pixels_kept"] for r in edits), default=None),
        "mask_fraction_mean": (statistics.fmean(r["mask_fraction"] for r in edits)
                               if edits else None),
        "seconds_per_edit": statistics.fmean(drawn) if drawn else None,
        "seconds_per_edit_median": statistics.median(drawn) if drawn else None,
        "cpu_seconds_per_edit": (statistics.fmean(r["cpu_seconds"] for r in rows
                                                  if "cpu_seconds" in r)
                                 if drawn else None),
        "seconds_per_refusal": (statistics.fmean(r["seconds"] for r in rows if "error" in r)
                                if any("error" in r for r in rows) else None),
        "failures": [{k: v for k, v in r.items() if k != "correct"} for r in rows
                     if not r["correct"]],
    }
