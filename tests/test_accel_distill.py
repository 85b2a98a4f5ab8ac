"""Step distillation (accel/distill.py) and the student= method, on the tiny test UNet."""
import json
from dataclasses import replace

import pytest
import torch

from text2img_fixtures import TINY_CONFIG, write_tiny_model
from turbogen.accel.distill import (DistillConfig, TeacherBatches, distill_loss, segment_batch,
                                    teacher_states)
from turbogen.accel.folder import load_accelerated, save_accelerated
from turbogen.accel.model import from_text2img
from turbogen.accel.presets import choose_presets
from turbogen.accel.registry import apply_recipe
from turbogen.cli.main import main
from turbogen.errors import AccelError, InputError
from turbogen.models.unet import UNet, UNetConfig
from turbogen.pipelines.text2img_model import load_text2img, save_text2img
from turbogen.samplers import sample_flow_euler
from turbogen.samplers.schedules import time_grid

from test_accel_methods import inputs, tiny


def test_teacher_states_are_the_teachers_trajectory_at_the_student_times():
    base = tiny()
    x, _, cond = inputs(2)
    dc = DistillConfig(steps=2, per_step=2)
    states = teacher_states(base.net, TINY_CONFIG, dc, x, cond)
    assert states.shape == (3, 2, 3, 64, 64) and torch.equal(states[0], x)
    fine = time_grid(4)
    half = sample_flow_euler(base.net, x, fine[:3], cond=cond)       # 1 -> 0.5 in 2 steps
    full = sample_flow_euler(base.net, x, fine, cond=cond)
    assert torch.allclose(states[1], half, atol=1e-5) and torch.allclose(states[2], full,
                                                                          atol=1e-5)


def test_one_euler_step_with_the_target_velocity_lands_on_the_teacher_state():
    base = tiny()
    x, _, cond = inputs(2)
    dc = DistillConfig(steps=2, per_step=2)
    states = teacher_states(base.net, TINY_CONFIG, dc, x, cond)
    times = time_grid(2)
    batch = segment_batch(states, times, cond)
    assert batch["x"].shape[0] == 4 and batch["cond"]["layout"].shape[0] == 4
    assert torch.allclose(batch["t"], torch.tensor([1.0, 1.0, 0.5, 0.5]))
    # x + (t_next - t) v* == the next state, segment by segment
    landed = batch["x"] + (-0.5) * batch["target"]
    assert torch.allclose(landed, states[1:].flatten(0, 1), atol=1e-5)


def test_a_few_distillation_steps_lower_the_loss():
    base = tiny()
    x, _, cond = inputs(4)
    dc = DistillConfig(steps=1, per_step=4)
    batch = segment_batch(teacher_states(base.net, TINY_CONFIG, dc, x, cond), time_grid(1), cond)
    torch.manual_seed(1)
    student = UNet(TINY_CONFIG.unet).eval()       # a fresh network: far from the targets
    opt = torch.optim.SGD(student.parameters(), lr=0.01)
    losses = []
    for _ in range(4):
        opt.zero_grad()
        loss = distill_loss(student, batch)
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0]


def test_teacher_batches_turn_the_stream_into_segments():
    base = tiny()
    x, t, cond = inputs(3)
    stream = lambda step: {"x": x, "t": t, "noise": x, "cond": cond}   # noqa: E731
    batch = TeacherBatches(stream, base.net, TINY_CONFIG,
                           DistillConfig(steps=2, per_step=1, bf16=False))(0)
    assert batch["x"].shape == (6, 3, 64, 64) and batch["target"].shape == (6, 3, 64, 64)


def test_config_checks_say_what_is_accepted():
    with pytest.raises(InputError, match="--steps must be 1 to 8"):
        DistillConfig(steps=20).check(TINY_CONFIG)
    with pytest.raises(InputError, match="unknown sampler"):
        DistillConfig(teacher_sampler="warp").check(TINY_CONFIG)
    eps = replace(TINY_CONFIG, objective=replace(TINY_CONFIG.objective, kind="eps"),
                  sampler="ddim")
    with pytest.raises(InputError, match="flow-matching"):
        DistillConfig().check(eps)


@pytest.fixture()
def student_dir(tmp_path):
    """A 'student' of the tiny model: other weights, 1 Euler step."""
    net, config = tiny().net, replace(TINY_CONFIG, steps=1, sampler="flow_euler")
    with torch.no_grad():
        other = UNet(config.unet)
        other.load_state_dict({k: v + 0.01 for k, v in net.state_dict().items()})
    save_text2img(tmp_path / "student", other, config)
    return tmp_path / "student"


def test_student_method_swaps_weights_and_steps(student_dir, tmp_path):
    base = tiny()
    m = apply_recipe(base, f"student={student_dir}+bf16")
    assert (m.config.sampler, m.config.steps) == ("flow_euler", 1)
    assert m.methods == (f"student={student_dir}", "bf16")
    expected, _ = load_text2img(student_dir)
    assert torch.equal(m.net.stem.weight, expected.stem.weight)
    assert not torch.equal(base.net.stem.weight, expected.stem.weight)   # input untouched
    # saved and loaded: the weights are the student's, the student folder is not needed
    files = save_accelerated(tmp_path / "fast", m)
    assert "model.safetensors" in {f.name for f in files}
    loaded = load_accelerated(tmp_path / "fast")
    assert loaded.methods == m.methods and loaded.config.steps == 1
    assert torch.equal(loaded.net.stem.weight.float(), m.net.stem.weight.bfloat16().float())


def test_student_method_mistakes(student_dir, tmp_path):
    with pytest.raises(AccelError, match="goes first in a recipe"):
        apply_recipe(tiny(), f"bf16+student={student_dir}")
    with pytest.raises(AccelError, match="student="):
        apply_recipe(tiny(), f"student={tmp_path / 'nowhere'}")
    other = replace(TINY_CONFIG, unet=UNetConfig(channels=(8, 16), heads=2, emb_dim=32))
    save_text2img(tmp_path / "other", UNet(other.unet), other)
    with pytest.raises(AccelError, match="not a distilled copy of this model"):
        apply_recipe(tiny(), f"student={tmp_path / 'other'}")


def test_presets_skip_rows_that_blur_the_picture():
    def row(name, speed, faith, psnr):
        return {"name": name, "methods": name.split("+"), "images_per_s": speed,
                "latency_ms": 1.0, "faithfulness": faith, "psnr": psnr}
    report = {"rows": [row("original", 10, 1.0, 33.7), row("steps=flow_euler/50", 2, 1.0, 33.4),
                       row("steps=flow_dpmpp/3", 30, 1.0, 32.4),
                       row("steps=flow_euler/1", 90, 1.0, 27.4)]}
    chosen = {k: v["recipe"] for k, v in choose_presets(report).items()}
    assert chosen["turbo"] == "steps=flow_dpmpp/3"        # one plain step: faithful but blurred


@pytest.mark.slow      # trains 2 steps and scores 4 plans three ways: ~30 s on 2 cores
def test_train_distill_cli_writes_a_student_and_its_card(tmp_path, capsys):
    teacher = write_tiny_model(tmp_path / "teacher")
    out = tmp_path / "student"
    code = main(["train", "distill", "--teacher", str(teacher), "--steps", "1",
                 "--per-step", "2", "--train-steps", "2", "--batch-size", "2",
                 "--eval-n", "4", "--out", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads(captured.out)
    assert summary["steps"] == 2 and len(summary["metrics"]) == 3
    config = json.loads((out / "config.json").read_text())
    assert (config["sampler"], config["steps"]) == ("flow_euler", 1)
    assert "train distill" in (out / "card.md").read_text()
    assert apply_recipe(from_text2img(*load_text2img(teacher)), f"student={out}").config.steps == 1


def test_train_distill_refuses_bad_steps(tmp_path, capsys):
    code = main(["train", "distill", "--steps", "20", "--out", str(tmp_path / "x")])
    assert code == 2 and "20" in capsys.readouterr().err
