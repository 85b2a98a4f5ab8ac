"""One training loop for every model: it knows nothing of the model (minGPT's trainer).

A recipe hands it a module, an optimizer, a batch source and a loss function; logging, EMA,
sample grids, plots and checkpoints are callbacks. The classic GAN / VAE recipes reuse it by
overriding `train_step` (several optimizers) and keep the rest.
"""
from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field

import torch


@dataclass
class TrainState:
    """Everything that must survive an interruption besides the tensors."""
    step: int = 0
    images: int = 0
    seconds: float = 0.0                         # training time so far, across resumes
    losses: list[tuple[int, float]] = field(default_factory=list)   # (step, mean loss)
    extra: dict = field(default_factory=dict)    # callbacks' own small state (JSON-able)

    def to_dict(self) -> dict:
        return {"step": self.step, "images": self.images, "seconds": round(self.seconds, 3),
                "losses": [[s, round(v, 6)] for s, v in self.losses], "extra": self.extra}

    @classmethod
    def from_dict(cls, data: dict) -> "TrainState":
        return cls(step=int(data["step"]), images=int(data["images"]),
                   seconds=float(data["seconds"]),
                   losses=[(int(s), float(v)) for s, v in data.get("losses", [])],
                   extra=dict(data.get("extra", {})))


class Callback:
    """Hooks; `trainer` gives access to model, optimizer, state and the last loss."""

    def on_train_start(self, trainer: "Trainer") -> None: ...
    def on_step_end(self, trainer: "Trainer") -> None: ...
    def on_train_end(self, trainer: "Trainer") -> None: ...


def pick_device() -> torch.device:
    """CUDA when present, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def autocast_for(device: torch.device, dtype: torch.dtype | None):
    """bf16 autocast context for `device` (measured 1.7x faster training on this AVX-512 CPU)."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def batch_size(batch) -> int:
    """Examples in a batch: a tensor, a tuple/list whose first item is one, or a dict of them."""
    if isinstance(batch, dict):
        batch = next(iter(batch.values()))
    elif isinstance(batch, (tuple, list)):
        batch = batch[0]
    return len(batch)


class Trainer:
    """Minimises `loss_fn(model, batch)` on `batches(step)` until a step or time limit.

    `batches(step)` returns the batch for a step, so a resumed run continues the data stream.
    `lr_schedule(step, progress)` scales each parameter group's initial learning rate;
    progress (0..1) follows whichever limit, steps or time, will stop the run first. The loss is
    averaged over `log_every` steps into `state.losses`.
    """

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, batches,
                 loss_fn, *, max_steps: int, max_seconds: float = math.inf,
                 callbacks: list[Callback] = (), device: torch.device | None = None,
                 amp_dtype: torch.dtype | None = None, grad_clip: float | None = 1.0,
                 lr_schedule=None, log_every: int = 10, state: TrainState | None = None) -> None:
        self.model, self.optimizer, self.batches, self.loss_fn = model, optimizer, batches, loss_fn
        self.max_steps, self.max_seconds = max_steps, max_seconds
        self.callbacks = list(callbacks)
        self.device = device or pick_device()
        self.amp_dtype, self.grad_clip, self.lr_schedule = amp_dtype, grad_clip, lr_schedule
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.log_every = log_every
        self.state = state or TrainState()
        self.last_loss = math.nan
        self.batch_size = 0
        self.stop_reason = ""
        self._window: list[float] = []

    @property
    def progress(self) -> float:
        """Share of the run done, 0..1, by steps or by time, whichever limit is nearer."""
        by_time = self.state.seconds / self.max_seconds if math.isfinite(self.max_seconds) else 0
        return min(max(self.state.step / self.max_steps, by_time), 1.0)

    def callback(self, kind: type) -> Callback | None:
        """The first callback of a type (e.g. the EMA one, for sampling)."""
        return next((c for c in self.callbacks if isinstance(c, kind)), None)

    def train_step(self, batch) -> float:
        self.model.train()
        if self.lr_schedule is not None:        # stateless: a resumed run gets the same rates
            factor = self.lr_schedule(self.state.step, self.progress)
            for group in self.optimizer.param_groups:
                group["lr"] = group["initial_lr"] * factor
        with autocast_for(self.device, self.amp_dtype):
            loss = self.loss_fn(self.model, batch)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.grad_clip)
        self.optimizer.step()
        return float(loss.detach())

    def fit(self) -> TrainState:
        for cb in self.callbacks:
            cb.on_train_start(self)
        start = time.perf_counter() - self.state.seconds
        while self.state.step < self.max_steps:
            if self.state.seconds >= self.max_seconds:
                self.stop_reason = "time limit"
                break
            batch = self.batches(self.state.step)
            self.batch_size = batch_size(batch)
            self.last_loss = self.train_step(batch)
            if not math.isfinite(self.last_loss):
                raise FloatingPointError(f"loss became {self.last_loss} at step "
                                         f"{self.state.step}; lower the learning rate")
            self.state.step += 1
            self.state.images += self.batch_size
            self.state.seconds = time.perf_counter() - start
            self._log()
            for cb in self.callbacks:
                cb.on_step_end(self)
        else:
            self.stop_reason = "step limit"
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.state

    def _log(self) -> None:
        self._window.append(self.last_loss)
        if len(self._window) >= self.log_every or self.state.step >= self.max_steps:
            self.state.losses.append((self.state.step, sum(self._window) / len(self._window)))
            self._window.clear()
