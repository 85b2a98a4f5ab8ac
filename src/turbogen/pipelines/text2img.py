"""Text to image: prompt -> ScenePlan -> conditioning -> sampler(UNet) -> 64 x 64 uint8.

Image i of a call uses seed + i for both its plan and its starting noise (its own
torch.Generator), so it equals a single-image call with that seed, whatever the batch size.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ..accel.autocast import with_precision
from ..cond import make_cond
from ..errors import InputError, PlanError
from ..plan.scene_plan import ScenePlan
from ..samplers import SAMPLER_OBJECTIVE, get_sampler
from ..samplers.guidance import guided
from ..samplers.schedules import alpha_bar_fn, time_grid
from .text2img_model import DEFAULT_MODEL, Text2ImgConfig, load_text2img

MAX_STEPS = 1000


@dataclass
class Generated:
    images: np.ndarray                    # (B, H, W, 3) uint8
    plans: list[ScenePlan]
    seeds: list[int]
    timings: dict[str, float] = field(default_factory=dict)   # seconds per phase
    notes: list[str] = field(default_factory=list)            # planner notes and fallbacks


def initial_noise(seeds: list[int], shape: tuple[int, ...],
                  device: str | torch.device = "cpu") -> torch.Tensor:
    """(B, *shape) standard normal noise, image i drawn from its own generator seeded seeds[i]."""
    out = [torch.randn(shape, generator=torch.Generator().manual_seed(s)) for s in seeds]
    return torch.stack(out).to(device)


def check_steps(steps: int) -> None:
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise InputError(f"steps must be a whole number from 1 to {MAX_STEPS}, got {steps!r}")


def model_device(model) -> torch.device:
    """Where a denoiser's weights live; CPU for one without parameters (ONNX Runtime)."""
    params = getattr(model, "parameters", None)
    first = next(params(), None) if params is not None else None
    return first.device if first is not None else torch.device("cpu")


def start_run(denoiser) -> None:
    """Before each sampling run: a denoiser that keeps state between a run's steps
    (accel/deepcache.py) forgets the last run's."""
    if hasattr(denoiser, "start_run"):
        denoiser.start_run()


@torch.no_grad()
def draw(model, config: Text2ImgConfig, cond: dict, seeds: list[int], *, steps: int | None = None,
         guidance: float | None = None, sampler: str | None = None) -> torch.Tensor:
    """Sample images for `cond` (a batch): (B, 3, H, W) in -1..1."""
    steps = config.steps if steps is None else steps
    guidance = config.guidance if guidance is None else guidance
    sampler = config.sampler if sampler is None else sampler
    check_steps(steps)
    sample_fn = get_sampler(sampler)
    if SAMPLER_OBJECTIVE[sampler] != config.objective.kind:
        fits = [name for name, kind in SAMPLER_OBJECTIVE.items() if kind == config.objective.kind]
        raise InputError(f"sampler {sampler} reads {SAMPLER_OBJECTIVE[sampler]} predictions but "
                         f"this model predicts {config.objective.kind}; use {' or '.join(fits)}")
    extra = {"alpha_bar": alpha_bar_fn(config.objective)} if sampler == "ddim" else {}
    device = model_device(model)
    size = config.image_size
    x = initial_noise(seeds, (config.unet.image_channels, size, size), device)
    start_run(model)
    denoiser = guided(model, guidance)
    schedule = time_grid(steps, config.shift).to(device)
    return sample_fn(denoiser, x, schedule, cond=cond, generator=None, **extra)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """(B, 3, H, W) in -1..1 -> (B, H, W, 3) uint8."""
    x = ((x.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).cpu().numpy()


class Text2Img:
    """A loaded model with its planner and text encoder, ready to draw prompts or plans."""

    def __init__(self, model, config: Text2ImgConfig, *, planner=None, text_encoder=None,
                 precision: str = "fp32", denoiser=None) -> None:
        self.model, self.config = model, config
        # `denoiser`: an accelerated one (accel/) used as given; else bf16 is 2.3x faster
        self.denoiser = denoiser if denoiser is not None else with_precision(model, precision)
        self.planner = planner              # None: built on first prompt (plan/registry)
        self.text_encoder = text_encoder    # prompts -> (N, 384); None: config's, on first use

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL, *, planner: str = "default",
             device: str | torch.device | None = None, precision: str = "fp32") -> "Text2Img":
        from ..accel.folder import is_accelerated
        from ..plan.registry import make_planner
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if is_accelerated(model):
            from ..accel.folder import load_accelerated
            return cls.from_accel(load_accelerated(model, device), planner=make_planner(planner))
        net, config = load_text2img(model, device)
        return cls(net, config, planner=make_planner(planner), precision=precision)

    @classmethod
    def from_accel(cls, accel, *, planner=None) -> "Text2Img":
        """A pipeline around an accel.AccelModel: its denoiser, sampler, steps and text cache."""
        from ..text import text_encoder
        encoder = None
        if accel.text_cache:
            from ..accel.text_cache import CachedEncoder
            encoder = CachedEncoder(text_encoder(accel.config.text_encoder))
        return cls(accel.net, accel.config, planner=planner, text_encoder=encoder,
                   denoiser=accel.denoiser)

    def plan(self, prompts: list[str], seeds: list[int]) -> tuple[list[ScenePlan], list[str]]:
        """Prompt i planned with seeds[i]; the first prompt that cannot be planned is an error."""
        from ..plan.base import plan_batch
        if self.planner is None:
            from ..plan.registry import make_planner
            self.planner = make_planner("default")
        consecutive = seeds == list(range(seeds[0], seeds[0] + len(seeds))) if seeds else True
        results = plan_batch(self.planner, prompts, seeds[0]) if consecutive and seeds else \
            [r for p, s in zip(prompts, seeds) for r in plan_batch(self.planner, [p], s)]
        notes, plans = [], []
        for i, result in enumerate(results):
            if not result.ok:
                where = f"prompt {i + 1} ({result.prompt!r}): " if len(prompts) > 1 else ""
                raise PlanError(where + (result.error or "could not be planned"))
            plans.append(result.plan)
            notes += ([result.fallback_reason] if result.fallback_reason else []) + result.notes
        return plans, notes

    def encode(self, prompts: list[str] | None, plans: list[ScenePlan]) -> dict:
        """Layout maps from the plans; MiniLM embeddings of the prompts (dropped when None)."""
        emb = None
        if prompts is not None and self.config.unet.text_dim:
            if self.text_encoder is None:
                from ..text import text_encoder
                self.text_encoder = text_encoder(self.config.text_encoder)
            emb = self.text_encoder(list(prompts))
        device = model_device(self.denoiser)
        if not self.config.layout:      # a text-only model never saw layout maps
            plans = [None] * len(plans)
        return make_cond(plans, emb, size=self.config.image_size, device=device)

    def __call__(self, prompts: list[str] | None = None, *, plans: list[ScenePlan] | None = None,
                 seed: int = 0, steps: int | None = None, guidance: float | None = None,
                 sampler: str | None = None, batch_size: int = 16,
                 seeds: list[int] | None = None) -> Generated:
        """Draw one image per prompt (or per plan; with both, the plans are used as given).

        Image i uses seed + i, or seeds[i] when `seeds` is given, for its plan and its noise.
        """
        n = len(plans) if plans is not None else len(prompts or [])
        seeds = [seed + i for i in range(n)] if seeds is None else list(seeds)
        if len(seeds) != n or min(seeds, default=0) < 0:
            raise InputError(f"seeds must be {n} numbers, each 0 or more; got {seeds}")
        check_steps(self.config.steps if steps is None else steps)
        timings = {"plan": 0.0, "encode": 0.0, "sample": 0.0, "decode": 0.0}
        start = time.perf_counter()
        # 1. plan
        notes: list[str] = []
        if plans is None:
            if not prompts:
                raise InputError("nothing to draw: give at least one prompt or plan")
            plans, notes = self.plan(list(prompts), seeds)
        timings["plan"] = time.perf_counter() - start
        images = []
        for lo in range(0, len(plans), batch_size):
            chunk = slice(lo, lo + batch_size)
            t0 = time.perf_counter()
            # 2. encode
            cond = self.encode(None if prompts is None else prompts[chunk], plans[chunk])
            t1 = time.perf_counter()
            # 3. sample
            x = draw(self.denoiser, self.config, cond, seeds[chunk], steps=steps,
                     guidance=guidance, sampler=sampler)
            t2 = time.perf_counter()
            # 4. decode
            images.append(to_uint8(x))
            timings["encode"] += t1 - t0
            timings["sample"] += t2 - t1
            timings["decode"] += time.perf_counter() - t2
        timings["total"] = time.perf_counter() - start
        return Generated(images=np.concatenate(images), plans=list(plans), seeds=seeds,
                         timings=timings, notes=notes)
