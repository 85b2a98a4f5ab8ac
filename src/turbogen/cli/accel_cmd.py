"""`turbogen accel MODEL --method NAME -o OUT`: write a faster copy of a model."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..accel.registry import describe
from ..errors import InputError
from .main import cli


@cli.command("accel", epilog="\b\nMethods:\n" + describe())
@click.argument("model", required=False, metavar="MODEL")
@click.option("-m", "--method", "methods", multiple=True, metavar="NAME[=ARG]",
              help="A method (or methods joined by +); repeat to chain, applied in order.")
@click.option("-o", "--out", type=click.Path(path_type=Path), metavar="DIR",
              help="Folder to create: config.json + model.safetensors or model.onnx.")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty OUT.")
@click.option("--list", "list_", is_flag=True, help="List the methods and exit.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def accel(model, methods, out, overwrite, list_, as_json):
    """Make MODEL (a folder or bundled name) faster; sample it with `generate --model OUT`
    (text-to-image) or `sample OUT` / `eval model OUT` (GAN, DCGAN, VAE generators).

    \b
    Examples:
      turbogen accel text2img-shapes64 --method onnx -o fast/
      turbogen accel text2img-shapes64 -m steps=flow_dpmpp/4 -m onnx-int8 -o turbo/
      turbogen accel dcgan-mnist -m onnx-int8 -o dcgan-int8/
      turbogen accel --list
    """
    if list_:
        click.echo(describe())
        return
    if model is None or not methods or out is None:
        raise InputError("give MODEL, at least one --method and -o OUT; see `turbogen accel "
                         "--list` for the methods")
    from ..accel.registry import parse_recipe
    from ..io_atomic import check_directory_target
    for recipe in methods:        # names checked before anything is loaded
        parse_recipe(recipe)
    check_directory_target(out, overwrite)
    import time

    from ..accel.folder import load_accelerated, save_accelerated
    from ..accel.registry import apply_recipe
    start = time.perf_counter()
    result = apply_recipe(load_accelerated(model), list(methods))
    files = save_accelerated(out, result, overwrite=overwrite, card=_card(model, result))
    sampling = {"sampler": result.config.sampler, "steps": result.config.steps} \
        if result.kind == "text2img" else {"kind": result.classic.kind}
    report = {"model": str(model), "out": str(out), "methods": list(result.methods),
              "backend": result.backend, **sampling,
              "seconds": round(time.perf_counter() - start, 2),
              "files": {f.name: f.stat().st_size for f in files}}
    if as_json:
        click.echo(json.dumps(report))
    else:
        size = sum(report["files"].values()) / 1e6
        how = f"{result.config.sampler} x {result.config.steps} steps" \
            if result.kind == "text2img" else f"{result.classic.kind} generator"
        click.echo(f"wrote {out} ({' + '.join(result.methods)}; {result.backend}, {how}; "
                   f"{size:.1f} MB) in {report['seconds']} s", err=True)


def _card(model: str, result) -> str:
    if result.kind == "classic":
        return (f"# {Path(str(model)).name}, accelerated\n\n"
                f"Made by `turbogen accel {model} {' '.join('-m ' + m for m in result.methods)}`."
                f"\nA {result.classic.kind} generator running on {result.backend}. `turbogen "
                "bench --model` measures its speed and domain FID against the original.\n")
    return (f"# {Path(str(model)).name}, accelerated\n\n"
            f"Made by `turbogen accel {model} {' '.join('-m ' + m for m in result.methods)}`.\n"
            f"Runs on {result.backend}; samples with {result.config.sampler} in "
            f"{result.config.steps} steps. `turbogen bench` measures its speed and faithfulness "
            "against the original.\n")
