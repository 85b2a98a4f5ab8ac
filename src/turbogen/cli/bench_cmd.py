"""`turbogen bench`: every acceleration recipe against the original model, in one run."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from .main import cli

# The rows a plain `turbogen bench` measures, besides the original. The first is the baseline
# users know (diffusers' scheduler loop); the second is the quality preset's sampler.
DEFAULT_RECIPES = (
    "steps=diffusers_flow_euler/8", "steps=flow_euler/50",
    "channels_last", "bf16", "int8", "onnx", "onnx-int8", "compile", "cache",
    "steps=flow_euler/4", "steps=flow_heun/3", "steps=flow_dpmpp/4", "steps=flow_dpmpp/3",
    "steps=flow_dpmpp/2",
    "steps=flow_dpmpp/4+bf16", "steps=flow_dpmpp/4+onnx", "steps=flow_dpmpp/4+onnx-int8",
    "steps=flow_dpmpp/3+bf16", "steps=flow_dpmpp/3+onnx-int8",
    "steps=flow_dpmpp/4+bf16+cache",
)
# ... and for a classic generator (GAN, DCGAN, VAE decoder) or our super-resolution network:
# every method that fits one
CLASSIC_RECIPES = ("channels_last", "bf16", "int8", "onnx", "onnx-int8", "compile")
SR_RECIPES = ("channels_last", "bf16", "onnx", "onnx-int8", "compile")
DEFAULT_BATCHES = {"text2img": "16,64", "classic": "64,512", "image": "8,32"}


def _batches(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if not values or any(not 1 <= v <= 1024 for v in values):
        raise InputError(f"--batches must be sizes from 1 to 1024 joined by commas, e.g. 16,64; "
                         f"got {text!r}")
    return values


@cli.command("bench")
@click.argument("model", required=False, default="text2img-shapes64", metavar="[MODEL]")
@click.option("-m", "--method", "recipes", multiple=True, metavar="RECIPE",
              help="A recipe to measure (methods joined by +); repeat. Default: a set of "
                   "every method and the best combinations (see the README).")
@click.option("--suite", default="dev", show_default=True, help="faithfulness prompt suite")
@click.option("--limit", type=click.IntRange(min=1), default=150, show_default=True,
              help="suite prompts scored per row, round-robin over categories")
@click.option("--batches", default=None,
              help="batch sizes tried for images/s (the best is reported); default 16,64 "
                   "(text-to-image), 64,512 (GAN/VAE generators), 8,32 (sr-xN, 64 px tiles)")
@click.option("--reps", type=click.IntRange(1, 50), default=3, show_default=True)
@click.option("--plot", "plot_path", type=click.Path(path_type=Path), metavar="FILE.png",
              help="write the speed-vs-faithfulness Pareto plot here")
@click.option("--choose-presets", is_flag=True,
              help="pick quality/balanced/fast/turbo from the rows and write presets.json "
                   "into MODEL's folder")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def bench(model, recipes, suite, limit, batches, reps, plot_path, choose_presets, as_json):
    """Measure each acceleration recipe side by side with the original MODEL.

    Per row: latency of one image, images/s at the best batch, peak memory, file size,
    faithfulness (layout mode of `turbogen eval faithfulness` on LIMIT suite prompts) and PSNR
    of its drawings against exact renders, with ratios to the original; rows are timed
    interleaved, so ratios hold on a busy machine. For a GAN, DCGAN or VAE generator
    (dcgan-mnist, vae-mnist, ...) the quality columns are instead domain FID and KID of the
    same number of draws as `turbogen eval model` (same seed for every row), and the PSNR of
    each row's draws against the original's; for sr-x2/3/4 they are the held-out photos'
    Y-PSNR/SSIM of `turbogen eval sr`, an image being one 64 px tile. --suite and --limit do
    not apply to either.

    \b
    Examples:
      turbogen bench --json > bench.json
      turbogen bench -m onnx -m steps=flow_dpmpp/4+bf16 --limit 60 --plot pareto.png
      turbogen bench --choose-presets --plot pareto.png
      turbogen bench -m student=text2img-shapes64-1step+bf16 -m steps=flow_euler/1+bf16
      turbogen bench dcgan-mnist --json --plot dcgan_pareto.png
      turbogen bench sr-x2 -m bf16 -m onnx-int8
    """
    from ..accel.registry import parse_recipe
    kind = _kind(model)
    if kind != "text2img":
        if choose_presets:
            raise InputError("--choose-presets picks text-to-image presets; a GAN/VAE "
                             "generator or an SR network has none")
        return _bench_other(model, kind, recipes, batches, reps, plot_path, as_json)
    from ..eval.plan_suite import load_suite, take
    batch_sizes = _batches(batches or DEFAULT_BATCHES["text2img"])
    recipes = list(recipes) or list(DEFAULT_RECIPES)
    if choose_presets:
        from ..accel.presets import QUALITY_RECIPE
        recipes = recipes if QUALITY_RECIPE in recipes else [QUALITY_RECIPE, *recipes]
    for recipe in recipes:
        parse_recipe(recipe)
    if plot_path is not None:
        from .generate_cmd import check_png_path
        check_png_path(plot_path)
    records = take(load_suite(suite), limit)
    report = _run(model, recipes, records, batch_sizes, reps)
    report["suite"] = suite
    if plot_path is not None:
        _write_plot(plot_path, report)
    if choose_presets:
        from ..accel.presets import choose_presets as choose, write_presets
        report["presets"] = choose(report)
        report["presets_file"] = str(write_presets(model, report["presets"], report))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_table(report)


def _kind(model: str) -> str:
    """"classic" (GAN/DCGAN/VAE), "image" (sr-xN) or "text2img", from MODEL's config.json."""
    from ..accel.generator import is_classic_folder
    from ..pipelines.model_folder import find_model_dir
    folder = find_model_dir(model)
    if folder is None:
        return "text2img"               # its loader says what is wrong with the name
    if is_classic_folder(folder):
        return "classic"
    try:
        kind = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        kind = None
    return "image" if kind == "srnet" else "text2img"


def _bench_other(model, kind, recipes, batches, reps, plot_path, as_json) -> None:
    """The classic-generator and super-resolution benches: the same rows, another metric."""
    from ..accel.registry import parse_recipe
    batch_sizes = _batches(batches or DEFAULT_BATCHES[kind])
    recipes = list(recipes) or list(CLASSIC_RECIPES if kind == "classic" else SR_RECIPES)
    for recipe in recipes:
        parse_recipe(recipe)
    if plot_path is not None:
        from .generate_cmd import check_png_path
        check_png_path(plot_path)
    if kind == "classic":
        from ..eval.classic_bench import run_classic_bench as run
    else:
        from ..eval.restore_bench import run_sr_bench as run
    report = _with_progress(lambda say: run(model, recipes, batches=batch_sizes, reps=reps,
                                            progress=say), (len(recipes) + 1) * (3 + reps))
    if plot_path is not None:
        what = f"{report['rows'][0]['n_samples']} draws, FID on {report['data']} classifier " \
            "features" if kind == "classic" else f"Y-PSNR on {len(report['images'])} held-out " \
            f"photos, {report['tile']} px tiles"
        _write_plot(plot_path, report, what)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    elif kind == "classic":
        _print_classic_table(report)
    else:
        _print_sr_table(report)


def _with_progress(job, stages: int) -> dict:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("bench", total=stages)
        return job(lambda what: bar.update(task, advance=1, description=what))


def _run(model, recipes, records, batch_sizes, reps) -> dict:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from ..eval.accel_bench import run_bench
    stages = (len(recipes) + 1) * (2 + reps)          # build, reps of timing, faithfulness
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("bench", total=stages)
        return run_bench(model, recipes, records, batches=batch_sizes, reps=reps,
                         progress=lambda what: bar.update(task, advance=1, description=what))


def _write_plot(path: Path, report: dict, what: str | None = None) -> None:
    from ..eval.pareto import pareto_png
    from ..io_atomic import atomic_write_bytes
    m = report["machine"]
    what = what or f"{report['n_prompts']} {report['suite']} prompts"
    title = (f"{report['model']}: {what}; "
             f"{m['cpu']}, {m['torch_threads']} threads (shared CPU, load {m['load_average'][0]})")
    atomic_write_bytes(path, pareto_png(report["rows"], title, report.get("quality",
                                                                         "faithfulness")))
    report["plot"] = str(path)


def _print_rows(report: dict, title: str, columns: tuple[str, ...], cells, better: str):
    """A rich table of the report's rows, Pareto rows starred; `cells(row)` gives every column
    after the recipe's name; text columns are left-aligned."""
    from rich.console import Console
    from rich.table import Table
    table = Table(title=title)
    for col in ("recipe", *columns):
        table.add_column(col, justify="left" if col in ("recipe", "backend") else "right")
    front = set(report["pareto"])
    for r in report["rows"]:
        table.add_row(("* " if r["name"] in front else "  ") + r["name"], *cells(r))
    console = Console()
    console.print(table)
    console.print(f"* on the Pareto front (no row is both faster and {better})")
    return console


def _print_table(report: dict) -> None:
    console = _print_rows(
        report, f"bench {report['model']} ({report['n_prompts']} {report['suite']} prompts; "
                f"{report['machine']['cpu']})",
        ("steps", "ms/img b1", "img/s", "x", "MB", "mem MB", "faithful", "Δ pts", "PSNR"),
        lambda r: (str(r["steps"]), f"{r['latency_ms']:.1f}",
                   f"{r['images_per_s']:.1f} @{r['best_batch']}", f"{r['speedup']:.2f}",
                   f"{r['size_mb']:.1f}", f"{r['peak_memory_mb']:.0f}",
                   f"{100 * r['faithfulness']:.1f}%", f"{r['faithfulness_delta_points']:+.1f}",
                   f"{r['psnr']:.1f}"), "more faithful")
    for name, preset in report.get("presets", {}).items():
        console.print(f"preset {name}: {preset['recipe'] or 'original'}")


def _print_classic_table(report: dict) -> None:
    _print_rows(
        report, f"bench {report['model']} ({report['kind']}; FID/KID of "
                f"{report['rows'][0]['n_samples']} draws on {report['data']} features; "
                f"{report['machine']['cpu']})",
        ("backend", "ms/img b1", "img/s", "x", "MB", "mem MB", "FID", "Δ FID", "KID",
         "PSNR vs orig"),
        lambda r: (r["backend"], f"{r['latency_ms']:.2f}",
                   f"{r['images_per_s']:.0f} @{r['best_batch']}", f"{r['speedup']:.2f}",
                   f"{r['size_mb']:.2f}", f"{r['peak_memory_mb']:.1f}", f"{r['fid']:.2f}",
                   f"{r['fid_delta']:+.2f}", f"{r['kid']:.2f}", f"{r['psnr_vs_original']:.1f}"),
        "lower in FID")


def _print_sr_table(report: dict) -> None:
    _print_rows(
        report, f"bench {report['model']} (x{report['scale']}; {report['tile']} px tiles; "
                f"Y-PSNR on {len(report['images'])} held-out photos; {report['machine']['cpu']})",
        ("backend", "ms/tile b1", "tiles/s", "x", "MB", "mem MB", "PSNR", "Δ dB", "SSIM"),
        lambda r: (r["backend"], f"{r['latency_ms']:.2f}",
                   f"{r['images_per_s']:.0f} @{r['best_batch']}", f"{r['speedup']:.2f}",
                   f"{r['size_mb']:.3f}", f"{r['peak_memory_mb']:.1f}", f"{r['psnr']:.3f}",
                   f"{r['psnr_delta_db']:+.3f}", f"{r['ssim']:.4f}"),
        "higher in PSNR")
