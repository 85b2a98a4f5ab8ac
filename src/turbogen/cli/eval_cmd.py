"""`turbogen eval ...`: measure planners against the bundled prompt suites."""
from __future__ import annotations

import json

import click

from ..plan.registry import PLANNER_HELP, PLANNER_NAMES
from .main import cli

SHOWN_FAILURES_JSON = 50    # --json keeps its output readable unless --failures asks for all
SHOWN_FAILURES_TABLE = 10


class EvalGroup(click.Group):
    """`turbogen eval NAME` where NAME is no subcommand evaluates a model: `eval model NAME`."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-") \
                and "model" in self.commands:
            args = ["model", *args]
        return super().resolve_command(ctx, args)


@cli.group(name="eval", cls=EvalGroup)
def eval_group() -> None:
    """Measure how well turbogen's components do on bundled test suites.

    \b
    Examples:
      turbogen eval plans                      # default planner on the dev suite
      turbogen eval plans --suite heldout --json
    """


@eval_group.command("plans")
@click.option("--planner", "planner_name", type=click.Choice(PLANNER_NAMES), default="default",
              show_default=True,
              help="; ".join(f"{name}: {text}" for name, text in PLANNER_HELP.items()))
@click.option("--suite", default="dev", show_default=True, metavar="dev|heldout|PATH",
              help="a bundled suite, or a .jsonl file of records in the same format")
@click.option("--seed", type=int, default=0, show_default=True,
              help="prompt i is planned with seed + i")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="evaluate N prompts, taken round-robin across categories")
@click.option("--endpoint", default=None, metavar="URL", help="openai planner: the server")
@click.option("--model", default=None, metavar="NAME", help="openai planner: the model name")
@click.option("--api-key", envvar=["TURBOGEN_API_KEY", "OPENAI_API_KEY"], show_envvar=True,
              help="openai planner: sent as a Bearer token (default: $TURBOGEN_API_KEY, "
                   "then $OPENAI_API_KEY)")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, help="openai planner: seconds to wait for each answer")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object instead of a table")
@click.option("--failures", "all_failures", is_flag=True,
              help=f"list every failure (default: the first {SHOWN_FAILURES_TABLE} in the "
                   f"table, {SHOWN_FAILURES_JSON} in JSON)")
def plans(planner_name, suite, seed, limit, endpoint, model, api_key, timeout, as_json,
          all_failures) -> None:
    """Score a planner on a prompt suite: accuracy per category, speed, load time.

    A prompt counts as right only when every fact it states holds in the plan (objects and
    counts, attributes, relations, places, background, exclusions), or, for the 'reject'
    category, when the planner refuses it. Load time covers building the planner and two
    warm-up prompts (so lazily loaded models count there); plans/s is measured after that.

    \b
    The 'heldout' suite is a held-out test: do not tune planners on its prompts.

    \b
    Examples:
      turbogen eval plans
      turbogen eval plans --planner smollm2 --suite heldout --limit 40
      turbogen eval plans --planner openai --endpoint http://127.0.0.1:8080 --model qwen2.5
      turbogen eval plans --suite my_prompts.jsonl --json --failures > report.json
    """
    from ..eval.plan_eval import load_planner
    from ..eval.plan_suite import load_suite, take
    from ..plan.registry import make_planner

    records = take(load_suite(suite), limit)   # a bad suite fails before a slow model loads
    planner, load_seconds = load_planner(
        lambda: make_planner(planner_name, endpoint=endpoint, model=model, api_key=api_key,
                             timeout=timeout))
    report = _run_with_progress(planner, records, seed, load_seconds)
    report = {"planner": planner_name, "suite": suite, **report}
    if model and planner_name == "openai":
        report["model"] = model
    if as_json:
        _print_json(report, all_failures)
    else:
        _print_table(report, all_failures)


def _run_with_progress(planner, records, seed, load_seconds) -> dict:
    """Evaluate with a progress bar on stderr, so stdout stays clean for --json."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from ..eval.plan_eval import evaluate_planner

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("planning", total=len(records))
        return evaluate_planner(planner, records, seed=seed, load_seconds=load_seconds,
                                progress=lambda done, total: bar.update(task, completed=done))


def _print_json(report: dict, all_failures: bool) -> None:
    failures = report["failures"]
    shown = failures if all_failures else failures[:SHOWN_FAILURES_JSON]
    out = {**report, "failures": shown, "failure_count": len(failures)}
    click.echo(json.dumps(out, indent=2))


def _print_table(report: dict, all_failures: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table(title=f"planner {report['planner']} on suite {report['suite']}")
    for column, justify in (("category", "left"), ("n", "right"), ("correct", "right"),
                            ("accuracy", "right")):
        table.add_column(column, justify=justify)
    for category, row in report["per_category"].items():
        table.add_row(category, str(row["n"]), str(row["correct"]), f"{row['accuracy']:.1%}")
    table.add_section()
    table.add_row("all", str(report["n"]), str(report["correct"]), f"{report['accuracy']:.1%}")
    console.print(table)
    console.print(_summary_line(report), highlight=False, soft_wrap=True)
    failures = report["failures"]
    shown = failures if all_failures else failures[:SHOWN_FAILURES_TABLE]
    for failure in shown:
        why = failure.get("error") or "; ".join(failure["problems"])
        console.print(f"  [bold]{escape(failure['id'])}[/bold] {escape(repr(failure['prompt']))}: "
                      f"{escape(why)}", highlight=False, soft_wrap=True)
    if len(shown) < len(failures):
        console.print(f"  ... {len(failures) - len(shown)} more failures; --failures lists all")


def _summary_line(report: dict) -> str:
    def pct(value):
        return "n/a" if value is None else f"{value:.1%}"
    speed = report["plans_per_second"]
    return (f"reject rate {pct(report['reject_rate'])}, "
            f"false rejects {pct(report['false_reject_rate'])}, "
            f"{'n/a' if speed is None else f'{speed:.1f}'} plans/s, "
            f"load {report['load_seconds']:.2f} s, fallbacks {report['fallbacks']} "
            f"({pct(report['fallback_rate'])})" + _by_planner_text(report))


def _by_planner_text(report: dict) -> str:
    """'; by planner: smollm2 10/10 right, default 48/50 right' when more than one planned."""
    rows = report.get("by_planner") or {}
    if len(rows) < 2:
        return ""
    return "; by planner: " + ", ".join(f"{name} {row['correct']}/{row['n']} right"
                                        for name, row in rows.items())
