"""Presets for `generate --preset`: named recipes chosen by a bench run, kept with the model.

quality   the full fp32 model with a 50-step Euler sampler
balanced  the fastest row at least as faithful as quality
fast      the fastest row within 1 point of quality's faithfulness
turbo     the fastest row within 2 points of quality's faithfulness
Every preset also draws within MAX_PSNR_DROP_DB of quality's PSNR against the exact renders
(bench's psnr column): faithfulness saturates early (one plain Euler step still has every fact
right, blurred), and a preset should not trade away the picture for speed unseen.
"Fastest" is images/s at the best batch. Rows that need minutes at load (compile, which
compiles per batch size) or a calibration run (onnx-int8) are not eligible: a preset is
rebuilt from its recipe every time `generate` loads it.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..io_atomic import atomic_write_text

QUALITY_RECIPE = "steps=flow_euler/50"
PRESETS = ("quality", "balanced", "fast", "turbo")
ALLOWED_POINTS = {"balanced": 0.0, "fast": 1.0, "turbo": 2.0}
SLOW_TO_LOAD = ("compile", "onnx-int8")
MAX_PSNR_DROP_DB = 2.0
FILE = "presets.json"


def choose_presets(report: dict) -> dict[str, dict]:
    rows = {r["name"]: r for r in report["rows"]}
    if QUALITY_RECIPE not in rows:
        raise InputError(f"choosing presets needs the {QUALITY_RECIPE} row in the bench")
    quality = rows[QUALITY_RECIPE]
    eligible = [r for r in rows.values()
                if not any(m.split("=")[0] in SLOW_TO_LOAD for m in r["methods"])]
    chosen = {"quality": quality}
    for name, points in ALLOWED_POINTS.items():
        ok = [r for r in eligible if 100 * (quality["faithfulness"] - r["faithfulness"])
              <= points + 1e-9 and sharp_enough(r, quality)]
        chosen[name] = max(ok, key=lambda r: r["images_per_s"])
    return {name: {"recipe": "" if r["name"] == "original" else r["name"],
                   "images_per_s": r["images_per_s"], "latency_ms": r["latency_ms"],
                   "faithfulness": r["faithfulness"], "psnr": r.get("psnr"),
                   "speedup_vs_quality": round(r["images_per_s"] / quality["images_per_s"], 2)}
            for name, r in chosen.items()}


def sharp_enough(row: dict, quality: dict) -> bool:
    """Within MAX_PSNR_DROP_DB of quality's PSNR (reports from before the column pass)."""
    if row.get("psnr") is None or quality.get("psnr") is None:
        return True
    return row["psnr"] >= quality["psnr"] - MAX_PSNR_DROP_DB


def write_presets(model: str, presets: dict, report: dict) -> Path:
    from ..pipelines.text2img_model import resolve_model_dir
    path = resolve_model_dir(model) / FILE
    record = {"chosen_by": "turbogen bench --choose-presets", "suite": report.get("suite"),
              "n_prompts": report["n_prompts"], "machine": report["machine"],
              "presets": presets}
    atomic_write_text(path, json.dumps(record, indent=2) + "\n")
    return path


def preset_recipe(model: str, name: str) -> str:
    """The recipe stored for preset `name` beside `model`; InputError when there is none."""
    from ..pipelines.text2img_model import resolve_model_dir
    path = resolve_model_dir(model) / FILE
    if not path.is_file():
        raise InputError(f"model {model} has no {FILE}: run `turbogen bench {model} "
                         "--choose-presets` to choose presets for it")
    try:
        presets = json.loads(path.read_text(encoding="utf-8"))["presets"]
        return presets[name]["recipe"]
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{path} has no preset {name!r}; it holds "
                         f"{', '.join(presets) if isinstance(presets, dict) else 'none'}") \
            from None


def load_preset(model: str, name: str):
    """`model` (a folder or bundled name) with preset `name`'s recipe applied: an AccelModel."""
    from .folder import load_accelerated
    from .registry import apply_recipe
    recipe = preset_recipe(model, name)
    base = load_accelerated(model)
    return apply_recipe(base, recipe) if recipe else base
