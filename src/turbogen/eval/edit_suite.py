"""Edit suites: scenes, instructions and the facts the edited image must show.

The format is docs/edit_suite_format.md. One JSON object per line:
  {"id": "recolor-001", "category": "recolor", "scene": "a large red circle on white",
   "scene_seed": 0, "instruction": "make the circle green", "expect": {facts}}
or, for instructions the editor must refuse,
  {"id": "reject-001", "category": "reject", "scene": "...", "instruction": "remove the
   triangle", "reject": true, "why": "there is no triangle"}
`scene` is a prompt for the default planner or a ScenePlan object; `expect` is a facts record
(plan/facts.py) describing the whole edited image.

Bundled suites live in eval/suites/NAME_edits.jsonl:
  dev_edits.jsonl   118 edits over 12 scenes, every category: develop the editor on it.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError, PlanError
from ..plan.scene_plan import ScenePlan
from .plan_suite import SUITES_DIR, parse_suite, validate_facts

CATEGORIES = {
    "recolor": "change the colour of objects",
    "resize": "change the size class of objects",
    "move": "move objects to a place or next to another object",
    "add": "add new objects, at a place or next to another",
    "remove": "remove objects",
    "replace": "swap objects for others in the same spot",
    "background": "change the background colour",
    "multi": "several objects or several edits at once",
    "reject": "instructions that do not apply or cannot be read: must be refused",
}
RECORD_KEYS = {"id", "category", "scene", "scene_seed", "instruction", "expect", "reject", "why"}
SUFFIX = "_edits.jsonl"


def bundled_suites() -> list[str]:
    return sorted(p.name[:-len(SUFFIX)] for p in SUITES_DIR.glob(f"*{SUFFIX}"))


def edit_suite_path(name_or_path: str | Path) -> Path:
    """A bundled suite by name ("dev") or a JSONL file by path."""
    bundled = SUITES_DIR / f"{name_or_path}{SUFFIX}"
    if "/" not in str(name_or_path) and bundled.is_file():
        return bundled
    path = Path(name_or_path)
    if not path.is_file():
        raise InputError(f"unknown edit suite {str(name_or_path)!r}: give one of "
                         f"{', '.join(bundled_suites())} or the path of a .jsonl suite file")
    return path


def load_edit_suite(name_or_path: str | Path) -> list[dict]:
    """Read and validate a suite; every problem names the file and line."""
    path = edit_suite_path(name_or_path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read suite {path}: {err}") from None
    return parse_suite(lines, source=str(path), validate=validate_edit_record)


def validate_edit_record(raw: object, where: str) -> dict:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: a record is a JSON object with id, category, scene, "
                         "instruction and expect (or reject)")
    unknown = set(raw) - RECORD_KEYS
    if unknown:
        raise InputError(f"{where}: unknown key(s) {sorted(unknown)}; "
                         f"accepted: {', '.join(sorted(RECORD_KEYS))}")
    if not isinstance(raw.get("id"), str) or not raw["id"].strip():
        raise InputError(f"{where}: missing 'id' (a non-empty string)")
    if not isinstance(raw.get("instruction"), str):
        raise InputError(f"{where}: missing 'instruction' (a string)")
    if raw.get("category") not in CATEGORIES:
        raise InputError(f"{where}: unknown category {raw.get('category')!r}; "
                         f"known: {', '.join(CATEGORIES)}")
    seed = raw.get("scene_seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"{where}: scene_seed must be a whole number 0 or more")
    record = {**raw, "scene": _scene(raw.get("scene"), where), "scene_seed": seed}
    if raw.get("reject") is True:
        if "expect" in raw:
            raise InputError(f"{where}: a reject record has no expect")
        return record
    if "reject" in raw:
        raise InputError(f"{where}: \"reject\" is true or absent")
    expect = raw.get("expect")
    if isinstance(expect, dict) and expect.get("objects") == []:    # "remove everything"
        validate_facts({**expect, "objects": [{"count": 1}]}, f"{where}: expect")
    else:
        validate_facts(expect, f"{where}: expect")
    return record


def _scene(scene: object, where: str) -> str | ScenePlan:
    if isinstance(scene, str) and scene.strip():
        return scene
    if isinstance(scene, dict):
        try:
            return ScenePlan.from_dict(scene)
        except PlanError as err:
            raise InputError(f"{where}: scene: {err}") from None
    raise InputError(f"{where}: 'scene' is a prompt (string) or a ScenePlan object")
