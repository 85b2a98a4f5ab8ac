"""Acceleration side by side: each recipe against the original, measured in one run.

Rows are recipes (accel/registry.py) applied to the same loaded model; "" is the original at
its own sampler and steps. Speed is timed rep by rep with the rows interleaved, so a busy shared
CPU slows every row alike and the ratios hold up better than the absolute numbers.
- latency: one prompt with a fixed plan, encode + sample + decode (the planner is the same for
  every row and is left out), median over reps, batch 1;
- images/s: the best over `batches`, same phases, median over reps;
- peak memory: the largest rise of resident memory (CPU, sampled every 5 ms) or of CUDA's
  allocator during the largest batch;
- size: the files `turbogen accel` writes for the row;
- faithfulness: eval/faithfulness_eval.py's layout mode on the suite subset;
- psnr / shape_iou: how cleanly the row draws the timing plans, against their exact renders
  (eval/image_metrics.py). Faithfulness asks "is every fact there?" and saturates early: one
  Euler step is still faithful but blurry, which these two numbers see.
"""
from __future__ import annotations

import platform
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import torch

from ..pipelines.text2img import Text2Img


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * 4096


class PeakMemory:
    """Context manager: the largest rise of memory above its value at entry, in bytes."""

    def __enter__(self):
        self.cuda = torch.cuda.is_available()
        if self.cuda:
            torch.cuda.reset_peak_memory_stats()
            self.start = torch.cuda.memory_allocated()
            return self
        self.start = self.peak = _rss_bytes()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def _watch(self) -> None:
        while not self.stop.wait(0.005):
            self.peak = max(self.peak, _rss_bytes())

    def __exit__(self, *exc) -> None:
        if self.cuda:
            self.rise = torch.cuda.max_memory_allocated() - self.start
            return
        self.stop.set()
        self.thread.join()
        self.rise = max(self.peak, _rss_bytes()) - self.start


def folder_size(model) -> int:
    """Bytes of the files `turbogen accel` would write for this AccelModel."""
    from ..accel.folder import save_accelerated
    with tempfile.TemporaryDirectory() as tmp:
        files = save_accelerated(Path(tmp) / "m", model)
        return sum(f.stat().st_size for f in files if f.suffix in (".onnx", ".safetensors"))


def _time_call(pipe: Text2Img, prompts, plans, seed: int) -> float:
    start = time.perf_counter()
    pipe(prompts, plans=plans, seed=seed, batch_size=len(prompts))
    return time.perf_counter() - start


def time_rows(pipes: dict[str, Text2Img], prompts, plans, *, batches=(16, 64), reps: int = 3,
              progress: Callable[[str], None] | None = None) -> dict[str, dict]:
    """Latency at batch 1 and images/s per batch size, rows interleaved within each rep."""
    def drawer(pipe):
        return lambda start, n, seed: _time_call(pipe, prompts[start:start + n],
                                                 plans[start:start + n], seed)
    return time_draws({name: drawer(pipe) for name, pipe in pipes.items()}, batches=batches,
                      reps=reps, singles=min(3, len(prompts)), progress=progress)


def time_draws(draws: dict[str, Callable[[int, int, int], object]], *, batches=(16, 64),
               reps: int = 3, singles: int = 3, progress: Callable[[str], None] | None = None
               ) -> dict[str, dict]:
    """Latency at batch 1 (median of `singles` draws per rep) and images/s per batch size of
    each row's `draw(start, n, seed)` (inputs start .. start + n - 1 drawn with `seed`), rows
    interleaved within each rep."""
    def timed(draw, start, n, seed) -> float:
        begin = time.perf_counter()
        draw(start, n, seed)
        return time.perf_counter() - begin

    for draw in draws.values():                            # warm-up: lazy loads, compiles
        for b in (1, *batches):
            draw(0, b, 0)
    single = {name: [] for name in draws}
    per_batch = {name: {b: [] for b in batches} for name in draws}
    for rep in range(reps):
        for name, draw in draws.items():
            single[name] += [timed(draw, i, 1, i) for i in range(singles)]
            for b in batches:
                per_batch[name][b].append(timed(draw, 0, b, rep))
            if progress is not None:
                progress(name)
    out = {}
    for name, draw in draws.items():
        speeds = {b: b / statistics.median(ts) for b, ts in per_batch[name].items()}
        best = max(speeds, key=speeds.get)
        with PeakMemory() as mem:
            draw(0, max(batches), 0)
        out[name] = {"latency_ms": round(1000 * statistics.median(single[name]), 2),
                     "images_per_s": round(speeds[best], 2), "best_batch": best,
                     "images_per_s_by_batch": {str(b): round(s, 2) for b, s in speeds.items()},
                     "peak_memory_mb": round(mem.rise / 2 ** 20, 1)}
    return out


def draw_quality(pipe: Text2Img, prompts, plans, seed: int = 0) -> dict[str, float]:
    """PSNR (dB) and shape IoU of the row's drawings of `plans` against their exact renders."""
    from .image_metrics import batch_metrics
    images = pipe(prompts, plans=plans, seed=seed, batch_size=len(plans)).images
    metrics = batch_metrics(images, plans)
    return {"psnr": round(metrics["psnr"], 2), "shape_iou": round(metrics["shape_iou"], 4)}


def machine() -> dict:
    """Where the numbers were taken: CPU, threads, load, library versions."""
    import importlib.metadata as md
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("turbogen", "torch", "onnxruntime", "onnx", "openvino", "diffusers", "numpy"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    import os
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "versions": versions}


def accel_rows(base, recipes: list[str], progress: Callable[[str], None]) -> dict:
    """An AccelModel per recipe ("" = `base` itself), every recipe's names checked before
    minutes of work; shared by the text2img, generator and SR benches."""
    from ..accel.registry import apply_recipe, parse_recipe
    for recipe in recipes:
        if recipe:
            parse_recipe(recipe)
    rows = {}
    for recipe in recipes:
        progress(recipe or "original")
        rows[recipe or "original"] = apply_recipe(base, recipe) if recipe else base
    return rows


def add_ratios(rows: list[dict]) -> None:
    """Each row's speed-ups (images/s, batch-1 latency) over the first row, the original."""
    first = rows[0]
    for row in rows:
        row["speedup"] = round(row["images_per_s"] / first["images_per_s"], 2)
        row["latency_speedup"] = round(first["latency_ms"] / row["latency_ms"], 2)


def build_rows(model: str, recipes: list[str], *, planner=None,
               progress: Callable[[str], None] | None = None) -> dict[str, tuple]:
    """(AccelModel, pipeline) per recipe ("" = the original), from one loaded model, planner."""
    from ..accel.folder import load_accelerated
    rows = accel_rows(load_accelerated(model), recipes, progress or (lambda _: None))
    return {name: (accel, Text2Img.from_accel(accel, planner=planner))
            for name, accel in rows.items()}


def run_bench(model: str, recipes: list[str], records: list[dict], *, batches=(16, 64),
              reps: int = 3, seed: int = 0, progress: Callable[[str], None] | None = None) -> dict:
    """Every row's speed, memory, size and faithfulness, plus ratios to the original."""
    from ..data.shapes_sampler import sample_example
    from ..pipelines.text2img_verify import load_verifier
    from ..plan.registry import make_planner
    from .faithfulness_eval import drawable, evaluate_faithfulness
    say = progress or (lambda _: None)
    recipes = [""] + [r for r in recipes if r]
    rows = build_rows(model, recipes, planner=make_planner("default"),
                      progress=lambda name: say(f"building {name}"))
    examples = [sample_example(seed + 777, i) for i in range(max(batches))]
    prompts, plans = [e.caption.text for e in examples], [e.plan for e in examples]
    pipes = {name: pipe for name, (_, pipe) in rows.items()}
    speed = time_rows(pipes, prompts, plans, batches=batches, reps=reps,
                      progress=lambda name: say(f"timing {name}"))
    verifier = load_verifier()
    out = []
    for name, (accel, pipe) in rows.items():
        say(f"faithfulness {name}")
        report = evaluate_faithfulness(pipe, records, verifier, modes=("layout",), seed=seed,
                                       batch_size=max(batches))
        out.append({"name": name, "methods": list(accel.methods), "backend": accel.backend,
                    "sampler": accel.config.sampler, "steps": accel.config.steps,
                    **speed[name], "size_mb": round(folder_size(accel) / 1e6, 2),
                    "faithfulness": report["modes"]["layout"]["accuracy"],
                    **draw_quality(pipe, prompts, plans, seed)})
    add_ratios(out)
    base = out[0]
    for row in out:
        row["faithfulness_delta_points"] = round(100 * (row["faithfulness"]
                                                        - base["faithfulness"]), 2)
        row["psnr_delta_db"] = round(row["psnr"] - base["psnr"], 2)
    from .pareto import pareto_front
    return {"model": model, "n_prompts": len(drawable(records)), "batches": list(batches),
            "reps": reps, "machine": machine(), "rows": out, "pareto": pareto_front(out)}
