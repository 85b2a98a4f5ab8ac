"""`turbogen train verifier`: reproduce the bundled verifier. Thin: see train/verifier_recipe.py."""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from .train_cmd import train

VERIFIER_RECIPES = ("shapes",)


@train.command("verifier")
@click.option("--recipe", type=click.Choice(VERIFIER_RECIPES), default="shapes",
              show_default=True, help="Which recipe (turbogen/train/verifier_recipe.py).")
@click.option("--out", type=click.Path(path_type=Path), required=True, metavar="DIR",
              help="Folder to create with config.json, model.safetensors and card.md.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Override the recipe's seed (scenes and initialisation).")
@click.option("--scenes", type=click.IntRange(min=10), default=None, metavar="N",
              help="Override how many training scenes to render.")
@click.option("--epochs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Override the number of epochs.")
@click.option("--eval-scenes", type=click.IntRange(min=0), default=500, show_default=True,
              metavar="N", help="Fresh scenes per image condition scored for the card (0: none).")
@click.option("--threads", type=click.IntRange(min=1), default=None, metavar="N",
              help="Torch CPU threads. On a busy machine 1 can be several times faster.")
@click.option("--overwrite", is_flag=True, help="Replace DIR if it holds files.")
@click.option("--dry-run", is_flag=True,
              help="A tiny run (60 scenes, 1 epoch, 20 eval scenes) to check the pipeline.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def verifier(recipe, out, seed, scenes, epochs, eval_scenes, threads, overwrite, dry_run,
             as_json) -> None:
    """Train the verifier's shape classifier and write a weights folder.

    \b
    Renders fresh Shapes World scenes (most degraded like generator output), cuts each
    object's coverage crop with the verifier's own segmenter, trains a small CNN, then scores
    the whole verifier on fresh scenes for the model card. The bundled checkpoint:
      turbogen train verifier --recipe shapes --threads 1 \\
          --out src/turbogen/weights/verifier-shapes --overwrite
    """
    import torch

    from ..eval.verifier_eval import evaluate_verifier
    from ..io_atomic import check_directory_target
    from ..pipelines.caption import Verifier
    from ..train.verifier_recipe import RECIPES, train_verifier, write_bundle

    overrides = {k: v for k, v in (("seed", seed), ("scenes", scenes), ("epochs", epochs))
                 if v is not None}
    if dry_run:
        overrides = {"scenes": 60, "val_scenes": 20, "epochs": 1, **overrides}
        eval_scenes = min(eval_scenes, 20)
    chosen = replace(RECIPES[recipe], **overrides)
    check_directory_target(out, overwrite)      # a bad --out fails now, not after training
    if threads:
        torch.set_num_threads(threads)
    with _progress_bars() as progress:
        model, summary = train_verifier(chosen, progress)
        evaluations = []
        for condition in ("exact", "generator") if eval_scenes else ():
            report = evaluate_verifier(
                Verifier(model), n=eval_scenes, degradation=condition,
                progress=lambda done, n, c=condition: progress(f"eval {c}", done, n))
            evaluations.append({k: v for k, v in report.items() if k != "mistakes"})
    write_bundle(model, summary, evaluations, out, overwrite=True)
    if as_json:
        click.echo(json.dumps({**summary, "out": str(out), "evaluations": evaluations}))
    else:
        _print_summary(out, summary, evaluations)


@contextmanager
def _progress_bars():
    """Yield progress(phase, done, total): one rich bar per phase, on stderr, gone at the end."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, \
        TimeRemainingColumn

    columns = (TextColumn("{task.description:>14}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done)

        yield progress


def _print_summary(out: Path, summary: dict, evaluations: list[dict]) -> None:
    click.echo(f"wrote {out} in {summary['seconds']:.0f} s: {summary['train_crops']} crops, "
               f"held-out shape accuracy {summary['val_accuracy_exact']:.4f} exact / "
               f"{summary['val_accuracy_degraded']:.4f} degraded")
    for e in evaluations:
        click.echo(f"  {e['degradation']:>9}: agreement {e['agreement']:.4f} on "
                   f"{e['objects']} objects, {e['images_per_second']} images/s")
