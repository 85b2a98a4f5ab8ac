"""Swap in a step-distilled student: same network, the student's weights and step count.

`student=NAME|DIR` names a folder written by `turbogen train distill` (bundled:
text2img-shapes64-1step). It must be the first method of a recipe, since it replaces the
weights every later method rewrites; the student's own sampler and steps come with it, so
`student=text2img-shapes64-1step+bf16` is the distilled model under bf16.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import AccelError, InputError
from .model import AccelModel


def student(model: AccelModel, arg: str | None = None) -> AccelModel:
    from ..pipelines.text2img_model import load_text2img
    if model.methods:
        raise AccelError(f"student= replaces the weights, so it goes first in a recipe; got it "
                         f"after {' + '.join(model.methods)}")
    base = model.torch_net("student")
    try:
        net, config = load_text2img(arg, next(base.parameters()).device)
    except InputError as err:
        raise AccelError(f"student={arg}: {err}") from None
    if config.unet != model.config.unet or config.objective != model.config.objective:
        raise AccelError(f"student={arg} is not a distilled copy of this model: its network "
                         "or objective differs (a student of another teacher?)")
    sampling = replace(model.config, sampler=config.sampler, steps=config.steps,
                       guidance=config.guidance)
    return model.then(f"student={arg}", net=net, denoiser=net, config=sampling)
