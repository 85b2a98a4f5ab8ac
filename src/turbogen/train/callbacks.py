"""Training callbacks: progress, EMA weights, sample grids, loss plot, checkpoints."""
from __future__ import annotations

import copy
import io
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

from ..io_atomic import atomic_write_bytes
from .checkpoint import (latest_checkpoint, load_checkpoint, optimizer_from_files,
                         optimizer_to_files, save_checkpoint)
from .loop import Callback, TrainState


class Progress(Callback):
    """A rich progress bar (loss, images/s) on a terminal; one line every `every_s` otherwise."""

    def __init__(self, description: str = "training", every_s: float = 30.0) -> None:
        self.description, self.every_s = description, every_s
        self.bar = self.task = None

    def on_train_start(self, trainer) -> None:
        self.t0, self.images0, self.last_print = time.perf_counter(), trainer.state.images, 0.0
        if sys.stderr.isatty():
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)
            self.bar = Bar(TextColumn(self.description), BarColumn(), MofNCompleteColumn(),
                           TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
                           TimeRemainingColumn(), transient=False)
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=trainer.max_steps,
                                          completed=trainer.state.step, info="")

    def info(self, trainer) -> str:
        seconds = time.perf_counter() - self.t0
        rate = (trainer.state.images - self.images0) / seconds if seconds > 0 else 0.0
        loss = trainer.state.losses[-1][1] if trainer.state.losses else trainer.last_loss
        return f"loss {loss:.4f}  {rate:.1f} img/s  {torch.get_num_threads()} threads"

    def on_step_end(self, trainer) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=trainer.state.step, info=self.info(trainer))
            return
        now = time.perf_counter()
        if now - self.last_print >= self.every_s:
            self.last_print = now
            print(f"{self.description}: step {trainer.state.step}/{trainer.max_steps}  "
                  f"{self.info(trainer)}  {trainer.state.seconds / 60:.1f} min",
                  file=sys.stderr, flush=True)

    def on_train_end(self, trainer) -> None:
        if self.bar is not None:
            self.bar.stop()
        print(f"{self.description}: stopped at step {trainer.state.step} ({trainer.stop_reason})"
              f"  {self.info(trainer)}  {trainer.state.seconds / 60:.1f} min",
              file=sys.stderr, flush=True)


class EMA(Callback):
    """Exponential moving average of the weights, with a warm-up so early steps count less
    (decay min(d, (1 + n) / (10 + n)), as in TensorFlow's ExponentialMovingAverage)."""

    checkpoint_name = "ema"

    def __init__(self, decay: float = 0.999) -> None:
        self.decay = decay
        self.shadow: dict[str, torch.Tensor] | None = None
        self._module = None

    def on_train_start(self, trainer) -> None:
        if self.shadow is None:
            self.shadow = {k: v.detach().float().clone()
                           for k, v in trainer.model.state_dict().items()}

    @torch.no_grad()
    def on_step_end(self, trainer) -> None:
        n = trainer.state.step
        decay = min(self.decay, (1 + n) / (10 + n))
        for key, value in trainer.model.state_dict().items():
            if value.dtype.is_floating_point:
                self.shadow[key].lerp_(value.float(), 1.0 - decay)
            else:
                self.shadow[key].copy_(value)

    def state_tensors(self) -> dict[str, torch.Tensor]:
        return self.shadow

    def load_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        self.shadow = {k: v.float().clone() for k, v in tensors.items()}

    def module(self, model: torch.nn.Module) -> torch.nn.Module:
        """A copy of `model` holding the averaged weights, in eval mode."""
        if self._module is None:
            self._module = copy.deepcopy(model)
        self._module.load_state_dict(self.shadow)
        return self._module.eval()


def eval_model(trainer) -> torch.nn.Module:
    """The EMA weights when an EMA callback runs, else the live model."""
    ema = trainer.callback(EMA)
    return ema.module(trainer.model) if ema is not None else trainer.model.eval()


def png_bytes(image: np.ndarray) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


class SampleGrid(Callback):
    """Every `every` steps and at the end, `sample_fn(model) -> (H, W, 3) uint8` as a PNG in
    `folder/samples/step-N.png`, and the newest also as `folder/samples.png`."""

    def __init__(self, folder: str | Path, sample_fn, every: int) -> None:
        self.folder, self.sample_fn, self.every = Path(folder), sample_fn, every

    def write(self, trainer) -> None:
        image = self.sample_fn(eval_model(trainer))
        data = png_bytes(image)
        (self.folder / "samples").mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.folder / "samples" / f"step-{trainer.state.step:07d}.png", data)
        atomic_write_bytes(self.folder / "samples.png", data)

    def on_step_end(self, trainer) -> None:
        if self.every and trainer.state.step % self.every == 0:
            self.write(trainer)

    def on_train_end(self, trainer) -> None:
        self.write(trainer)


def plot_curves(curves: dict[str, list], title: str, ylabel: str = "loss",
                log: bool = False) -> bytes:
    """A PNG of (step, value) curves, one per label; a legend when there are several."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    drawn = {label: points for label, points in curves.items() if points}
    for label, points in drawn.items():
        ax.plot(*zip(*points), linewidth=1, label=label)
    if log and drawn:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if len(curves) > 1 and drawn:
        ax.legend()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def plot_losses(state: TrainState, title: str = "training loss") -> bytes:
    """The training loss (MSE) on a log scale."""
    return plot_curves({"loss": state.losses}, title, "loss (MSE)", log=True)


class LossPlot(Callback):
    """`folder/loss_curve.png`, redrawn every `every` steps and at the end; `plot(state)`
    draws it (default: the training loss)."""

    def __init__(self, folder: str | Path, every: int, title: str = "training loss",
                 plot=None) -> None:
        self.folder, self.every, self.title = Path(folder), every, title
        self.plot = plot or (lambda state: plot_losses(state, self.title))

    def on_step_end(self, trainer) -> None:
        if self.every and trainer.state.step % self.every == 0:
            self.on_train_end(trainer)

    def on_train_end(self, trainer) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.folder / "loss_curve.png", self.plot(trainer.state))


class Checkpointing(Callback):
    """Saves model, optimizer, callback state (EMA) and TrainState every `every_steps` steps
    or `every_s` seconds and at the end; `restore` resumes from the newest one."""

    def __init__(self, folder: str | Path, every_steps: int = 0, every_s: float = 600.0,
                 meta: dict | None = None) -> None:
        self.folder, self.every_steps, self.every_s = Path(folder), every_steps, every_s
        self.meta = meta or {}
        self.last_save = time.perf_counter()

    def on_train_start(self, trainer) -> None:
        self.last_save = time.perf_counter()     # time spent before training is not training

    def save(self, trainer) -> Path:
        opt_tensors, opt_meta = optimizer_to_files(trainer.optimizer)
        tensors = {"model": trainer.model.state_dict(), "optimizer": opt_tensors,
                   "rng": {"torch": torch.get_rng_state()}}
        for cb in trainer.callbacks:
            if hasattr(cb, "checkpoint_name"):
                tensors[cb.checkpoint_name] = cb.state_tensors()
        meta = {"state": trainer.state.to_dict(), "optimizer": opt_meta, **self.meta}
        self.last_save = time.perf_counter()
        return save_checkpoint(self.folder, trainer.state.step, tensors, meta)

    def restore(self, trainer) -> bool:
        """Load the newest checkpoint into `trainer`; False when there is none."""
        path = latest_checkpoint(self.folder)
        if path is None:
            return False
        tensors, meta = load_checkpoint(path)
        trainer.model.load_state_dict(tensors["model"])
        trainer.optimizer.load_state_dict(optimizer_from_files(tensors.get("optimizer", {}),
                                                               meta["optimizer"]))
        for cb in trainer.callbacks:
            if hasattr(cb, "checkpoint_name") and cb.checkpoint_name in tensors:
                cb.load_state_tensors(tensors[cb.checkpoint_name])
        if "rng" in tensors:
            torch.set_rng_state(tensors["rng"]["torch"])
        trainer.state = TrainState.from_dict(meta["state"])
        return True

    def on_step_end(self, trainer) -> None:
        due_steps = self.every_steps and trainer.state.step % self.every_steps == 0
        due_time = time.perf_counter() - self.last_save >= self.every_s
        if due_steps or due_time:
            self.save(trainer)

    def on_train_end(self, trainer) -> None:
        self.save(trainer)


class ThreadTuner(Callback):
    """Keeps the faster of 1 and N CPU threads, re-checked every `every` steps.

    On a shared machine two threads can be 2-4x slower than one (OpenMP threads wait for a
    descheduled sibling at every barrier); on an idle one they are ~1.8x faster. So every
    `every` steps it times `window` steps at the current count, then `window` at the other,
    and keeps the lower median step time. Inactive on CUDA or when OMP_NUM_THREADS is set.
    """

    def __init__(self, every: int = 200, window: int = 6) -> None:
        self.every, self.window = every, window
        self.counts = (1, torch.get_num_threads())
        self.active = self.counts[1] > 1 and "OMP_NUM_THREADS" not in os.environ
        self.phase = "idle"                     # idle -> measure -> probe -> idle
        self.next_check = 2
        self.times: dict[int, list[float]] = {}
        self.last = 0.0

    def on_train_start(self, trainer) -> None:
        self.active = self.active and trainer.device.type == "cpu"
        self.last = time.perf_counter()
        self.next_check = trainer.state.step + 2          # first check right after warm-up
        if self.active and trainer.state.extra.get("threads") in self.counts:
            torch.set_num_threads(trainer.state.extra["threads"])    # a resumed run's choice

    def on_step_end(self, trainer) -> None:
        now = time.perf_counter()
        dt, self.last = now - self.last, now
        if not self.active:
            return
        threads = torch.get_num_threads()
        if self.phase == "idle":
            if trainer.state.step >= self.next_check:
                self.phase, self.times = "measure", {}
            return
        self.times.setdefault(threads, []).append(dt)
        if len(self.times[threads]) < self.window:
            return
        if self.phase == "measure":
            other = self.counts[0] if threads != self.counts[0] else self.counts[1]
            torch.set_num_threads(other)
            self.phase = "probe"
            return
        medians = {n: sorted(v)[len(v) // 2] for n, v in self.times.items()}
        best = min(medians, key=medians.get)
        torch.set_num_threads(best)
        trainer.state.extra["threads"] = best
        self.phase, self.next_check = "idle", trainer.state.step + self.every
