"""Acceleration of classic generators (GAN, DCGAN, VAE decoder): each method stays close to the
fp32 generator, folders round-trip through `turbogen accel` / `sample`, bad input is refused.

Tolerances, as relative rms error of the images (0..1) against the fp32 generator's:
- channels_last, onnx: the same fp32 arithmetic in another order: 1e-5.
- bf16: 8 mantissa bits through 4 layers: 2% (bundled dcgan-mnist: 0.44%, vae-mnist: 0.28%).
- int8 (dynamic, the Linear projection): 5% (bundled dcgan-mnist: 2.5%).
- onnx-int8 (static, the transposed convolutions): 10% on these random tiny nets
  (bundled dcgan-mnist: 1.3%, vae-mnist: 1.0%); its quality cost is FID in `turbogen bench`.
"""
import json

import numpy as np
import pytest
import torch

from turbogen.accel.generator import as_classic, from_classic, load_generator
from turbogen.accel.generator_onnx import input_shapes
from turbogen.accel.registry import apply_recipe
from turbogen.cli.main import main
from turbogen.errors import AccelError
from turbogen.eval.pareto import pareto_front
from turbogen.models.dcgan import DCGANConfig, DCGANGenerator
from turbogen.models.gan import MLPGANConfig, MLPGenerator
from turbogen.models.vae import VAE, VAEConfig
from turbogen.pipelines.classic_model import ClassicModel, save_classic
from turbogen.pipelines.classic_sample import sample

CONFIGS = {"dcgan": (DCGANConfig(image_size=8, num_classes=2, z_dim=8, embed_dim=4, g_width=4),
                     DCGANGenerator),
           "vae": (VAEConfig(image_size=8, z_dim=4, width=4), VAE),
           "gan": (MLPGANConfig(image_size=8, z_dim=8, g_hidden=(16,)), MLPGenerator)}
TOLERANCES = [("channels_last", 1e-5), ("bf16", 0.02), ("int8", 0.05), ("onnx", 1e-5),
              ("onnx-int8", 0.10)]


def tiny(kind: str) -> ClassicModel:
    torch.manual_seed(0)
    config, cls = CONFIGS[kind]
    return ClassicModel(kind, config, cls(config).eval(), "mnist", ("a", "b")[:config.num_classes])


def rel_rms(out, ref):
    return float((out - ref).pow(2).mean().sqrt() / ref.pow(2).mean().sqrt())


def draws(classic, n=32, seed=3):
    return sample(classic, n, seed=seed)[0]


@pytest.mark.parametrize("kind", ["dcgan", "vae"])
@pytest.mark.parametrize("recipe,tol", TOLERANCES)
def test_method_stays_close_to_fp32(kind, recipe, tol):
    base = from_classic(tiny(kind))
    ref = draws(as_classic(base))
    out = draws(as_classic(apply_recipe(base, recipe)))
    assert out.shape == ref.shape and out.dtype == torch.float32
    assert rel_rms(out, ref) < tol


def test_mlp_gan_takes_the_torch_methods_and_says_why_not_onnx_int8():
    base = from_classic(tiny("gan"))
    ref = draws(as_classic(base))
    for recipe, tol in [("bf16", 0.02), ("int8", 0.05), ("onnx", 1e-5)]:
        assert rel_rms(draws(as_classic(apply_recipe(base, recipe))), ref) < tol
    with pytest.raises(AccelError, match="has none.*use int8"):
        apply_recipe(base, "onnx-int8")


def test_batch_sets_the_draw_batch_and_keeps_the_images():
    base = from_classic(tiny("dcgan"))
    fast = as_classic(apply_recipe(base, "batch=4"))
    assert fast.batch_size == 4
    assert torch.allclose(draws(fast, n=10), draws(as_classic(base), n=10), atol=1e-6)


@pytest.mark.parametrize("recipe,why", [("steps=flow_euler/4", "one network call"),
                                        ("cache", "no prompt"),
                                        ("student=x", "multi-step sampler")])
def test_methods_that_do_not_fit_say_why_and_list_those_that_do(recipe, why):
    with pytest.raises(AccelError, match=why) as err:
        apply_recipe(from_classic(tiny("dcgan")), recipe)
    assert "dcgan generator" in str(err.value) and "onnx-int8" in str(err.value)


def test_unknown_method_lists_the_valid_ones():
    with pytest.raises(AccelError, match="valid methods: .*bf16.*onnx-int8"):
        apply_recipe(from_classic(tiny("dcgan")), "fp8")


def test_calibration_of_the_wrong_shape_is_refused():
    base = from_classic(tiny("dcgan"))
    assert input_shapes(base.config) == {"z": (8,), "y": ()}
    bad = [{"z": np.zeros((4, 7), np.float32), "y": np.zeros(4, np.int64)}]
    with pytest.raises(AccelError, match="'z' has shape"):
        apply_recipe(base, "onnx-int8", calibration=bad)


@pytest.fixture()
def folders(tmp_path):
    made = {}
    for kind in ("dcgan", "vae"):
        m = tiny(kind)
        save_classic(tmp_path / kind, kind, m.config, m.module, m.data, m.classes)
        made[kind] = tmp_path / kind
    return made


@pytest.mark.parametrize("kind,recipe,tol", [("dcgan", "bf16", 0.02), ("dcgan", "onnx-int8", 0.1),
                                             ("vae", "onnx", 1e-5), ("vae", "int8+batch=8", 0.05)])
def test_accel_folder_round_trips_into_sample(tmp_path, folders, capsys, kind, recipe, tol):
    out = tmp_path / "fast"
    assert main(["accel", str(folders[kind]), "-m", recipe, "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == kind and report["methods"] == recipe.split("+")
    loaded = load_generator(out)
    assert loaded.draw is not None
    ref = draws(load_generator(folders[kind]))
    assert rel_rms(draws(loaded), ref) < tol
    assert main(["sample", str(out), "-n", "4", "--out", str(tmp_path / "drawn")]) == 0
    assert (tmp_path / "drawn" / "grid.png").is_file()


def test_onnx_folder_from_another_version_is_refused(tmp_path, folders, capsys):
    import onnx
    out = tmp_path / "fast"
    assert main(["accel", str(folders["dcgan"]), "-m", "onnx", "-o", str(out)]) == 0
    proto = onnx.load(str(out / "model.onnx"))
    onnx.helper.set_model_props(proto, {"turbogen_version": "0.0.1"})
    onnx.save(proto, str(out / "model.onnx"))
    assert main(["sample", str(out), "-n", "2", "--out", str(tmp_path / "d")]) == 2
    assert "written by turbogen 0.0.1" in capsys.readouterr().err


def test_cli_refuses_unfit_methods_and_non_generators(tmp_path, folders, capsys):
    assert main(["accel", str(folders["vae"]), "-m", "steps=flow_euler/4", "-o",
                 str(tmp_path / "x")]) == 2
    assert "does not apply to a vae generator" in capsys.readouterr().err
    assert main(["accel", "classifier-mnist", "-m", "bf16", "-o", str(tmp_path / "y")]) == 2
    assert "'classifier' checkpoint" in capsys.readouterr().err
    assert main(["accel", "sr-x2", "-m", "bf16", "-o", str(tmp_path / "z")]) == 2
    assert "restoration network" in capsys.readouterr().err


def test_pareto_front_on_fid_prefers_lower():
    rows = [{"name": "a", "images_per_s": 10, "fid": 5.0},
            {"name": "b", "images_per_s": 20, "fid": 5.5},
            {"name": "c", "images_per_s": 15, "fid": 6.0}]
    assert pareto_front(rows, "fid") == ["a", "b"]


# sr-x2 (kind "image"): the bundled network on real low-resolution tiles (training photos).
# bf16: 0.05% measured -> 0.5%; onnx-int8: 0.25% measured -> 1%.
@pytest.mark.parametrize("recipe,tol", [("channels_last", 1e-5), ("bf16", 0.005),
                                        ("onnx", 1e-5), ("onnx-int8", 0.01)])
def test_sr_method_stays_close_to_fp32(recipe, tol):
    from turbogen.accel.restore_accel import from_restore
    from turbogen.pipelines.realesrgan import calibration_tiles
    base = from_restore("sr-x2")
    x = torch.from_numpy(np.concatenate(calibration_tiles(2, 32, seed=1, scale=2)))
    with torch.no_grad():
        ref = base.denoiser(x)
        out = apply_recipe(base, recipe).denoiser(x)
    assert out.shape == (2, 3, 64, 64) and rel_rms(out, ref) < tol


def test_sr_refuses_what_does_not_fit():
    from turbogen.accel.restore_accel import from_restore
    base = from_restore("sr-x2")
    with pytest.raises(AccelError, match="image-to-image network runs once"):
        apply_recipe(base, "steps=flow_euler/2")
    with pytest.raises(AccelError, match="has none; use onnx-int8"):
        apply_recipe(base, "int8")


def test_bench_refuses_unfit_methods_and_presets_for_generators(capsys):
    assert main(["bench", "dcgan-mnist", "-m", "cache"]) == 2
    assert "does not apply to a dcgan generator" in capsys.readouterr().err
    assert main(["bench", "vae-mnist", "--choose-presets"]) == 2
    assert "text-to-image presets" in capsys.readouterr().err


@pytest.mark.slow      # Inductor compiles for tens of seconds on 2 cores
def test_compile_stays_close_to_fp32():
    base = from_classic(tiny("dcgan"))
    ref = draws(as_classic(base))
    assert rel_rms(draws(as_classic(apply_recipe(base, "compile"))), ref) < 1e-4


def test_phase_conv_equals_transposed_conv_with_batchnorm():
    from turbogen.accel.generator_onnx import phase_convs
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.ConvTranspose2d(3, 5, 4, 2, 1), torch.nn.BatchNorm2d(5),
                              torch.nn.ReLU())
    with torch.no_grad():
        net[1].running_mean.normal_()
        net[1].running_var.uniform_(0.5, 2)
    net.eval()
    x = torch.randn(2, 3, 6, 7)
    with torch.no_grad():
        assert torch.allclose(phase_convs(net)(x), net(x), atol=1e-5)
