"""`turbogen eval faithfulness`: draw a suite's prompts, read them back, score every fact."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .eval_cmd import eval_group

SHOWN_FAILURES = 10


@eval_group.command("faithfulness")
@click.option("--suite", default="dev", show_default=True, metavar="dev|heldout4|...|PATH",
              help="a bundled prompt suite (its 'reject' prompts are skipped: they have no "
                   "image), or a .jsonl file in the same format")
@click.option("--model", default=None, metavar="NAME|DIR",
              help="generator: a bundled name or a folder (default: text2img-shapes64)")
@click.option("--text-model", default=None, metavar="NAME|DIR",
              help="the model that draws the text mode (default: the bundled text-only "
                   "baseline text2img-shapes64-text if present, else --model without layout)")
@click.option("--mode", "modes", type=click.Choice(["layout", "text"]), multiple=True,
              help="layout: planner + layout maps + prompt embedding; text: the prompt "
                   "embedding alone. Repeat to choose; default both, in the same run.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="prompt i is planned and drawn with seed + i")
@click.option("--steps", type=click.IntRange(1, 1000), default=None,
              help="sampling steps (default: the model's)")
@click.option("--guidance", type=click.FloatRange(0, 50), default=None,
              help="classifier-free guidance scale (default: the model's)")
@click.option("--precision", type=click.Choice(["fp32", "bf16"]), default="fp32",
              show_default=True, help="bf16 autocast: faster on CPUs with bf16 units")
@click.option("--batch-size", type=click.IntRange(1, 1024), default=64, show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="score N prompts, taken round-robin across categories")
@click.option("--grid", "grid_path", type=click.Path(path_type=Path), metavar="FILE.png",
              help="also write a grid: a row per mode, one prompt per category per column")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object instead of a table")
@click.option("--failures", "all_failures", is_flag=True, help="list every failure")
def faithfulness(suite, model, text_model, modes, seed, steps, guidance, precision, batch_size, limit,
                 grid_path, as_json, all_failures) -> None:
    """Draw each prompt of a suite and count the images that show every fact it states.

    GenEval-style: the bundled verifier reads each image back (shapes, colours, sizes, counts,
    positions, background) and an image is correct only when every fact the suite records for
    its prompt holds. The same model draws each prompt twice, with the same noise: from the
    planner's ScenePlan (layout) and from the prompt's text embedding alone (text), as
    LLM-grounded Diffusion compares itself with its base model. Speed counts planning, text
    encoding, sampling and decoding; seconds to a correct image = seconds per image / accuracy.

    \b
    Examples:
      turbogen eval faithfulness
      turbogen eval faithfulness --suite heldout4 --json > faithfulness.json
      turbogen eval faithfulness --mode layout --steps 2 --limit 90 --grid grid.png
    """
    from ..eval.plan_suite import load_suite, take
    from ..pipelines.text2img import Text2Img
    from ..pipelines.text2img_model import DEFAULT_MODEL
    from ..pipelines.text2img_verify import load_verifier

    records = take(load_suite(suite), limit)
    if grid_path is not None:
        from .generate_cmd import check_png_path
        check_png_path(grid_path)
    modes = modes or ("layout", "text")
    pipe = Text2Img.load(model or DEFAULT_MODEL, precision=precision)
    text_model = text_model or _bundled_text_baseline(model)
    text_pipe = None
    if "text" in modes and text_model is not None:
        text_pipe = Text2Img.load(text_model, precision=precision)
    verifier = load_verifier()
    sampling = {"steps": steps, "guidance": guidance}
    report = _run_with_progress(pipe, text_pipe, records, verifier, modes, seed, batch_size,
                                sampling)
    images = report.pop("images")
    report = {"suite": suite, "model": model or DEFAULT_MODEL,
              "text_model": text_model or f"{model or DEFAULT_MODEL} (no layout)", "seed": seed,
              "steps": steps or pipe.config.steps, "sampler": pipe.config.sampler,
              "guidance": pipe.config.guidance if guidance is None else guidance,
              "precision": precision, "batch_size": batch_size, "threads": _threads(),
              **report}
    if grid_path is not None:
        _write_grid(grid_path, records, images)
        report["grid"] = str(grid_path)
    if as_json:
        click.echo(json.dumps(report if all_failures else _trimmed(report), indent=2))
    else:
        _print_table(report, all_failures)


def _bundled_text_baseline(model: str | None) -> str | None:
    """text2img-shapes64-text when the default model is evaluated and the baseline is bundled."""
    from ..pipelines.text2img_model import WEIGHTS_DIR
    name = "text2img-shapes64-text"
    if model is None and (WEIGHTS_DIR / name / "model.safetensors").is_file():
        return name
    return None


def _threads() -> int:
    import torch
    return torch.get_num_threads()


def _run_with_progress(pipe, text_pipe, records, verifier, modes, seed, batch_size,
                       sampling) -> dict:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from ..eval.faithfulness_eval import drawable, evaluate_faithfulness

    total = len(drawable(records))
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks = {m: bar.add_task(f"drawing ({m})", total=total) for m in modes}
        return evaluate_faithfulness(
            pipe, records, verifier, modes=modes, text_pipe=text_pipe, seed=seed,
            batch_size=batch_size,
            progress=lambda mode, done, _: bar.update(tasks[mode], completed=done), **sampling)


def _write_grid(path: Path, records, images) -> None:
    """The eval grid with each column's prompt written under it (PIL's built-in font)."""
    import textwrap

    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from ..eval.faithfulness_eval import drawable, grid_image, grid_picks
    from ..io_atomic import atomic_write_bytes
    from ..train.callbacks import png_bytes
    picks = grid_picks(records, 10)
    grid = grid_image(images, picks)
    band = 44                                   # 4 lines of the 11 px default font
    canvas = Image.new("RGB", (grid.shape[1], grid.shape[0] + band), "white")
    canvas.paste(Image.fromarray(grid), (0, 0))
    draw, font = ImageDraw.Draw(canvas), ImageFont.load_default()
    prompts = [drawable(records)[i]["prompt"] for i in picks]
    for c, prompt in enumerate(prompts):
        lines = textwrap.wrap(prompt, 21)[:4]
        draw.multiline_text((4 + c * 132, grid.shape[0]), "\n".join(lines), fill="black",
                            font=font, spacing=0)
    atomic_write_bytes(path, png_bytes(np.asarray(canvas)))


def _trimmed(report: dict) -> dict:
    out = json.loads(json.dumps(report))
    for row in out["modes"].values():
        row["failure_count"] = len(row["failures"])
        row["failures"] = row["failures"][:50]
    return out


def _print_table(report: dict, all_failures: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    modes = report["modes"]
    table = Table(title=f"faithfulness on suite {report['suite']} ({report['steps']} steps, "
                        f"{report['precision']}, batch {report['batch_size']})")
    table.add_column("category")
    table.add_column("n", justify="right")
    for mode in modes:
        table.add_column(mode, justify="right")
    first = next(iter(modes.values()))
    for category, row in first["per_category"].items():
        table.add_row(category, str(row["n"]),
                      *(f"{m['per_category'][category]['accuracy']:.1%}" for m in modes.values()))
    table.add_section()
    table.add_row("all", str(report["n"]), *(f"{m['accuracy']:.1%}" for m in modes.values()))
    table.add_row("images/s", "", *(str(m["images_per_second"]) for m in modes.values()))
    table.add_row("s to a correct image", "",
                  *(f"{m['seconds_to_correct_image']:.4f}" if m["seconds_to_correct_image"]
                    else "never" for m in modes.values()))
    console.print(table)
    if report.get("layout_vs_text") is not None:
        console.print(f"layout reaches a correct image {report['layout_vs_text']}x sooner "
                      "than text alone", highlight=False)
    for mode, row in modes.items():
        failures = row["failures"]
        shown = failures if all_failures else failures[:SHOWN_FAILURES]
        if shown:
            console.print(f"[bold]{mode}[/bold]: {len(failures)} failures", highlight=False)
        for f in shown:
            console.print(f"  {escape(f['id'])} {escape(repr(f['prompt']))}: "
                          f"{escape('; '.join(f['problems']))}", highlight=False, soft_wrap=True)
