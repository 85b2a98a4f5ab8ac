"""Verifier: segmentation, geometry, the bundled shape classifier, faithfulness, captions."""
import numpy as np
import pytest
import torch

from turbogen.data.degrade import DEGRADATIONS
from turbogen.data.shapes_captions import canonical_caption, caption_scene
from turbogen.data.shapes_render import coverage, render
from turbogen.data.shapes_sampler import sample_scene
from turbogen.errors import InputError
from turbogen.eval.verifier_eval import EVAL_SEED, Tally, box_iou, eval_scenes
from turbogen.models.verifier import (ShapeClassifier, ShapeClassifierConfig, load_classifier,
                                      save_classifier)
from turbogen.pipelines.caption import Verifier
from turbogen.plan.facts import fact_failures
from turbogen.plan.rules import consistency_problems
from turbogen.plan.scene_plan import SceneObject, ScenePlan
from turbogen.verify.faithfulness import image_fact_failures
from turbogen.verify.geometry import AREA_SHARE, CENTROID_DROP, object_box
from turbogen.verify.segment import label_components, segment
from turbogen.world import SHAPES

SCENE = ScenePlan(background="gray", objects=(
    SceneObject("star", "red", "large", (0.05, 0.05, 0.42, 0.42)),
    SceneObject("triangle", "purple", "medium", (0.55, 0.10, 0.80, 0.35)),
    SceneObject("circle", "yellow", "small", (0.20, 0.70, 0.36, 0.86)),
    SceneObject("diamond", "blue", "small", (0.62, 0.62, 0.78, 0.78)),
))


@pytest.fixture(scope="module")
def verifier():
    return Verifier.load()


def test_label_components_separates_8_connected_blobs():
    mask = np.zeros((8, 8), dtype=bool)
    mask[1:3, 1:3] = True
    mask[3, 3] = True               # diagonal neighbour: same component
    mask[6:8, 5:8] = True
    labels, n = label_components(mask)
    assert n == 2 and labels[1, 1] == labels[3, 3] != labels[7, 7] and labels[0, 0] == 0


def test_segment_recovers_objects_colours_and_boxes_with_true_shapes():
    seg = segment(render(SCENE))
    assert seg.background == "gray" and seg.specks == 0
    assert len(seg.regions) == len(SCENE.objects)
    for region in seg.regions:
        truth = max(SCENE.objects, key=lambda o: box_iou(object_box(region, o.shape)[1], o.box))
        size, box = object_box(region, truth.shape)
        assert (region.color, size) == (truth.color, truth.size)
        assert box_iou(box, truth.box) > 0.95


@pytest.mark.parametrize("index", range(30))
def test_segment_counts_objects_in_random_scenes(index):
    plan = sample_scene(np.random.default_rng([99, index]))
    for condition in ("exact", "generator"):
        image = DEGRADATIONS[condition](render(plan), np.random.default_rng(index))
        assert len(segment(image).regions) == len(plan.objects), condition


@pytest.mark.parametrize("shape", SHAPES)
def test_geometry_constants_match_the_renderer(shape):
    box = (0.1, 0.1, 0.1 + 40 / 64, 0.1 + 40 / 64)
    row, col, alpha = coverage(SceneObject(shape, "red", "large", box), 64)
    assert alpha.sum() / 40 ** 2 == pytest.approx(AREA_SHARE[shape], rel=0.01)
    ys = np.arange(alpha.shape[0]) + row + 0.5
    centroid_y = (alpha.sum(axis=1) @ ys) / alpha.sum()
    centre_y, half = (box[1] + box[3]) / 2 * 64, 20
    assert (centroid_y - centre_y) / half == pytest.approx(CENTROID_DROP[shape], abs=0.01)


def test_classifier_save_load_round_trip(tmp_path):
    model = ShapeClassifier(ShapeClassifierConfig(widths=(4, 8))).eval()
    save_classifier(model, tmp_path)
    loaded = load_classifier(tmp_path)
    x = torch.rand(3, 1, 24, 24)
    assert loaded.config == model.config
    assert torch.equal(loaded(x), model(x))
    (tmp_path / "config.json").write_text('{"crop_px": 24, "layers": 3}')
    with pytest.raises(InputError, match="unknown key"):
        load_classifier(tmp_path)
    (tmp_path / "model.safetensors").unlink()
    with pytest.raises(InputError, match="no model.safetensors"):
        load_classifier(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        load_classifier(tmp_path / "missing")


def test_bundled_weights_are_small():
    from turbogen.pipelines.caption import BUNDLED
    assert (BUNDLED / "model.safetensors").stat().st_size < 1_000_000
    assert (BUNDLED / "card.md").is_file()


@pytest.mark.parametrize("condition, minimum", [("exact", 0.98), ("generator", 0.97)])
def test_bundled_verifier_agrees_with_ground_truth(verifier, condition, minimum):
    tally = Tally()
    scenes = list(eval_scenes(50, EVAL_SEED + 1, condition))
    for (index, plan, _), reading in zip(scenes, verifier.read_many([s[2] for s in scenes])):
        tally.add(plan, reading.plan, index)
    report = tally.report()
    assert report["agreement"] >= minimum, tally.mistakes[:3]
    assert report["background_accuracy"] == 1.0


def test_reading_is_a_valid_plan_with_its_caption(verifier):
    reading = verifier.read(render(SCENE))
    assert ScenePlan.from_dict(reading.plan.to_dict()) == reading.plan
    assert consistency_problems(reading.plan) == []
    assert [(o.shape, o.color, o.size) for o in reading.plan.objects] == \
        [("star", "red", "large"), ("triangle", "purple", "medium"),     # reading order:
         ("diamond", "blue", "small"), ("circle", "yellow", "small")]    # by top edge
    assert reading.caption == ("a large red star, a medium purple triangle, a small blue "
                               "diamond and a small yellow circle on a gray background")
    assert len(reading.confidence) == 4 and min(reading.confidence) > 0.5


def test_other_sizes_are_resized_with_a_note(verifier):
    reading = verifier.read(render(SCENE, size=128))
    assert any("resized from 128x128" in note for note in reading.notes)
    assert len(reading.plan.objects) == 4
    with pytest.raises(InputError, match="uint8"):
        verifier.read(np.zeros((64, 64, 3), dtype=np.float32))


def test_empty_canvas_reads_as_no_objects(verifier):
    reading = verifier.read(render(ScenePlan(background="black", objects=())))
    assert reading.plan.objects == () and reading.plan.background == "black"
    assert reading.caption == "an empty black background"


@pytest.mark.parametrize("index", range(10))
def test_faithfulness_passes_true_captions_and_catches_false_ones(verifier, index):
    plan = sample_scene(np.random.default_rng([7, index]))
    image = render(plan)
    facts = caption_scene(plan, np.random.default_rng(index)).facts
    assert verifier.faithfulness(image, facts) == []
    other = next(bg for bg in ("white", "gray", "black") if bg != plan.background)
    assert verifier.faithfulness(image, {**facts, "background": other})
    present = {"color": plan.objects[0].color}
    assert any("exclusion" in f for f in verifier.faithfulness(image, {"exclude": [present]}))


def test_faithfulness_ignores_measured_geometry_but_not_counts():
    # Boxes 1.9 px apart and a side a hair outside the jitter band: measurement, not a miss.
    plan = ScenePlan(background="white", objects=(
        SceneObject("square", "red", "small", (0.1, 0.1, 0.1 + 11.2 / 64, 0.1 + 11.2 / 64)),
        SceneObject("square", "red", "small", (0.1 + 13.1 / 64, 0.1, 0.1 + 23.1 / 64,
                                               0.1 + 10 / 64))))
    assert consistency_problems(plan)
    facts = {"objects": [{"count": 2, "color": "red", "shape": "square"}]}
    assert image_fact_failures(plan, facts) == []
    assert image_fact_failures(plan, {"objects": [{"count": 3, "shape": "square"}]})


@pytest.mark.parametrize("index", range(40))
def test_canonical_caption_states_only_true_facts(index):
    plan = sample_scene(np.random.default_rng([5, index]))
    caption = canonical_caption(plan)
    assert fact_failures(plan, caption.facts) == []
    assert caption.text.endswith(f"on a {plan.background} background")
