"""Score a planner on a suite: GenEval-style, a prompt counts only when every fact is right.

Accepted prompts are right when the plan exists and plan.facts.fact_failures() finds nothing;
reject prompts are right when the planner refused them (raised a PlanError or InputError).
"""
from __future__ import annotations

import time
from typing import Callable

from ..plan.base import PlanResult, plan_batch
from ..plan.facts import fact_failures
from .plan_suite import CATEGORIES

# One plain prompt and one whose words no small vocabulary lists, so planners that load a
# word-embedding model only for unknown words load it here. None of these words is in a suite.
WARM_UP_PROMPTS = ("a red circle above a blue square", "a vermilion puck beneath a cerulean slab")
BATCH_SIZE = 32     # prompts per plan_batch call: big enough for planners that batch, small
                    # enough that the progress bar moves


def warm_up(planner) -> None:
    """Plan throwaway prompts through the batch path, so lazy loading (models, word
    embeddings, compiled grammars) is paid here and not counted as planning speed."""
    plan_batch(planner, list(WARM_UP_PROMPTS))


def load_planner(factory: Callable[[], object]) -> tuple[object, float]:
    """Build a planner with `factory` and warm it up; returns (planner, load seconds)."""
    start = time.perf_counter()
    planner = factory()
    warm_up(planner)
    return planner, time.perf_counter() - start


def evaluate_planner(planner, records: list[dict], seed: int = 0,
                     progress: Callable[[int, int], None] | None = None,
                     load_seconds: float | None = None,
                     batch_size: int = BATCH_SIZE) -> dict:
    """Plan every record's prompt (prompt i gets seed + i) and score it.

    `progress(done, total)` is called after each batch. `load_seconds` is the caller's
    measurement of building and warming the planner (see load_planner); it is only reported.
    """
    warm_up(planner)    # cheap when already warm; keeps lazy loading out of the timing below
    prompts = [r["prompt"] for r in records]
    results, seconds = _plan_all(planner, prompts, seed, progress, batch_size)
    failures = [f for r, res in zip(records, results) if (f := score(r, res)) is not None]
    return _report(records, results, failures, seconds, load_seconds)


def _plan_all(planner, prompts, seed, progress, batch_size) -> tuple[list[PlanResult], float]:
    results, seconds = [], 0.0
    for start in range(0, len(prompts), batch_size):
        chunk = prompts[start:start + batch_size]
        began = time.perf_counter()
        out = plan_batch(planner, chunk, seed=seed + start)
        seconds += time.perf_counter() - began
        if len(out) != len(chunk):
            raise RuntimeError(f"planner {getattr(planner, 'name', planner)!r} returned "
                               f"{len(out)} results for {len(chunk)} prompts")
        results.extend(out)
        if progress is not None:
            progress(len(results), len(prompts))
    return results, seconds


def score(record: dict, result: PlanResult) -> dict | None:
    """None when the planner got the record right, else a failure entry saying what went wrong."""
    failure = {"id": record["id"], "category": record["category"], "prompt": record["prompt"]}
    if result.fallback_reason:
        failure["fallback_reason"] = result.fallback_reason
    if record.get("reject"):
        if result.plan is None:
            return None
        return {**failure, "problems": [f"should be rejected ({record['why']}), got a plan"],
                "plan": result.plan.to_dict()}
    if result.plan is None:
        return {**failure, "problems": ["refused a valid prompt"], "error": result.error}
    problems = fact_failures(result.plan, record["expect"])
    if not problems:
        return None
    return {**failure, "problems": problems, "plan": result.plan.to_dict()}


def per_category(records: list[dict], failed: set[str]) -> dict:
    """{category: n, correct, accuracy} in CATEGORIES order, for categories with records."""
    out = {}
    for category in CATEGORIES:
        ids = [r["id"] for r in records if r["category"] == category]
        if ids:
            right = sum(i not in failed for i in ids)
            out[category] = {"n": len(ids), "correct": right,
                             "accuracy": round(right / len(ids), 4)}
    return out


def _report(records, results, failures, seconds, load_seconds) -> dict:
    failed = {f["id"] for f in failures}
    rejects = [res for r, res in zip(records, results) if r.get("reject")]
    accepted = [res for r, res in zip(records, results) if not r.get("reject")]
    n = len(records)
    return {
        "n": n,
        "correct": n - len(failures),
        "accuracy": round((n - len(failures)) / n, 4) if n else None,
        "per_category": per_category(records, failed),
        # share of must-refuse prompts that were refused, and of valid prompts wrongly refused
        "reject_rate": _share(rejects, lambda res: res.plan is None),
        "false_reject_rate": _share(accepted, lambda res: res.plan is None),
        "plans_per_second": round(n / seconds, 2) if seconds > 0 else None,
        "plan_seconds": round(seconds, 4),
        "load_seconds": None if load_seconds is None else round(load_seconds, 4),
        "fallbacks": sum(1 for res in results if res.fallback_reason),
        # share of prompts where a language model's answer was not used and `default` stepped in
        "fallback_rate": _share(results, lambda res: bool(res.fallback_reason)),
        "by_planner": _by_planner(records, results, failed),
        "failures": failures,
    }


def _by_planner(records, results, failed) -> dict:
    """Prompts and right answers per planner that produced the result, so a language model's
    own plans are scored apart from those its fallback made."""
    out: dict[str, dict] = {}
    for record, res in zip(records, results):
        row = out.setdefault(res.planner, {"n": 0, "correct": 0})
        row["n"] += 1
        row["correct"] += record["id"] not in failed
    for row in out.values():
        row["accuracy"] = round(row["correct"] / row["n"], 4)
    return out


def _share(results: list[PlanResult], test) -> float | None:
    return round(sum(1 for r in results if test(r)) / len(results), 4) if results else None
