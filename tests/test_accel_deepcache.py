"""DeepCache: the UNet's split forward equals the whole one; cached calls reuse the deep path
only within one sampling run; the method composes (and refuses to) as documented."""
import pytest
import torch

from turbogen.accel.registry import apply_recipe
from turbogen.errors import AccelError

from test_accel_methods import inputs, rel_rms, tiny


def test_split_forward_is_the_forward():
    net = tiny().net
    x, t, cond = inputs()
    with torch.no_grad():
        emb = net.embed(t, cond)
        skip = net.shallow_down(x, cond, emb)
        assert torch.equal(net.shallow_up(net.deep(skip, emb), skip, emb), net(x, t, cond))


def test_full_call_every_interval_and_cached_ones_between():
    base = tiny()
    m = apply_recipe(base, "deepcache=2")
    x, t, cond = inputs()
    with torch.no_grad():
        calls = [(x + 0.1 * k, t * (1 - 0.1 * k)) for k in range(3)]
        full = [base.net(xk, tk, cond) for xk, tk in calls]
        cached = [m.denoiser(xk, tk, cond) for xk, tk in calls]
        # a call that reuses the deep path is not the full UNet's answer, but near it
        assert torch.allclose(cached[0], full[0], atol=1e-5)
        assert not torch.allclose(cached[1], full[1], atol=1e-5)
        assert rel_rms(cached[1], full[1]) < 0.5
        assert torch.allclose(cached[2], full[2], atol=1e-5)


def test_a_new_run_never_sees_the_last_runs_features():
    base = tiny()
    m = apply_recipe(base, "deepcache=3")
    x, t, cond = inputs()
    with torch.no_grad():
        m.denoiser(x, t * 0.9, cond)
        m.denoiser(x, t * 0.5, cond)                     # cached call
        later = m.denoiser(x + 1, t, cond)               # t went back up: a new run
        assert torch.allclose(later, base.net(x + 1, t, cond), atol=1e-5)
        m.denoiser(x, t * 0.5, cond)
        m.denoiser.start_run()                           # what pipelines.text2img.draw calls
        assert torch.allclose(m.denoiser(x, t * 0.1, cond), base.net(x, t * 0.1, cond),
                              atol=1e-5)
        other = inputs(n=3)                              # another batch shape: a new run
        assert torch.allclose(m.denoiser(*other), base.net(*other), atol=1e-5)


def test_deepcache_after_bf16_keeps_its_precision():
    pytest.importorskip("torch")
    from turbogen.accel.autocast import cpu_has_fast_bf16
    if not cpu_has_fast_bf16():
        pytest.skip("bf16 needs native bf16")
    base = tiny()
    m = apply_recipe(base, "bf16+deepcache=2")
    x, t, cond = inputs()
    with torch.no_grad():
        assert rel_rms(m.denoiser(x, t, cond), base.net(x, t, cond)) < 0.03


@pytest.mark.parametrize("recipe,message", [
    ("deepcache", "takes an argument"),
    ("deepcache=1", "every 2nd to 10th call"),
    ("deepcache=x", "every 2nd to 10th call"),
    ("deepcache=2+bf16", "apply bf16 before deepcache=2"),
    ("deepcache=2+onnx", "apply onnx before deepcache=2"),
    ("onnx+deepcache=2", "already runs on onnx"),
])
def test_bad_deepcache_recipes_say_what_to_do(recipe, message):
    with pytest.raises(AccelError, match=message):
        apply_recipe(tiny(), recipe)


def test_every_sampling_run_starts_with_a_full_call():
    """One-step runs with the same batch shape: t never goes back up, so only the pipelines'
    start_run (draw, masked redraw) keeps the second run off the first one's features."""
    from turbogen.pipelines.text2img import start_run
    base = tiny()
    m = apply_recipe(base, "deepcache=2")
    x, t, cond = inputs()
    with torch.no_grad():
        start_run(m.denoiser)
        m.denoiser(x, t, cond)
        start_run(m.denoiser)
        assert torch.allclose(m.denoiser(x + 1, t, cond), base.net(x + 1, t, cond), atol=1e-5)
        start_run(base.net)                  # a denoiser without state: nothing to do
