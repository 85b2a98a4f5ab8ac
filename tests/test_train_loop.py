"""The training loop: generic on a toy model, checkpoints, resume, and the tiny recipe."""
import json

import pytest
import torch

from turbogen.errors import InputError
from turbogen.train.callbacks import EMA, Checkpointing, LossPlot
from turbogen.train.checkpoint import latest_checkpoint, optimizer_from_files, optimizer_to_files
from turbogen.train.loop import Trainer


def toy(seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Linear(3, 1)
    opt = torch.optim.AdamW(model.parameters(), lr=0.05)
    w = torch.tensor([[1.0, -2.0, 0.5]])

    def batches(step):
        x = torch.randn(16, 3, generator=torch.Generator().manual_seed(step))
        return {"x": x, "y": x @ w.T}

    def loss_fn(m, batch):
        return (m(batch["x"]) - batch["y"]).pow(2).mean()
    return model, opt, batches, loss_fn


def test_loop_learns_and_logs(tmp_path):
    model, opt, batches, loss_fn = toy()
    ema = EMA(0.9)
    trainer = Trainer(model, opt, batches, loss_fn, max_steps=60, log_every=10,
                      callbacks=[ema, LossPlot(tmp_path, every=0)], amp_dtype=None)
    state = trainer.fit()
    assert state.step == 60 and state.images == 960 and trainer.stop_reason == "step limit"
    assert state.losses[-1][1] < 0.1 * state.losses[0][1]
    assert (tmp_path / "loss_curve.png").stat().st_size > 1000
    assert ema.module(model).weight.shape == (1, 3)


def test_time_limit_stops():
    model, opt, batches, loss_fn = toy()
    trainer = Trainer(model, opt, batches, loss_fn, max_steps=10**9, max_seconds=0.2)
    assert trainer.fit().step < 10**9 and trainer.stop_reason == "time limit"


def test_optimizer_state_round_trip():
    model, opt, batches, loss_fn = toy()
    Trainer(model, opt, batches, loss_fn, max_steps=3).fit()
    tensors, meta = optimizer_to_files(opt)
    meta = json.loads(json.dumps(meta))
    fresh = torch.optim.AdamW(model.parameters(), lr=0.05)
    fresh.load_state_dict(optimizer_from_files(tensors, meta))
    a, b = opt.state_dict()["state"][0], fresh.state_dict()["state"][0]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_continues_exactly(tmp_path):
    # 6 steps straight vs 3 steps, checkpoint, new process state, 3 more: same weights
    model, opt, batches, loss_fn = toy()
    Trainer(model, opt, batches, loss_fn, max_steps=6, callbacks=[EMA()]).fit()
    straight = model.weight.detach().clone()

    model, opt, batches, loss_fn = toy()
    ckpt = Checkpointing(tmp_path / "ck", every_s=1e9)
    Trainer(model, opt, batches, loss_fn, max_steps=3, callbacks=[EMA(), ckpt]).fit()
    assert latest_checkpoint(tmp_path / "ck").name == "step-0000003"

    model, opt, batches, loss_fn = toy(seed=1)          # different initial weights
    ema, ckpt = EMA(), Checkpointing(tmp_path / "ck", every_s=1e9)
    trainer = Trainer(model, opt, batches, loss_fn, max_steps=6, callbacks=[ema, ckpt])
    assert ckpt.restore(trainer) and trainer.state.step == 3
    trainer.fit()
    assert trainer.state.step == 6
    assert torch.allclose(model.weight, straight, atol=1e-6)
    assert [p.name for p in (tmp_path / "ck").iterdir() if p.is_dir()] == ["step-0000006"]


@pytest.mark.slow
def test_tiny_recipe_trains_3_steps_and_resumes(tmp_path):
    from turbogen.pipelines.text2img_model import load_text2img
    from turbogen.train.recipes.text2img_shapes64 import get_recipe, run_recipe
    out = tmp_path / "run"
    summary = run_recipe(get_recipe("tiny"), out, log=lambda m: None)
    assert summary["steps"] == 3
    for name in ("config.json", "model.safetensors", "card.md", "samples.png",
                 "loss_curve.png"):
        assert (out / name).is_file(), name
    load_text2img(out)
    with pytest.raises(InputError, match="--resume"):
        run_recipe(get_recipe("tiny"), out, log=lambda m: None)
    summary = run_recipe(get_recipe("tiny"), out, resume=True, steps=5, log=lambda m: None)
    assert summary["steps"] == 5
    assert "resum" not in summary["stop_reason"]


def test_thread_tuner_settles_on_a_count(monkeypatch):
    from turbogen.train.callbacks import ThreadTuner
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        tuner = ThreadTuner(every=4, window=2)
        model, opt, batches, loss_fn = toy()
        trainer = Trainer(model, opt, batches, loss_fn, max_steps=14, callbacks=[tuner])
        trainer.fit()
        assert trainer.state.extra["threads"] in (1, 2)
        assert torch.get_num_threads() == trainer.state.extra["threads"]
    finally:
        torch.set_num_threads(before)
