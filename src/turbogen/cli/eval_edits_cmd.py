"""`turbogen eval edits`: score the editor on an edit suite. Thin: eval/edit_eval.py."""
from __future__ import annotations

import json

import click

from .eval_cmd import eval_group

SHOWN_FAILURES = 10


@eval_group.command("edits")
@click.option("--suite", default="dev", show_default=True, metavar="NAME|PATH",
              help="A bundled suite (eval/suites/NAME_edits.jsonl) or a .jsonl file.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of every edit's noise and placement.")
@click.option("--verify", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Let the editor redraw up to N times while the verifier says it failed.")
@click.option("--steps", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="Sampling steps of each redraw.")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Score N edits, taken round-robin across categories.")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Torch CPU threads (default: torch's choice).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--failures", "all_failures", is_flag=True, help="List every failure.")
def edits(suite, seed, verify, steps, limit, threads, as_json, all_failures) -> None:
    """Edit success (by the verifier), pixels kept outside the mask, seconds per edit.

    Each record's scene is drawn by the bundled generator (the first of 8 seeds the verifier
    accepts), the instruction applied with `turbogen edit`, and the result read back: an edit
    is right when every fact the record expects holds; a 'reject' record is right when the
    editor refuses it. The suite format is docs/edit_suite_format.md.

    \b
    Examples:
      turbogen eval edits --json
      turbogen eval edits --suite my_edits.jsonl --verify 2 --failures
    """
    from ..eval.edit_eval import evaluate_edits
    from ..eval.edit_suite import load_edit_suite
    from ..eval.plan_suite import take
    from ..pipelines.edit import Editor

    records = take(load_edit_suite(suite), limit)
    if threads is not None:
        import torch
        torch.set_num_threads(threads)
    editor = Editor.load(steps=steps)
    report = evaluate_edits(editor, records, seed=seed, tries=verify)
    import torch
    report = {"suite": suite, "steps": steps, "verify": verify,
              "threads": torch.get_num_threads(), **report}
    failures = report["failures"]
    if as_json:
        click.echo(json.dumps({**report, "failures": failures if all_failures else
                               failures[:50], "failure_count": len(failures)}, indent=2))
        return
    for category, row in report["per_category"].items():
        click.echo(f"{category:<11} {row['correct']:>3}/{row['n']:<3} {row['accuracy']:.1%}")
    kept = report["pixels_kept_mean"]
    click.echo(f"{'all':<11} {report['correct']:>3}/{report['n']:<3} {report['accuracy']:.1%}; "
               f"pixels kept outside the mask {'n/a' if kept is None else f'{kept:.4%}'}; "
               f"{report['seconds_per_edit']:.3f} s per edit "
               f"({report['cpu_seconds_per_edit']:.3f} CPU s)")
    for failure in failures if all_failures else failures[:SHOWN_FAILURES]:
        why = failure.get("error") or "; ".join(failure.get("problems", []))
        click.echo(f"  {failure['id']} {failure['instruction']!r}: {why}")
