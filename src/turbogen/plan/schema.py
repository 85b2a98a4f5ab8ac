"""JSON Schema (draft 2020-12) of ScenePlan v1, for other tools and for constrained decoding."""
from ..world import BACKGROUNDS, COLORS, MAX_OBJECTS, SHAPES, SIZES_PX

_SELECTOR = {
    "type": "object",
    "properties": {"shape": {"enum": list(SHAPES)}, "color": {"enum": list(COLORS)},
                   "size": {"enum": list(SIZES_PX)}},
    "additionalProperties": False,
    "minProperties": 1,
}

SCENE_PLAN_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ScenePlan",
    "description": "turbogen ScenePlan v1: objects with boxes [x0, y0, x1, y1] in 0..1, "
                   "origin top-left, y downwards.",
    "type": "object",
    "properties": {
        "background": {"enum": list(BACKGROUNDS)},
        "objects": {
            "type": "array", "maxItems": MAX_OBJECTS,
            "items": {
                "type": "object",
                "properties": {
                    "shape": {"enum": list(SHAPES)},
                    "color": {"enum": list(COLORS)},
                    "size": {"enum": list(SIZES_PX)},
                    "box": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1},
                            "minItems": 4, "maxItems": 4},
                },
                "required": ["shape", "color", "size", "box"],
                "additionalProperties": False,
            },
        },
        "exclude": {"type": "array", "items": _SELECTOR},
        "version": {"const": 1},
    },
    "required": ["objects"],
    "additionalProperties": False,
}
