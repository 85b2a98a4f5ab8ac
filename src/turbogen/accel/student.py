"""Swap in a student: a step-distilled or shrunk copy's network, weights and sampling.

`student=NAME|DIR` names a folder written by `turbogen train distill` (same network, fewer
steps; bundled: text2img-shapes64-1step) or `turbogen train shrink` (a narrower network whose
`student.json` names its teacher). It must be the first method of a recipe, since it replaces
the weights every later method rewrites; the student's own sampler and steps come with it, so
`student=text2img-shapes64-1step+bf16` is the distilled model under bf16.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ..errors import AccelError, InputError
from .model import AccelModel

STUDENT_FILE = "student.json"       # written by train/recipes/shrink.py


def _shrunk_from(folder: Path, model: AccelModel, arg: str) -> None:
    """AccelError unless `folder`'s student.json names a teacher with `model`'s network."""
    from ..configs import config_from_dict
    from ..models.unet import UNetConfig
    from ..samplers.schedules import ObjectiveConfig
    file = folder / STUDENT_FILE
    if not file.is_file():
        raise AccelError(f"student={arg} has another network than this model and no "
                         f"{STUDENT_FILE} naming its teacher: it is not a distilled copy of "
                         "this model, nor a shrunk student of it")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        teacher_unet = config_from_dict(UNetConfig, data["teacher_unet"], str(file))
        objective = config_from_dict(ObjectiveConfig, data["teacher_objective"], str(file))
    except (OSError, ValueError, KeyError, TypeError, InputError):
        raise AccelError(f"{file} is damaged: expected JSON with teacher_unet and "
                         "teacher_objective (written by `turbogen train shrink`)") from None
    if teacher_unet != model.config.unet or objective != model.config.objective:
        raise AccelError(f"student={arg} was shrunk from {data.get('teacher')!r}, whose network "
                         "differs from this model's: it is a student of another teacher")


def student(model: AccelModel, arg: str | None = None) -> AccelModel:
    from ..pipelines.text2img_model import load_text2img, resolve_model_dir
    if model.methods:
        raise AccelError(f"student= replaces the weights, so it goes first in a recipe; got it "
                         f"after {' + '.join(model.methods)}")
    base = model.torch_net("student")
    try:
        folder = resolve_model_dir(arg)
        net, config = load_text2img(folder, next(base.parameters()).device)
    except InputError as err:
        raise AccelError(f"student={arg}: {err}") from None
    if config.objective != model.config.objective:
        raise AccelError(f"student={arg} predicts another objective than this model (a "
                         "student of another teacher?)")
    if config.unet != model.config.unet:
        _shrunk_from(folder, model, arg)
    sampling = replace(model.config, unet=config.unet, sampler=config.sampler,
                       steps=config.steps, guidance=config.guidance)
    return model.then(f"student={arg}", net=net, denoiser=net, config=sampling)

