"""Image -> ScenePlan + caption: the verifier / captioner.

    verifier = Verifier.load()                       # bundled weights/verifier-shapes
    reading = verifier.read(pixels)                  # (64, 64, 3) uint8
    reading.plan, reading.caption                    # ScenePlan, "two small red stars ..."
    verifier.faithfulness(pixels, facts)             # [] when the image shows what facts ask

Background, colours, boxes and sizes are measured (verify/segment.py, verify/geometry.py);
only the shape of each object is learned (models/verifier.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..data.image_io import load_rgb, to_canvas
from ..data.shapes_captions import canonical_caption
from ..errors import InputError
from ..models.verifier import ShapeClassifier, load_classifier
from ..plan.scene_plan import SceneObject, ScenePlan
from ..verify.crops import native_crops, window_crops
from ..verify.faithfulness import image_fact_failures
from ..verify.geometry import object_box
from ..verify.segment import Region, SegmentConfig, Segmentation, segment
from ..world import CANVAS_PX, MAX_OBJECTS

BUNDLED = Path(__file__).resolve().parent.parent / "weights" / "verifier-shapes"
CROP_BATCH = 1024          # crops per classifier call


@dataclass(frozen=True)
class Reading:
    """What the verifier saw in one image."""

    plan: ScenePlan
    caption: str
    notes: tuple[str, ...] = ()                      # conversions and anything left out
    confidence: tuple[float, ...] = field(default=())   # shape probability per plan object

    def to_dict(self) -> dict:
        return {"plan": self.plan.to_dict(), "caption": self.caption, "notes": list(self.notes),
                "confidence": [round(c, 4) for c in self.confidence]}


class Verifier:
    def __init__(self, classifier: ShapeClassifier,
                 segment_config: SegmentConfig = SegmentConfig()) -> None:
        self.classifier = classifier.eval()
        self.segment_config = segment_config
        self.device = next(classifier.parameters()).device

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None, device: str | None = None
             ) -> "Verifier":
        """The verifier with weights from `folder` (default: the bundled verifier-shapes)."""
        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        return cls(load_classifier(BUNDLED if folder is None else folder).to(device))

    def read(self, image: np.ndarray) -> Reading:
        return self.read_many([image])[0]

    def read_file(self, path: str | os.PathLike) -> Reading:
        """Read an image file; InputError when it cannot be opened as an image."""
        pixels, notes = load_rgb(path)
        return self._read([pixels], [notes])[0]

    def read_many(self, images: list[np.ndarray]) -> list[Reading]:
        """Read (H, W, 3) uint8 images; other sizes are resampled to 64 x 64 with a note."""
        canvases, notes = zip(*(_canvas(image) for image in images)) if images else ((), ())
        return self._read(list(canvases), [list(n) for n in notes])

    def faithfulness(self, image: np.ndarray, facts: dict) -> list[str]:
        """The facts (plan/facts.py format) this image violates; empty when it is faithful."""
        return image_fact_failures(self.read(image).plan, facts)

    def _read(self, canvases: list[np.ndarray], notes: list[list[str]]) -> list[Reading]:
        # 1. segment: background, and each object's pixels, colour, coverage
        segmentations = [segment(c, self.segment_config) for c in canvases]
        kept = [_keep(s, n) for s, n in zip(segmentations, notes)]
        # 2. shapes: one classifier pass over every region of every image
        shapes, confidence = self.classify([r for regions in kept for r in regions])
        # 3. boxes and sizes from coverage, given the shape; 4. caption
        readings, start = [], 0
        for seg, regions, note in zip(segmentations, kept, notes):
            stop = start + len(regions)
            objects = []
            for region, shape in zip(regions, shapes[start:stop]):
                size, box = object_box(region, shape)
                objects.append(SceneObject(shape=shape, color=region.color, size=size, box=box))
            plan = ScenePlan(background=seg.background, objects=tuple(objects))
            readings.append(Reading(plan=plan, caption=canonical_caption(plan).text,
                                    notes=tuple(note), confidence=tuple(confidence[start:stop])))
            start = stop
        return readings

    @torch.no_grad()
    def classify(self, regions: list[Region]) -> tuple[list[str], list[float]]:
        """Shape name and its probability for each region."""
        config = self.classifier.config
        names, probs = [], []
        for start in range(0, len(regions), CROP_BATCH):
            chunk = regions[start:start + CROP_BATCH]
            crops, geometry = native_crops(chunk, config.window_scale, config.window_margin_px)
            batch = window_crops(torch.from_numpy(crops), torch.from_numpy(geometry),
                                 config.crop_px)
            p = self.classifier(batch.to(self.device)).softmax(dim=1).cpu()
            best = p.max(dim=1)
            names += [config.shapes[i] for i in best.indices.tolist()]
            probs += best.values.tolist()
        return names, probs


def _canvas(image: object) -> tuple[np.ndarray, list[str]]:
    if not (isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3
            and image.shape[2] == 3):
        described = (f"{image.dtype} array of shape {image.shape}"
                     if isinstance(image, np.ndarray) else type(image).__name__)
        raise InputError(f"the verifier reads (H, W, 3) uint8 RGB arrays, got {described}")
    if image.shape[:2] == (CANVAS_PX, CANVAS_PX):
        return image, []
    return to_canvas(Image.fromarray(image))


def _keep(seg: Segmentation, notes: list[str]) -> tuple[Region, ...]:
    """At most MAX_OBJECTS regions, the largest, still in reading order; notes what was left."""
    regions = seg.regions
    if seg.specks:
        notes.append(f"ignored {seg.specks} speck(s) too small to be an object")
    if len(regions) > MAX_OBJECTS:
        largest = sorted(regions, key=lambda r: r.mass, reverse=True)[:MAX_OBJECTS]
        notes.append(f"found {len(regions)} objects; a Shapes World scene holds at most "
                     f"{MAX_OBJECTS}, so only the {MAX_OBJECTS} largest are reported")
        regions = tuple(r for r in regions if any(r is k for k in largest))
    return regions
