"""Apply Edits (plan/edit_instruction.py) to a ScenePlan: select the objects they name, change,
move, add or remove them, and say which objects changed, so the editor redraws only there.

Objects that an edit does not touch keep their boxes exactly. New and moved boxes follow the
planner's rules (plan/rules.py): inside the canvas, 2 px apart, strictly inside a named place.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..errors import PlanError
from ..world import COLORS, MAX_OBJECTS, SHAPES, SIZES_PX, size_fraction
from .edit_instruction import Edit, Target
from .edit_placement import best_box, boxes_apart, destination, with_box
from .rules import in_place, relation_holds
from .scene_plan import SceneObject, ScenePlan

SIZE_ORDER = tuple(SIZES_PX)


@dataclass
class Item:
    obj: SceneObject
    origin: int | None           # index in the original plan; None for an added object
    changed: bool = False


@dataclass
class EditedPlan:
    plan: ScenePlan
    removed: list[SceneObject]   # objects of the original plan that are gone
    changed: list[tuple[SceneObject | None, SceneObject]]   # (before, after); before None: added
    background_changed: bool
    facts: dict                  # what the edited image must show (plan/facts.py format)
    notes: list[str] = field(default_factory=list)

    @property
    def is_noop(self) -> bool:
        return not (self.removed or self.changed or self.background_changed)


def apply_edits(plan: ScenePlan, edits: list[Edit], seed: int = 0) -> EditedPlan:
    """The plan after `edits`, in order; PlanError when one does not apply to this scene."""
    rng = np.random.default_rng(seed)
    items = [Item(o, i) for i, o in enumerate(plan.objects)]
    state = {"background": plan.background, "removed": [], "notes": [], "facts": [],
             "last": [], "spot": None}
    for edit in edits:
        before = list(items)
        APPLY[edit.kind](items, edit, state, rng)
        touched = [it for it in items if not any(it is b for b in before)]
        state["last"] = touched or state["last"]
    if len(items) > MAX_OBJECTS:
        raise PlanError(f"the edit leaves {len(items)} objects; a scene holds at most "
                        f"{MAX_OBJECTS}")
    new_plan = ScenePlan(background=state["background"], objects=tuple(i.obj for i in items))
    changed = [(None if it.origin is None else plan.objects[it.origin], it.obj)
               for it in items if it.changed]
    facts = look_facts(new_plan)
    facts["places"], facts["relations"] = _kept_facts(state["facts"], new_plan)
    return EditedPlan(plan=new_plan, removed=state["removed"], changed=changed,
                      background_changed=new_plan.background != plan.background,
                      facts=facts, notes=state["notes"])


def look_facts(plan: ScenePlan) -> dict:
    """Every object by look (exact counts), and the background."""
    looks = Counter((o.shape, o.color, o.size) for o in plan.objects)
    return {"objects": [{"count": n, "shape": s, "color": c, "size": z}
                        for (s, c, z), n in looks.items()],
            "exact_total": True, "background": plan.background}


def _kept_facts(stated: list[tuple], plan: ScenePlan) -> tuple[list, list]:
    """Places and relations the instruction asked for, each naming objects by full look."""
    places, relations = [], []
    for fact in stated:
        if fact[0] == "place":
            _, obj, place = fact
            if obj in plan.objects:
                places.append({"what": _look(obj), "place": place})
        else:
            _, obj, rel, others = fact
            if obj in plan.objects:
                for other in others:
                    if other in plan.objects and _look(other) != _look(obj):
                        relations.append({"a": _look(obj), "relation": rel, "b": _look(other)})
    return places, relations


def _look(obj: SceneObject) -> dict:
    return {"shape": obj.shape, "color": obj.color, "size": obj.size}


def describe(objects) -> str:
    return ", ".join(f"a {o.size} {o.color} {o.shape}" for o in objects) or "no objects"


# --- selecting ---------------------------------------------------------------------------

def select(items: list[Item], target: Target, last: list | None = None) -> list[int]:
    """Indices into `items` of the objects `target` names; PlanError when none or ambiguous.
    `last`: the items the previous edit acted on, which 'it' and 'them' name."""
    found = _select_one(items, target, last)
    for other in target.also:                  # "the triangle and the circle"
        found += [i for i in _select_one(items, other, last) if i not in found]
    return found


def _select_one(items: list[Item], target: Target, last: list | None) -> list[int]:
    objects = [it.obj for it in items]
    if target.quantity == "it" or (target.quantity == "all" and target.words in ("them",)
                                   and last):
        alive = [i for i, it in enumerate(items) if any(it is x for x in last or [])]
        if alive:
            return alive
        if len(objects) == 1:
            return [0]
        raise PlanError(f"'it' could be any of {len(objects)} objects ({describe(objects)}); "
                        "name the one you mean, e.g. 'the red circle'")
    found = [i for i, o in enumerate(objects) if o.matches(target.selector)]
    if target.relation is not None:
        rel, other = target.relation
        refs = [objects[j] for j in select(items, _lenient(other))]
        if rel == "beside":            # the one nearest the reference
            found = sorted((i for i in found if objects[i] not in refs),
                           key=lambda i: min(_distance(objects[i], r) for r in refs))[:1]
        else:
            found = [i for i in found if all(relation_holds(objects[i], rel, r)
                                             for r in refs if r is not objects[i])]
    if not found:
        raise PlanError(f"there is no {target.describe()} to edit: the image shows "
                        f"{describe(objects)}")
    if target.places:
        inside = [i for i in found if all(in_place(objects[i], p) for p in target.places)]
        if inside:
            found = inside
        if len(found) > 1 and target.quantity in ("the", "any"):
            found = [max(found, key=lambda i: _toward(objects[i], target.places))]
    if target.extreme and len(found) > 1:
        sides = [objects[i].box[2] - objects[i].box[0] for i in found]
        pick = int(np.argmax(sides) if target.extreme == "larger" else np.argmin(sides))
        found = [found[pick]]
    if target.quantity == "the" and len(found) > 1:
        raise PlanError(f"'{target.describe()}' could be any of {len(found)} objects "
                        f"({describe(objects[i] for i in found)}); say which, e.g. 'the one on "
                        "the left', 'one of them' or 'all of them'")
    if target.quantity == "any":
        return found[:1]
    if target.quantity == "n":
        if len(found) < target.count:
            raise PlanError(f"asked for {target.count} of '{target.describe()}' but the image "
                            f"has {len(found)}")
        return found[:target.count]
    return found


def _distance(a: SceneObject, b: SceneObject) -> float:
    return float(np.hypot(a.center[0] - b.center[0], a.center[1] - b.center[1]))


def _lenient(target: Target) -> Target:
    """A reference object ('below the diamond'): every match counts, none is ambiguous."""
    return Target(selector=target.selector, places=target.places, quantity="all",
                  extreme=target.extreme, relation=target.relation, also=target.also,
                  words=target.words)


def _toward(obj: SceneObject, places: list[str]) -> float:
    """How far `obj` lies toward the places named: the leftmost of two 'left' circles wins."""
    cx, cy = obj.center
    score = 0.0
    for place in places:
        words = place.split()
        score += ("right" in words) * cx - ("left" in words) * cx
        score += ("bottom" in words) * cy - ("top" in words) * cy
        if place == "center":
            score -= abs(cx - 0.5) + abs(cy - 0.5)
    return score


# --- editing -----------------------------------------------------------------------------

def _remove(items, edit, state, rng) -> None:
    for i in sorted(select(items, edit.target, state["last"]), reverse=True):
        item = items.pop(i)
        state["spot"] = item.obj.center          # "... and add a square in its place"
        if item.origin is not None:
            state["removed"].append(item.obj)


def _change(items, edit, state, rng) -> None:
    changed = {}
    like = {attr: getattr(items[select(items, _lenient(t))[0]].obj, attr)
            for attr, t in edit.like.items()}
    for i in select(items, edit.target, state["last"]):
        obj = items[i].obj
        size = like.get("size") or edit.size or _stepped(obj.size, edit.size_step, edit.target)
        new = SceneObject(shape=edit.shape or obj.shape,
                          color=like.get("color") or edit.color or obj.color,
                          size=size, box=obj.box)
        if new == obj:
            state["notes"].append(f"the {obj.size} {obj.color} {obj.shape} already looks "
                                  "so; nothing to change")
            continue
        changed[i] = new
    resized = [i for i, new in changed.items() if new.size != items[i].obj.size]
    for i, box in _resized_boxes(items, changed, resized, rng).items():
        changed[i] = with_box(changed[i], box)
    for i, new in changed.items():
        items[i] = Item(new, items[i].origin, True)


RESIZE_RESTARTS = 16


def _resized_boxes(items, changed, resized, rng) -> dict:
    """New boxes for objects that change size: each near its old centre, if the others allow;
    else (several growing at once) from fresh spots, until all fit."""
    fixed = [it.obj.box for j, it in enumerate(items) if j not in resized]
    for attempt in range(RESIZE_RESTARTS):
        boxes = {}
        for i in (resized if attempt == 0 else rng.permutation(resized)):
            side = size_fraction(changed[i].size)
            bounds = np.array([[side / 2, 1 - side / 2], [side / 2, 1 - side / 2]])
            centre = np.asarray(items[i].obj.center) if attempt == 0 else \
                rng.uniform(bounds[:, 0], bounds[:, 1])
            box = best_box(side, bounds, centre, fixed + list(boxes.values()), rng,
                            stay=items[i].obj.center)
            if box is None:
                break
            boxes[int(i)] = box
        else:
            return boxes
    obj = changed[resized[0]]
    raise PlanError(f"no room to make the {obj.color} {obj.shape} {obj.size} here: it would "
                    "touch another object; move or shrink that one first")


def _stepped(size: str, step: int, target: Target) -> str:
    if not step:
        return size
    k = SIZE_ORDER.index(size) + step
    if not 0 <= k < len(SIZE_ORDER):
        word = "larger" if step > 0 else "smaller"
        raise PlanError(f"'{target.describe()}' is already {size}, the "
                        f"{'largest' if step > 0 else 'smallest'} size; it cannot get {word}")
    return SIZE_ORDER[k]


def _move(items, edit, state, rng) -> None:
    if edit.swap_with is not None:
        return _swap(items, edit, state, rng)
    chosen = select(items, edit.target, state["last"])
    refs = _refs(items, edit)
    for i in chosen:
        obj = items[i].obj
        if any(r is obj for r in refs):
            raise PlanError(f"cannot move the {obj.color} {obj.shape} next to itself")
        box = _room(items, i, obj.size, edit, refs, rng, obj, state)
        items[i] = Item(with_box(obj, box), items[i].origin, True)
        _state_facts(state, items[i].obj, edit, refs)


def _swap(items, edit, state, rng) -> None:
    """Each of two objects takes the other's centre (as near as the others allow)."""
    (a,), (b,) = (select(items, Target(**{**vars(t), "quantity": "the"}))
                  for t in (edit.target, edit.swap_with))
    if a == b:
        raise PlanError("name two different objects to swap")
    fixed = [it.obj.box for j, it in enumerate(items) if j not in (a, b)]
    placed = {}
    for i, j in ((a, b), (b, a)):
        side = items[i].obj.box[2] - items[i].obj.box[0]
        bounds = np.array([[side / 2, 1 - side / 2], [side / 2, 1 - side / 2]])
        box = best_box(side, bounds, np.asarray(items[j].obj.center),
                        fixed + list(placed.values()), rng)
        if box is None:
            raise PlanError("no room to swap these two: their sizes differ and others are "
                            "in the way")
        placed[i] = box
    for i, box in placed.items():
        items[i] = Item(with_box(items[i].obj, box), items[i].origin, True)


def _add(items, edit, state, rng) -> None:
    refs = _refs(items, edit)
    for group in edit.new:
        count = group.count if isinstance(group.count, int) else int(group.count[0])
        if len(items) + count > MAX_OBJECTS:
            raise PlanError(f"cannot add {count} more: the scene has {len(items)} objects and "
                            f"holds at most {MAX_OBJECTS}")
        for _ in range(count):
            shape = group.shape or SHAPES[rng.integers(len(SHAPES))]
            color = group.color or list(COLORS)[rng.integers(len(COLORS))]
            box, size = None, None
            for size in [group.size] if group.size else ["medium", "small"]:  # unstated: fit
                try:
                    box = _room(items, None, size, edit, refs, rng, None, state)
                    break
                except PlanError:
                    if size == (group.size or "small"):
                        raise
            obj = with_box(SceneObject(shape, color, size, box), box)
            items.append(Item(obj, None, True))
            _state_facts(state, obj, edit, refs)


def _room(items, skip, size, edit, refs, rng, obj, state) -> tuple:
    """A box for `size` where the edit asks; when objects the instruction did not name are in
    the way, they are moved the least distance aside (and redrawn), with a note."""
    others = [it.obj.box for j, it in enumerate(items) if j != skip]
    if edit.where_last and state["spot"] is not None:      # "in its place"
        side = size_fraction(size)
        bounds = np.array([[side / 2, 1 - side / 2], [side / 2, 1 - side / 2]])
        box = best_box(side, bounds, np.asarray(state["spot"]), others, rng)
        if box is not None:
            return box
    try:
        return destination(size, edit, refs, others, rng, obj)
    except PlanError as err:
        blocked = err
    keep = [j for j, it in enumerate(items) if j != skip and any(it.obj is r for r in refs)]
    box = destination(size, edit, refs, [items[j].obj.box for j in keep], rng, obj)
    movers = [j for j, it in enumerate(items) if j != skip and j not in keep
              and not boxes_apart(box, it.obj.box)]
    placed = [it.obj.box for j, it in enumerate(items) if j != skip and j not in movers] + [box]
    moved = {}
    for j in movers:
        other = items[j].obj
        side = other.box[2] - other.box[0]
        bounds = np.array([[side / 2, 1 - side / 2], [side / 2, 1 - side / 2]])
        new = best_box(side, bounds, np.asarray(other.center), placed, rng)
        if new is None:
            raise blocked
        moved[j] = new
        placed.append(new)
    for j, new in moved.items():
        other = items[j].obj
        items[j] = Item(with_box(other, new), items[j].origin, True)
        state["notes"].append(f"moved the {other.size} {other.color} {other.shape} aside to "
                              "make room")
    return box


def _background(items, edit, state, rng) -> None:
    if edit.background == state["background"]:
        state["notes"].append(f"the background already is {edit.background}")
    state["background"] = edit.background


APPLY = {"remove": _remove, "recolor": _change, "resize": _change, "replace": _change,
         "move": _move, "add": _add, "background": _background}


def _refs(items, edit) -> list[SceneObject]:
    if edit.between is not None:       # the first of each named, or all of one plural
        chosen = [select(items, _lenient(t)) for t in edit.between]
        picks = [c[0] for c in chosen] if len(chosen) > 1 else chosen[0]
        return [items[j].obj for j in picks]
    if edit.relation is None:
        return []
    return [items[j].obj for j in select(items, _lenient(edit.relation[1]))]


def _state_facts(state, obj, edit, refs) -> None:
    if edit.place:
        state["facts"].append(("place", obj, edit.place))
    if edit.relation and edit.relation[0] != "beside":     # "beside" is no world relation
        state["facts"].append(("relation", obj, edit.relation[0], refs))
