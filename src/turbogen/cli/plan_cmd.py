"""`turbogen plan`: prompt(s) to ScenePlan JSON."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from .main import cli

PLANNER_CHOICES = ("default", "smollm2", "openai")


def read_prompt_lines(path: str) -> list[str | InputError]:
    """Lines of a prompt file; a line that is not UTF-8 becomes an InputError in its place."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"prompt file {path} does not exist (or is not a file)")
    try:
        raw = file.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read prompt file {path}: {err.strerror}") from None
    lines: list[str | InputError] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError as err:
            lines.append(InputError(f"line {number} is not valid UTF-8 "
                                    f"(byte 0x{line[err.start]:02x} at column {err.start + 1})"))
    if not lines:
        raise InputError(f"prompt file {path} is empty; write one prompt per line")
    return lines


@cli.command("plan")
@click.argument("prompt", required=False)
@click.option("--file", "file_", type=str, help="Plan every line of this file (one JSON line each).")
@click.option("--planner", type=click.Choice(PLANNER_CHOICES), default="default", show_default=True,
              help="default: grammar + MiniLM, offline and fast; smollm2: a 135M language model "
                   "writes the JSON; openai: any OpenAI-compatible endpoint.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Unstated things (colours, sizes, positions) vary with it; line i uses seed + i.")
@click.option("--endpoint", help="openai planner: base URL, e.g. http://127.0.0.1:8080")
@click.option("--model", "model_name", help="openai planner: model name at the endpoint")
@click.option("--api-key", envvar=["TURBOGEN_API_KEY", "OPENAI_API_KEY"], show_envvar=True,
              help="openai planner: sent as a Bearer token (default: $TURBOGEN_API_KEY, "
                   "then $OPENAI_API_KEY)")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, help="openai planner: seconds to wait for each answer")
@click.option("--meta", is_flag=True, help="Wrap each plan with planner, seed, timing and fallback.")
@click.option("--indent", type=int, default=None, help="Pretty-print single plans.")
@click.option("--schema", is_flag=True, help="Print the ScenePlan JSON Schema and exit.")
def plan_command(prompt, file_, planner, seed, endpoint, model_name, api_key, timeout, meta,
                 indent, schema):
    """Turn a prompt into a ScenePlan (JSON on stdout).

    \b
    Examples:
      turbogen plan "three small red stars above a large blue circle on black"
      turbogen plan "a ruby dot to the left of a sapphire tile" --seed 3 --indent 2
      turbogen plan --file prompts.txt > plans.jsonl
      turbogen plan "two cyan stars" --planner smollm2 --meta

    With --file, each input line gives one output line, in order; a line that cannot be planned
    prints {"error": "..."} and the exit code is non-zero only when no line could be planned.
    """
    from ..plan.base import plan_batch
    from ..plan.registry import make_planner
    if schema:
        from ..plan.schema import SCENE_PLAN_SCHEMA
        click.echo(json.dumps(SCENE_PLAN_SCHEMA, indent=2))
        return
    if (prompt is None) == (file_ is None):
        raise InputError("give either a PROMPT or --file FILE (not both); "
                         "see `turbogen plan --help`")
    if seed < 0:
        raise InputError(f"--seed must be 0 or more, got {seed}")
    lines = [prompt] if file_ is None else read_prompt_lines(file_)
    engine = make_planner(planner, endpoint=endpoint, model=model_name, api_key=api_key,
                          timeout=timeout)
    planned = 0
    for i, line in enumerate(lines):
        if isinstance(line, InputError):
            click.echo(json.dumps({"error": str(line)}))
            continue
        # plan_batch, not run_planner: a backend that is down (PlannerUnavailable) must stop
        # the command with exit code 3, not become one line's error
        result = plan_batch(engine, [line], seed + i)[0]
        if result.fallback_reason:
            click.echo(f"note: {result.fallback_reason}", err=True)
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
        if file_ is None and not result.ok:
            raise InputError(result.error) if result.error else InputError("planning failed")
        planned += result.ok
        if meta:
            click.echo(json.dumps(result.to_dict(), indent=indent))
        elif result.ok:
            click.echo(result.plan.to_json(indent=indent if file_ is None else None))
        else:
            click.echo(json.dumps({"error": result.error}))
    if planned == 0:
        click.echo(f"error: none of the {len(lines)} lines could be planned", err=True)
        raise click.exceptions.Exit(2)
