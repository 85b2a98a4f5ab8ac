"""Every acceleration method stays close to the fp32 model it started from (tiny UNet).

Tolerances, as relative rms error of one network call against fp32 (`rel_rms`):
- channels_last, onnx: the same fp32 arithmetic in another order: 1e-5.
- openvino: fp32 (1e-5) or, where the CPU has native bf16, bf16 for every op rather than
  autocast's matmuls and convolutions: 5% (3.5% measured here; bundled model: 0.5-0.7%).
- bf16: 8 mantissa bits, ~0.4% rounding per op through ~20 layers: 3% (bundled model: 0.45%).
- int8 (dynamic, Linear only): the embedding MLPs in int8: 3% (bundled model: 0.26%).
- onnx-int8 (static, convolutions): 25% on this random tiny net, whose activations are far
  less regular than a trained one's (bundled model: 2-10%); its quality cost is measured by
  faithfulness in `turbogen bench`, not here.
"""
import numpy as np
import pytest
import torch

from turbogen.accel.model import from_text2img
from turbogen.accel.registry import METHODS, apply_recipe, parse_recipe
from turbogen.accel.text_cache import CachedEncoder
from turbogen.errors import AccelError
from turbogen.models.unet import UNet

from text2img_fixtures import TINY_CONFIG


def tiny():
    torch.manual_seed(0)
    net = UNet(TINY_CONFIG.unet).eval()
    with torch.no_grad():
        for p in net.parameters():
            if p.abs().sum() == 0 and p.ndim == 4:
                p.normal_(0, 0.05)
    return from_text2img(net, TINY_CONFIG)


def inputs(n=2, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, 64, 64, generator=g)
    t = torch.rand(n, generator=g)
    layout = torch.zeros(n, 15, 64, 64)
    layout[:, 11:15] = 1.0                       # a white background, layout present
    layout[:, :5, 16:40, 16:40] = torch.eye(5)[1][:, None, None]   # a square in a box
    text = torch.cat([torch.nn.functional.normalize(torch.randn(n, 384, generator=g), dim=1),
                      torch.ones(n, 1)], dim=1)
    return x, t, {"layout": layout, "text": text}


def rel_rms(out, ref):
    return float((out - ref).pow(2).mean().sqrt() / ref.pow(2).mean().sqrt())


@pytest.mark.parametrize("recipe,tol", [("channels_last", 1e-5), ("bf16", 0.03),
                                        ("int8", 0.03), ("onnx", 1e-5)])
def test_method_stays_close_to_fp32(recipe, tol):
    base = tiny()
    x, t, cond = inputs()
    with torch.no_grad():
        ref = base.net(x, t, cond)
        out = apply_recipe(base, recipe).denoiser(x, t, cond)
    assert out.shape == ref.shape and out.dtype == torch.float32
    assert rel_rms(out, ref) < tol


def test_onnx_int8_calibrated_on_real_plans_stays_close():
    base = tiny()
    x, t, cond = inputs(4)
    from turbogen.accel.calibration import calibration_batches
    calibration = calibration_batches(base.net, TINY_CONFIG, n=4)   # real plans, 3 steps
    m = apply_recipe(base, "onnx-int8", calibration=calibration)
    with torch.no_grad():
        ref = base.net(x, t, cond)
    assert m.backend == "onnx" and rel_rms(m.denoiser(x, t, cond), ref) < 0.25


def test_methods_do_not_change_their_input():
    base = tiny()
    before = {k: v.clone() for k, v in base.net.state_dict().items()}
    for recipe in ("channels_last", "bf16", "int8"):
        apply_recipe(base, recipe)
    assert base.methods == ()
    assert all(torch.equal(before[k], v) for k, v in base.net.state_dict().items())
    assert base.net.stem.weight.is_contiguous()        # not turned channels_last in place


def test_steps_sets_sampler_and_count():
    m = apply_recipe(tiny(), "steps=flow_dpmpp/4")
    assert (m.config.sampler, m.config.steps) == ("flow_dpmpp", 4)
    assert m.methods == ("steps=flow_dpmpp/4",)


def test_recipes_compose_in_order():
    m = apply_recipe(tiny(), "channels_last+steps=flow_euler/2+onnx+cache+batch=8")
    assert m.methods == ("channels_last", "steps=flow_euler/2", "onnx", "cache", "batch=8")
    assert (m.backend, m.text_cache, m.batch_size, m.config.steps) == ("onnx", True, 8, 2)


@pytest.mark.parametrize("recipe,message", [
    ("turbo", "valid methods: steps, channels_last"),
    ("steps", "steps=SAMPLER/N"),
    ("steps=ddim/4", "this model predicts flow"),
    ("steps=flow_euler/0", "from 1 to 1000"),
    ("onnx=2", "takes no argument"),
    ("batch=big", "batch size from 1 to 1024"),
    ("onnx+bf16", "already runs on onnx"),
    ("bf16+int8", "apply int8 to the fp32 model"),
])
def test_bad_recipes_say_what_is_wrong(recipe, message):
    with pytest.raises(AccelError, match=message):
        apply_recipe(tiny(), recipe)


def test_calibration_of_the_wrong_shape_is_refused():
    bad = [{"x": np.zeros((2, 3, 32, 32), np.float32), "t": np.zeros(2, np.float32),
            "layout": np.zeros((2, 15, 64, 64), np.float32),
            "text": np.zeros((2, 385), np.float32)}]
    with pytest.raises(AccelError, match=r"'x' has shape \(2, 3, 32, 32\), expected "
                                         r"\(batch, 3, 64, 64\)"):
        apply_recipe(tiny(), "onnx-int8", calibration=bad)
    no_text = {k: v for k, v in bad[0].items() if k != "text"}
    no_text["x"] = np.zeros((2, 3, 64, 64), np.float32)
    with pytest.raises(AccelError, match="has no 'text' input"):
        apply_recipe(tiny(), "onnx-int8", calibration=[no_text])


def test_every_method_has_a_description():
    assert all(m.description for m in METHODS.values())
    assert parse_recipe("steps=flow_heun/3+onnx") == [("steps", "flow_heun/3"), ("onnx", None)]


def test_text_cache_encodes_each_text_once():
    calls = []

    def encode(texts):
        calls.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts], np.float32)

    cache = CachedEncoder(encode, size=2)
    first = cache(["a red circle", "two stars", "a red circle"])
    again = cache(["two stars", "a red circle"])
    assert calls == [["a red circle", "two stars"]]
    assert np.array_equal(first[[1, 0]], again) and (cache.hits, cache.misses) == (3, 2)
    cache(["blue"])                                      # evicts the least recent
    assert list(cache.vectors) == ["a red circle", "blue"]


@pytest.mark.slow      # Inductor compiles for ~20 s on 2 cores
def test_compile_stays_close_to_fp32():
    base = tiny()
    x, t, cond = inputs()
    with torch.no_grad():
        ref = base.net(x, t, cond)
        out = apply_recipe(base, "compile").denoiser(x, t, cond)
    assert rel_rms(out, ref) < 1e-4       # fused fp32 kernels: same sums, another order


def test_openvino_stays_close_to_fp32():
    pytest.importorskip("openvino")
    from turbogen.accel.autocast import cpu_has_fast_bf16
    base = tiny()
    x, t, cond = inputs()
    m = apply_recipe(base, "steps=flow_euler/2+openvino+batch=4")
    with torch.no_grad():
        ref, out = base.net(x, t, cond), m.denoiser(x, t, cond)
    assert m.backend == "openvino" and m.config.steps == 2 and m.onnx_model is not None
    assert out.shape == ref.shape and out.dtype == torch.float32
    assert rel_rms(out, ref) < (0.05 if cpu_has_fast_bf16() else 1e-5)
    with pytest.raises(AccelError, match="already runs on openvino"):
        apply_recipe(m, "bf16")
