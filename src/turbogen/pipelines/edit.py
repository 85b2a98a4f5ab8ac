"""Edit an image through its plan: read it, change the plan, redraw only what changed.

    editor = Editor.load()
    result = editor.edit(pixels, "make the circle green", seed=0)
    result.image, result.mask, result.before, result.after

1. read: the verifier turns the image into a ScenePlan with boxes (pipelines/caption.py);
2. plan: the instruction becomes Edits (plan/edit_instruction.py), applied to that plan
   (plan/edit_apply.py): a new plan, and the objects that changed;
3. mask: the old and new boxes of every changed object, and the pixels the old ones covered,
   grown by 2 px; a background change redraws everything but the objects' cores;
4. redraw: masked sampling with the generator conditioned on the new plan
   (pipelines/masked_redraw.py); outside the mask the original pixels are kept exactly;
5. verify (optional): read the result back; redraw with the next seed while it fails.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, PlanError
from ..plan.edit_apply import EditedPlan, apply_edits
from ..plan.edit_instruction import Edit, parse_instruction
from ..plan.scene_plan import ScenePlan
from ..verify.faithfulness import image_fact_failures
from .caption import Verifier
from .masked_redraw import (DEFAULT_SAMPLER, DEFAULT_STEPS, box_mask, object_cores, redraw,
                            region_mask)
from .text2img import Text2Img
from .text2img_model import DEFAULT_MODEL


@dataclass
class EditResult:
    image: np.ndarray                # (64, 64, 3) uint8, the edited image
    before: ScenePlan                # the plan read off the input
    after: ScenePlan                 # the plan the edit asked for
    mask: np.ndarray                 # (64, 64) bool, True where pixels were redrawn
    edits: list[Edit]
    failures: list[str]              # what the verifier found wrong in the result (empty: ok)
    seed: int                        # the seed of the kept redraw
    tries: int
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kinds": [e.kind for e in self.edits], "before": self.before.to_dict(),
                "after": self.after.to_dict(), "mask_fraction": round(float(self.mask.mean()), 4),
                "verified": not self.failures, "failures": self.failures, "seed": self.seed,
                "tries": self.tries, "notes": self.notes,
                "timings": {k: round(v, 4) for k, v in self.timings.items()}}


def edit_mask(image: np.ndarray, edited: EditedPlan) -> np.ndarray:
    """Where the edit may change pixels: old and new boxes of changed and removed objects
    (and the pixels the old ones really covered), or all but object cores for a background."""
    size = image.shape[0]
    old = [o.box for o in edited.removed] + [b.box for b, _ in edited.changed if b is not None]
    new = [a.box for _, a in edited.changed]
    mask = box_mask(old + new, size)
    if old:
        mask |= region_mask(image, old)
    if edited.background_changed:
        keep = object_cores(image)
        for box in old:                  # an edited object's core is redrawn too
            keep &= ~box_mask([box], size)
        mask |= ~keep
    return mask


class Editor:
    def __init__(self, pipe: Text2Img, verifier: Verifier, *, steps: int = DEFAULT_STEPS,
                 sampler: str = DEFAULT_SAMPLER) -> None:
        self.pipe, self.verifier, self.steps, self.sampler = pipe, verifier, steps, sampler

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL, *, steps: int = DEFAULT_STEPS,
             sampler: str = DEFAULT_SAMPLER, precision: str = "fp32",
             device: str | None = None) -> "Editor":
        return cls(Text2Img.load(model, precision=precision, device=device),
                   Verifier.load(device=device), steps=steps, sampler=sampler)

    def edit(self, image: np.ndarray, instruction: str, seed: int = 0, tries: int = 1
             ) -> EditResult:
        """Apply `instruction` to `image`; PlanError when it cannot be read or does not apply."""
        _check_image(image)
        if tries < 1:
            raise InputError(f"--verify takes the number of tries (1 or more), got {tries}")
        start = time.perf_counter()
        timings = {}
        # 1. read
        reading = self.verifier.read(image)
        timings["read"] = time.perf_counter() - start
        # 2. plan
        t0 = time.perf_counter()
        edits = parse_instruction(instruction)
        edited = apply_edits(reading.plan, edits, seed)
        timings["plan"] = time.perf_counter() - t0
        notes = list(reading.notes) + edited.notes
        # 3. mask
        mask = edit_mask(image, edited)
        if edited.is_noop:
            return EditResult(image.copy(), reading.plan, edited.plan, mask, edits, [], seed, 0,
                              notes + ["the image already shows this; nothing was redrawn"],
                              {**timings, "total": time.perf_counter() - start})
        # 4. redraw, 5. verify
        t0 = time.perf_counter()
        best = None
        for k in range(tries):
            out = redraw(self.pipe, image, edited.plan, mask, seed + k, self.steps, self.sampler)
            fails = image_fact_failures(self.verifier.read(out).plan, edited.facts) \
                if tries > 1 else []
            if best is None or len(fails) < len(best[1]):
                best = (out, fails, seed + k, k + 1)
            if not fails:
                break
        timings["redraw"] = time.perf_counter() - t0
        timings["total"] = time.perf_counter() - start
        out, fails, used_seed, _ = best
        return EditResult(out, reading.plan, edited.plan, mask, edits, fails, used_seed,
                          k + 1, notes, timings)


def _check_image(image: object) -> None:
    if not (isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (64, 64, 3)):
        described = (f"{image.dtype} array of shape {image.shape}"
                     if isinstance(image, np.ndarray) else type(image).__name__)
        raise InputError(f"edit works on 64 x 64 RGB uint8 images (Shapes World), got {described}")


__all__ = ["Editor", "EditResult", "edit_mask", "PlanError"]
