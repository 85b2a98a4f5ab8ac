"""ScenePlan v1: the one structure that travels from planner to generator, editor and verifier."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import PlanError
from ..world import BACKGROUNDS, COLORS, MAX_OBJECTS, SHAPES, SIZES_PX

ATTRIBUTES = {"shape": SHAPES, "color": tuple(COLORS), "size": tuple(SIZES_PX)}


@dataclass(frozen=True)
class SceneObject:
    shape: str
    color: str
    size: str
    box: tuple[float, float, float, float]   # x0, y0, x1, y1 in 0..1, y downwards

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2

    def matches(self, selector: dict) -> bool:
        """True when every attribute named in `selector` (shape/color/size) equals ours."""
        return all(getattr(self, key) == value for key, value in selector.items())

    def to_dict(self) -> dict:
        return {"shape": self.shape, "color": self.color, "size": self.size,
                "box": [round(v, 4) for v in self.box]}


@dataclass(frozen=True)
class ScenePlan:
    background: str
    objects: tuple[SceneObject, ...]
    exclude: tuple[dict, ...] = field(default_factory=tuple)   # partial selectors, e.g. {"color": "blue"}

    def to_dict(self) -> dict:
        return {"background": self.background,
                "objects": [o.to_dict() for o in self.objects],
                "exclude": [dict(e) for e in self.exclude]}

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: object) -> "ScenePlan":
        """Build a plan from parsed JSON, raising PlanError that names the bad field."""
        if not isinstance(data, dict):
            raise PlanError(f"a ScenePlan is a JSON object, got {type(data).__name__}")
        unknown = set(data) - {"background", "objects", "exclude", "version"}
        if unknown:
            raise PlanError(f"unknown ScenePlan field(s) {sorted(unknown)}; "
                            "accepted: background, objects, exclude")
        background = _choice(data.get("background", "white"), BACKGROUNDS, "background")
        raw_objects = data.get("objects")
        if not isinstance(raw_objects, list):
            raise PlanError("'objects' must be a list of objects")
        if len(raw_objects) > MAX_OBJECTS:
            raise PlanError(f"a scene holds 1 to {MAX_OBJECTS} objects, got {len(raw_objects)}")
        objects = tuple(_object(o, i) for i, o in enumerate(raw_objects))
        raw_exclude = data.get("exclude", [])
        if not isinstance(raw_exclude, list):
            raise PlanError("'exclude' must be a list of selectors like {\"color\": \"blue\"}")
        exclude = tuple(selector(e, f"exclude[{i}]") for i, e in enumerate(raw_exclude))
        return cls(background=background, objects=objects, exclude=exclude)

    @classmethod
    def from_json(cls, text: str) -> "ScenePlan":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise PlanError(f"plan is not valid JSON: {err.msg} at line {err.lineno}, "
                            f"column {err.colno}") from None
        return cls.from_dict(data)


def _choice(value: object, allowed, what: str) -> str:
    if value not in allowed:
        raise PlanError(f"unknown {what} {value!r}; known: {', '.join(allowed)}")
    return value


def selector(raw: object, where: str) -> dict:
    """A partial description {shape?, color?, size?} with at least one known attribute."""
    if not isinstance(raw, dict) or not raw:
        raise PlanError(f"{where} must be an object with some of shape, color, size")
    unknown = set(raw) - set(ATTRIBUTES)
    if unknown:
        raise PlanError(f"{where} has unknown key(s) {sorted(unknown)}; accepted: shape, color, size")
    return {k: _choice(v, ATTRIBUTES[k], f"{k} in {where}") for k, v in raw.items()}


def _object(raw: object, index: int) -> SceneObject:
    where = f"objects[{index}]"
    if not isinstance(raw, dict):
        raise PlanError(f"{where} must be an object with shape, color, size and box")
    missing = [k for k in ("shape", "color", "size", "box") if k not in raw]
    if missing:
        raise PlanError(f"{where} is missing {', '.join(missing)}")
    unknown = set(raw) - {"shape", "color", "size", "box"}
    if unknown:
        raise PlanError(f"{where} has unknown key(s) {sorted(unknown)}; "
                        "accepted: shape, color, size, box")
    attrs = {k: _choice(raw[k], ATTRIBUTES[k], f"{k} in {where}") for k in ATTRIBUTES}
    return SceneObject(box=_box(raw["box"], where), **attrs)


def _box(raw: object, where: str) -> tuple[float, float, float, float]:
    ok = (isinstance(raw, list) and len(raw) == 4
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw))
    if not ok:
        raise PlanError(f"{where}.box must be [x0, y0, x1, y1], four numbers in 0..1")
    x0, y0, x1, y1 = (float(v) for v in raw)
    if not all(0.0 <= v <= 1.0 for v in (x0, y0, x1, y1)):
        raise PlanError(f"{where}.box {raw} leaves the canvas: coordinates must be in 0..1")
    if not (x0 < x1 and y0 < y1):
        raise PlanError(f"{where}.box {raw} is empty: need x0 < x1 and y0 < y1 (origin top-left)")
    return (x0, y0, x1, y1)
