"""`turbogen generate`: prompt(s) or a plan -> 64 x 64 PNG(s). Thin: pipelines/text2img does it."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError
from .main import cli

PLANNER_CHOICES = ("default", "smollm2", "openai")


def read_prompts(path: str) -> list[str]:
    """Non-empty UTF-8 lines of a prompt file; anything else is an error naming the line."""
    from .plan_cmd import read_prompt_lines
    prompts = []
    for number, line in enumerate(read_prompt_lines(path), start=1):
        if isinstance(line, InputError):       # an image per line: one bad line stops all
            raise InputError(f"{path}, {line}") from None
        if not line.strip():
            raise InputError(f"{path}, line {number} is empty; write one prompt per line")
        prompts.append(line.strip())
    return prompts


def read_plan(path: str):
    from ..errors import PlanError
    from ..plan.scene_plan import ScenePlan
    file = Path(path)
    if not file.is_file():
        raise InputError(f"plan file {path} does not exist (or is not a file)")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read plan file {path}: {err}") from None
    try:
        return ScenePlan.from_json(text)
    except PlanError as err:
        raise PlanError(f"plan file {path}: {err}") from None


def check_png_path(path: Path) -> None:
    from ..io_atomic import check_writable
    if path.suffix.lower() != ".png":
        raise InputError(f"-o {path}: the output is a PNG file; give a name ending in .png")
    if path.is_dir():
        raise InputError(f"-o {path} is a folder; give a file name ending in .png")
    check_writable(path)


@cli.command("generate")
@click.argument("prompt", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE.png",
              help="Where to write the image (with PROMPT or --plan).")
@click.option("--file", "file_", metavar="FILE", help="Draw every line of FILE (with --out DIR).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), metavar="DIR",
              help="With --file: folder to create, receiving 0000.png, 0001.png, ...")
@click.option("--overwrite", is_flag=True, help="With --file: replace a non-empty --out DIR.")
@click.option("--plan", "plan_file", metavar="PLAN.json",
              help="Draw this ScenePlan (JSON) instead of planning a prompt.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Same seed, same bytes. Line i of --file uses seed + i.")
@click.option("--steps", type=click.IntRange(1, 1000), default=None,
              help="Sampling steps (default: the model's, 8).")
@click.option("--guidance", type=click.FloatRange(0, 50), default=None,
              help="Classifier-free guidance scale; 1 = off (default: the model's).")
@click.option("--sampler", default=None, help="flow_euler, flow_heun or flow_dpmpp (flow models), ddim "
                                              "(eps models); default: the model's.")
@click.option("--planner", type=click.Choice(PLANNER_CHOICES), default="default",
              show_default=True, help="Which planner turns prompts into ScenePlans.")
@click.option("--model", "model", default="text2img-shapes64", show_default=True,
              metavar="PATH|NAME", help="A model folder or the name of a bundled model.")
@click.option("--verify", type=click.IntRange(min=1), default=None, metavar="N",
              help="Draw up to N candidates per image; keep the first the verifier accepts.")
@click.option("--precision", type=click.Choice(["fp32", "bf16"]), default="fp32",
              show_default=True, help="bf16: 2.3x faster on CPUs with native bf16 (AVX-512 BF16, "
                                      "AMX), same quality, but a batch's images then differ from "
                                      "single runs by a level or two.")
@click.option("--preset", type=click.Choice(["quality", "balanced", "fast", "turbo"]),
              default=None, help="A speed/quality preset stored with the model (presets.json, "
                                 "chosen by `turbogen bench --choose-presets`): quality = 50 "
                                 "steps; turbo = fastest within 2 points of its faithfulness.")
@click.option("--batch-size", type=click.IntRange(1, 1024), default=16, show_default=True)
@click.option("--json", "as_json", is_flag=True,
              help="Print plan, seed, file and timings as JSON (one line per image).")
def generate(prompt, output, file_, out_dir, overwrite, plan_file, seed, steps, guidance,
             sampler, planner, model, verify, precision, preset, batch_size, as_json):
    """Draw a prompt (or a ScenePlan) as a 64 x 64 image.

    \b
    Examples:
      turbogen generate "three small red stars above a large blue circle on black" -o out.png
      turbogen generate --file prompts.txt --out images/
      turbogen generate --plan plan.json -o plan.png --steps 16
      turbogen generate "two green diamonds on gray" -o g.png --verify 4 --json
    """
    sources = sum(x is not None for x in (prompt, file_, plan_file))
    if sources != 1:
        raise InputError("give exactly one of PROMPT, --file FILE or --plan PLAN.json; "
                         "see `turbogen generate --help`")
    if file_ is not None:
        if out_dir is None or output is not None:
            raise InputError("--file writes a folder: give --out DIR (not -o)")
        prompts, plans = read_prompts(file_), None
    else:
        if output is None or out_dir is not None:
            raise InputError("give the image's file name with -o FILE.png")
        check_png_path(output)
        prompts = [prompt] if prompt is not None else None
        plans = [read_plan(plan_file)] if plan_file is not None else None
    if prompt is not None and not prompt.strip():
        raise InputError("the prompt is empty; describe the scene, e.g. \"a red circle\"")
    if preset is not None and precision != "fp32":
        raise InputError("--preset already chooses the precision; drop --precision")
    result, reports = _run(prompts, plans, model=model, planner=planner, precision=precision,
                           preset=preset,
                           seed=seed, steps=steps, guidance=guidance, sampler=sampler,
                           batch_size=batch_size, verify=verify)
    files = _write(result.images, output, out_dir, overwrite)
    _report(result, reports, prompts, files, as_json)


def _run(prompts, plans, *, model, planner, precision, preset, seed, verify, **kwargs):
    from ..pipelines.text2img import Text2Img
    if preset is None:
        pipe = Text2Img.load(model, planner=planner, precision=precision)
    else:
        from ..accel.presets import load_preset
        from ..plan.registry import make_planner
        pipe = Text2Img.from_accel(load_preset(model, preset), planner=make_planner(planner))
    if verify is None:
        return pipe(prompts, plans=plans, seed=seed, **kwargs), None
    from ..pipelines.text2img_verify import generate_verified
    return generate_verified(pipe, prompts, plans=plans, seed=seed, candidates=verify, **kwargs)


def _write(images, output: Path | None, out_dir: Path | None, overwrite: bool) -> list[str]:
    """PNGs written whole or not at all: one atomic file, or one atomic folder."""
    from ..data.shapes_render import png_bytes
    from ..io_atomic import atomic_directory, atomic_write_bytes
    if output is not None:
        atomic_write_bytes(output, png_bytes(images[0]))
        return [str(output)]
    names = [f"{i:04d}.png" for i in range(len(images))]
    with atomic_directory(out_dir, overwrite=overwrite) as tmp:
        for name, image in zip(names, images):
            (tmp / name).write_bytes(png_bytes(image))
    return [str(out_dir / name) for name in names]


def _report(result, reports, prompts, files, as_json: bool) -> None:
    for note in dict.fromkeys(result.notes):
        click.echo(f"note: {note}", err=True)
    if not as_json:
        t = result.timings
        click.echo(f"wrote {files[0] if len(files) == 1 else f'{len(files)} images'} "
                   f"(plan {t['plan']:.3f} s, encode {t['encode']:.3f} s, "
                   f"sample {t['sample']:.3f} s, decode {t['decode']:.3f} s)", err=True)
        return
    timings = {k: round(v, 4) for k, v in result.timings.items()}
    for i, file in enumerate(files):
        record = {"file": file, "seed": result.seeds[i], "plan": result.plans[i].to_dict()}
        if prompts is not None:
            record["prompt"] = prompts[i]
        if reports is not None:
            record["verify"] = reports[i].to_dict()
        record["timings"] = timings
        click.echo(json.dumps(record))
