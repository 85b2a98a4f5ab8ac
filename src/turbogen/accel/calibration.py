"""Calibration data for static int8: what the network really sees when drawing real plans.

Plans and captions come from the Shapes World sampler (the training distribution); each is
run through the fp32 sampler and the network's inputs at every step are kept, so the int8
ranges cover noise at t = 1 as well as nearly clean images at the last step.
"""
from __future__ import annotations

import numpy as np
import torch

from ..cond import make_cond
from ..errors import AccelError
from ..pipelines.text2img import initial_noise
from ..samplers.flow_euler import sample_flow_euler
from ..samplers.schedules import time_grid


def calibration_batches(net, config, n: int = 32, steps: int | None = None,
                        seed: int = 9000) -> list[dict[str, np.ndarray]]:
    """Network inputs {"x", "t", "layout", "text"} (numpy, batch n) at each step of real draws."""
    from ..data.shapes_sampler import sample_example
    from ..text import text_encoder
    examples = [sample_example(seed, i) for i in range(n)]
    emb = text_encoder(config.text_encoder)([e.caption.text for e in examples])
    cond = make_cond([e.plan for e in examples], emb, size=config.image_size)
    x = initial_noise(list(range(seed, seed + n)), (config.unet.image_channels,
                                                    config.image_size, config.image_size))
    batches = []

    def recording(x, t, cond):
        batches.append({"x": x.numpy(), "t": t.numpy(), **{k: v.numpy() for k, v in cond.items()}})
        return net(x, t, cond)

    with torch.no_grad():
        sample_flow_euler(recording, x, time_grid(steps or config.steps, config.shift), cond=cond)
    return batches


def check_calibration(batches: list[dict], expected: dict[str, tuple[int, ...]]) -> None:
    """AccelError unless every batch has each input with the expected per-example shape."""
    if not batches:
        raise AccelError("calibration data is empty; give at least one batch of inputs")
    for i, batch in enumerate(batches):
        for name, shape in expected.items():
            got = batch.get(name)
            if got is None:
                raise AccelError(f"calibration batch {i} has no {name!r} input; "
                                 f"expected inputs {sorted(expected)}")
            if tuple(got.shape[1:]) != shape:
                raise AccelError(f"calibration batch {i}: {name!r} has shape "
                                 f"{tuple(got.shape)}, expected (batch, {', '.join(map(str, shape))})")
