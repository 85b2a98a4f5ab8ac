"""Edit instructions: every kind parses, applies to a plan, and fails with a clear error."""
import pytest

from turbogen.errors import PlanError
from turbogen.plan.edit_apply import apply_edits
from turbogen.plan.edit_instruction import parse_instruction
from turbogen.plan.rules import consistency_problems, in_place, relation_holds
from turbogen.plan.scene_plan import SceneObject, ScenePlan

PLAN = ScenePlan(background="white", objects=(
    SceneObject("circle", "red", "large", (0.05, 0.30, 0.425, 0.675)),
    SceneObject("square", "blue", "small", (0.70, 0.45, 0.856, 0.606)),
    SceneObject("diamond", "yellow", "medium", (0.55, 0.05, 0.80, 0.30)),
))
TWO_CIRCLES = ScenePlan(background="black", objects=(
    SceneObject("circle", "red", "small", (0.10, 0.10, 0.256, 0.256)),
    SceneObject("circle", "red", "small", (0.70, 0.70, 0.856, 0.856)),
    SceneObject("star", "green", "medium", (0.40, 0.40, 0.65, 0.65)),
))


def edit(plan, text, seed=0):
    return apply_edits(plan, parse_instruction(text), seed)


def looks(plan):
    return sorted((o.size, o.color, o.shape) for o in plan.objects)


@pytest.mark.parametrize("text, kind", [
    ("make the circle green", "recolor"), ("Turn the square yellow.", "recolor"),
    ("the diamond should be pink", "recolor"), ("make the square large", "resize"),
    ("make the diamond bigger", "resize"), ("shrink the circle", "resize"),
    ("move the square to the bottom left", "move"), ("put the square above the circle", "move"),
    ("add a small red circle in the top right corner", "add"),
    ("put a cyan star below the diamond", "add"), ("remove the diamond", "remove"),
    ("get rid of the square", "remove"), ("replace the square with a yellow circle", "replace"),
    ("turn the circle into a star", "replace"), ("make the background black", "background"),
    ("use a gray backdrop", "background"), ("make everything red", "recolor"),
])
def test_every_kind_parses(text, kind):
    assert [e.kind for e in parse_instruction(text)] == [kind]


def test_recolor_keeps_the_box_and_the_rest():
    out = edit(PLAN, "make the circle green")
    assert out.plan.objects[0] == SceneObject("circle", "green", "large", PLAN.objects[0].box)
    assert out.plan.objects[1:] == PLAN.objects[1:]
    assert [(b, a.color) for b, a in out.changed] == [(PLAN.objects[0], "green")]


def test_resize_steps_and_sets_sizes():
    assert edit(PLAN, "make the diamond bigger").plan.objects[2].size == "large"
    assert edit(PLAN, "make the square medium").plan.objects[1].size == "medium"
    with pytest.raises(PlanError, match="already large"):
        edit(PLAN, "make the circle bigger")


def test_move_to_a_place_and_beside_an_object():
    moved = edit(PLAN, "move the square to the bottom left").plan.objects[1]
    assert in_place(moved, "bottom left")
    moved = edit(PLAN, "put the square below the circle").plan
    assert relation_holds(moved.objects[1], "below", moved.objects[0])
    assert not consistency_problems(moved)


def test_add_at_a_place_and_below_an_object():
    out = edit(PLAN, "add a small red circle in the bottom right corner").plan
    assert len(out.objects) == 4 and in_place(out.objects[3], "bottom right")
    out = edit(PLAN, "put a cyan star below the diamond").plan
    star = out.objects[3]
    assert (star.color, star.shape) == ("cyan", "star")
    assert relation_holds(star, "below", out.objects[2]) and not consistency_problems(out)


def test_remove_one_of_several_and_all():
    assert looks(edit(TWO_CIRCLES, "delete one of the circles").plan) == \
        [("medium", "green", "star"), ("small", "red", "circle")]
    assert looks(edit(TWO_CIRCLES, "remove all the circles").plan) == [("medium", "green", "star")]
    out = edit(TWO_CIRCLES, "remove the circle on the left").plan
    assert out.objects[0] == TWO_CIRCLES.objects[1]


def test_replace_keeps_the_spot_and_unstated_looks():
    out = edit(PLAN, "replace the square with a yellow circle").plan.objects[1]
    assert (out.shape, out.color, out.size, out.box) == ("circle", "yellow", "small",
                                                         PLAN.objects[1].box)
    assert edit(PLAN, "turn the circle into a star").plan.objects[0].color == "red"


def test_background_and_several_at_once():
    assert edit(PLAN, "change the background to black").background_changed
    out = edit(PLAN, "make everything red").plan
    assert {o.color for o in out.objects} == {"red"}
    out = edit(PLAN, "make the circle green and the square large").plan
    assert (out.objects[0].color, out.objects[1].size) == ("green", "large")


@pytest.mark.parametrize("plan, text, message", [
    (PLAN, "remove the triangle", "no triangle"),
    (TWO_CIRCLES, "make the circle green", "could be any of 2"),
    (PLAN, "make it sparkle", "accepted edits"),
    (PLAN, "make the circle fuzzy", "'fuzzy' is not a colour"),
    (PLAN, "", "empty"),
    (PLAN, "make the background red", "a background is white, gray, black"),
    (PLAN, "add seven stars", "holds 1 to 6"),
    (PLAN, "add four stars", "at most 6"),
    (PLAN, "move the square", "say where"),
])
def test_instructions_that_do_not_apply_are_clear_errors(plan, text, message):
    with pytest.raises(PlanError, match=message):
        edit(plan, text)


def test_same_seed_same_plan():
    assert edit(PLAN, "add a green star", 3).plan == edit(PLAN, "add a green star", 3).plan


def test_the_dev_edit_suite_loads_and_bad_records_are_named(tmp_path):
    from turbogen.errors import InputError
    from turbogen.eval.edit_suite import CATEGORIES, load_edit_suite
    records = load_edit_suite("dev")
    assert len(records) >= 100 and {r["category"] for r in records} == set(CATEGORIES)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "category": "recolor", "scene": "a red circle", '
                   '"instruction": "make it blue", "expect": {"objects": [{"count": 1, '
                   '"shape": "circle", "color": "teal"}]}}\n')
    with pytest.raises(InputError, match="bad.jsonl:1.*teal"):
        load_edit_suite(bad)
    with pytest.raises(InputError, match="unknown edit suite"):
        load_edit_suite("nope")


@pytest.mark.slow    # the typo check loads MiniLM's tokenizer (seconds)
def test_typos_read_as_the_planner_reads_them():
    assert edit(PLAN, "make the cirlce green").plan.objects[0].color == "green"


def test_beside_and_wishes_read_as_edits():
    out = edit(PLAN, "add a small purple star next to the square").plan
    assert len(out.objects) == 4 and not consistency_problems(out)
    assert edit(PLAN, "I'd like the square to be pink").plan.objects[1].color == "pink"


def test_several_objects_growing_at_once_find_room_together():
    crowded = ScenePlan(background="white", objects=(
        SceneObject("triangle", "blue", "medium", (0.03, 0.02, 0.28, 0.27)),
        SceneObject("circle", "red", "small", (0.50, 0.47, 0.656, 0.626)),
        SceneObject("circle", "red", "small", (0.59, 0.67, 0.746, 0.826)),
    ))
    out = edit(crowded, "make all circles large").plan
    assert looks(out).count(("large", "red", "circle")) == 2 and not consistency_problems(out)


def test_as_big_as_another_object():
    assert edit(PLAN, "make the square as big as the diamond").plan.objects[1].size == "medium"


def test_it_names_the_last_edited_object_and_between_and_colour_of():
    out = edit(PLAN, "move the square to the bottom left and make it green").plan.objects[1]
    assert out.color == "green" and in_place(out, "bottom left")
    out = edit(PLAN, "add a small pink star between the circle and the diamond").plan
    assert len(out.objects) == 4 and not consistency_problems(out)
    assert edit(PLAN, "make the square the colour of the diamond").plan.objects[1].color == \
        "yellow"


def test_objects_in_the_way_are_moved_aside_with_a_note():
    blocked = ScenePlan(background="white", objects=(
        SceneObject("star", "green", "medium", (0.40, 0.40, 0.65, 0.65)),
        SceneObject("diamond", "yellow", "small", (0.70, 0.15, 0.856, 0.306)),
    ))
    out = edit(blocked, "move the star to the top right corner")
    assert in_place(out.plan.objects[0], "top right") and not consistency_problems(out.plan)
    assert out.notes == ["moved the small yellow diamond aside to make room"]
    assert {a.shape for _, a in out.changed} == {"star", "diamond"}


def test_two_objects_sharing_one_change():
    out = edit(PLAN, "colour the circle and the square purple").plan
    assert [o.color for o in out.objects] == ["purple", "purple", "yellow"]
    out = edit(PLAN, "make the circle green and the square purple").plan
    assert [o.color for o in out.objects] == ["green", "purple", "yellow"]
    with pytest.raises(PlanError, match="cannot be removed"):
        edit(PLAN, "remove the background")


def test_swap_positions():
    out = edit(PLAN, "swap the positions of the square and the diamond").plan
    assert out.objects[1].center == pytest.approx(PLAN.objects[2].center, abs=0.01)
    assert out.objects[2].center == pytest.approx(PLAN.objects[1].center, abs=0.01)
    assert edit(PLAN, "swap the square for a red star").plan.objects[1].shape == "star"


def test_twice_as_big_half_the_size_and_in_its_place():
    assert edit(PLAN, "make the square twice as big").plan.objects[1].size == "medium"
    assert edit(PLAN, "make the diamond half the size").plan.objects[2].size == "small"
    out = edit(PLAN, "delete the square and add a red star in its place").plan
    assert out.objects[-1].center == pytest.approx(PLAN.objects[1].center, abs=0.06)
