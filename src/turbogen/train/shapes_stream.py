"""An endless stream of fresh Shapes World training batches with cached caption embeddings.

MiniLM costs ~2 ms per caption on two cores, too much to embed every batch from scratch, and
scenes cost ~1 ms to draw. So a pool of `pool_size` examples is kept, with their embeddings, and
`refresh` fresh scenes replace the oldest ones at every step: over a run the model sees
pool_size + refresh x steps distinct scenes, at a cost of `refresh` captions per step.

Everything is a function of (seed, step): the pool's content at a step, the batch drawn from
it, the times, the noise and the condition dropout. A resumed run rebuilds the pool for its
step and continues the same stream.
"""
from __future__ import annotations

import numpy as np
import torch

from ..cond import drop_cond, make_cond
from ..data.shapes_sampler import sample_example


class ShapesStream:
    def __init__(self, seed: int, pool_size: int, refresh: int, batch_size: int, encoder,
                 *, size: int = 64, p_drop_layout: float = 0.1, p_drop_text: float = 0.1,
                 device: str | torch.device = "cpu", channels_last: bool = False,
                 progress=None) -> None:
        self.seed, self.pool_size, self.refresh, self.batch_size = seed, pool_size, refresh, \
            batch_size
        self.encoder, self.size, self.device = encoder, size, device
        self.p_drop_layout, self.p_drop_text = p_drop_layout, p_drop_text
        self.channels_last = channels_last
        self.progress = progress
        self.images = torch.zeros(pool_size, 3, size, size, dtype=torch.uint8)
        self.embeddings = torch.zeros(pool_size, 384)
        self.plans: list = [None] * pool_size
        self.pool_step: int | None = None       # the step the pool is up to date with

    def example_index(self, slot: int, step: int) -> int:
        """Which example (index into sample_example(seed, ·)) sits in `slot` at `step`.

        Refresh number c (c = 0, 1, ...) writes example pool_size + c into slot c % pool_size;
        by `step`, refreshes 0 .. step x refresh - 1 have happened.
        """
        done = step * self.refresh
        if done <= slot:
            return slot
        last = slot + ((done - 1 - slot) // self.pool_size) * self.pool_size
        return self.pool_size + last

    def _fill(self, slots: list[int], indices: list[int]) -> None:
        examples = [sample_example(self.seed, i, self.size) for i in indices]
        emb = self.encoder([ex.caption.text for ex in examples])
        for slot, ex, e in zip(slots, examples, emb):
            self.images[slot] = torch.from_numpy(np.ascontiguousarray(ex.image.transpose(2, 0, 1)))
            self.embeddings[slot] = torch.as_tensor(e)
            self.plans[slot] = ex.plan

    def rebuild(self, step: int, chunk: int = 512) -> None:
        """Fill the whole pool as it stands at `step` (start and resume)."""
        for lo in range(0, self.pool_size, chunk):
            slots = list(range(lo, min(lo + chunk, self.pool_size)))
            self._fill(slots, [self.example_index(s, step) for s in slots])
            if self.progress is not None:
                self.progress(slots[-1] + 1, self.pool_size)
        self.pool_step = step

    def advance(self, step: int) -> None:
        if self.pool_step is None or not 0 <= step - self.pool_step <= 1:
            self.rebuild(step)
            return
        if step == self.pool_step + 1 and self.refresh:
            first = self.pool_step * self.refresh
            counters = range(first, first + self.refresh)
            self._fill([c % self.pool_size for c in counters],
                       [self.pool_size + c for c in counters])
        self.pool_step = step

    def __call__(self, step: int) -> dict:
        """Batch `step`: clean images x (-1..1), times t, noise, conditioning with dropout."""
        self.advance(step)
        gen = torch.Generator().manual_seed(self.seed * 1_000_003 + step)
        pick = torch.randint(self.pool_size, (self.batch_size,), generator=gen)
        x = self.images[pick].float() / 127.5 - 1.0                     # (B, 3, H, W)
        plans = [self.plans[i] for i in pick.tolist()]
        drop_layout = torch.rand(self.batch_size, generator=gen) < self.p_drop_layout
        drop_text = torch.rand(self.batch_size, generator=gen) < self.p_drop_text
        cond = drop_cond(make_cond(plans, self.embeddings[pick], size=self.size),
                         drop_layout, drop_text)
        t = torch.rand(self.batch_size, generator=gen)
        noise = torch.randn(x.shape, generator=gen)
        batch = {"x": x, "t": t, "noise": noise, "cond": cond}
        return to_device(batch, self.device, self.channels_last)


def to_device(batch: dict, device, channels_last: bool) -> dict:
    def move(v: torch.Tensor) -> torch.Tensor:
        v = v.to(device, non_blocking=True)
        if channels_last and v.ndim == 4:
            v = v.contiguous(memory_format=torch.channels_last)
        return v
    return {k: ({kk: move(vv) for kk, vv in v.items()} if isinstance(v, dict) else move(v))
            for k, v in batch.items()}
