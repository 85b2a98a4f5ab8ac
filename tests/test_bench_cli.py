"""`turbogen bench` on a tiny model: every row measured, the plot, presets, bad input."""
import json
from pathlib import Path

import pytest

from text2img_fixtures import write_tiny_model
from turbogen.accel.presets import choose_presets
from turbogen.cli.main import main

ROW_KEYS = {"name", "methods", "latency_ms", "images_per_s", "best_batch", "peak_memory_mb",
            "size_mb", "faithfulness", "speedup", "latency_speedup", "faithfulness_delta_points"}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return str(write_tiny_model(tmp_path_factory.mktemp("model")))


def test_bench_one_row_beside_the_original(tmp_path, capsys, model_dir):
    code = main(["bench", model_dir, "-m", "cache", "--limit", "2", "--batches", "1",
                 "--reps", "1", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert [r["name"] for r in report["rows"]] == ["original", "cache"]
    assert all(ROW_KEYS <= set(r) for r in report["rows"]) and report["pareto"]


@pytest.mark.slow      # a 50-step row, ONNX export and the presets: ~1 min on 2 cores
def test_bench_rows_plot_and_presets(tmp_path, capsys, model_dir):
    plot = tmp_path / "pareto.png"
    code = main(["bench", model_dir, "-m", "steps=flow_euler/2+onnx", "-m", "cache",
                 "--limit", "3", "--batches", "1,2", "--reps", "1", "--plot", str(plot),
                 "--choose-presets", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    names = [r["name"] for r in report["rows"]]
    assert names == ["original", "steps=flow_euler/50", "steps=flow_euler/2+onnx", "cache"]
    assert all(ROW_KEYS <= set(r) for r in report["rows"])
    assert report["rows"][0]["speedup"] == 1.0 and report["machine"]["versions"]["torch"]
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    presets = json.loads((Path(model_dir) / "presets.json").read_text())["presets"]
    assert set(presets) == {"quality", "balanced", "fast", "turbo"}
    assert presets["quality"]["recipe"] == "steps=flow_euler/50"
    image = tmp_path / "turbo.png"
    assert main(["generate", "a red circle", "--model", model_dir, "--preset", "turbo",
                 "-o", str(image)]) == 0
    assert image.exists()


def rows(*specs):
    return {"rows": [{"name": n, "methods": n.split("+"), "images_per_s": s, "latency_ms": 1.0,
                      "faithfulness": f} for n, s, f in specs]}


def test_presets_keep_within_their_points_of_quality():
    report = rows(("original", 10, 0.90), ("steps=flow_euler/50", 2, 0.91),
                  ("steps=flow_dpmpp/4", 20, 0.905), ("steps=flow_dpmpp/2", 40, 0.895),
                  ("steps=flow_dpmpp/1", 80, 0.80), ("compile", 100, 0.91))
    chosen = {k: v["recipe"] for k, v in choose_presets(report).items()}
    assert chosen == {"quality": "steps=flow_euler/50", "balanced": "steps=flow_euler/50",
                      "fast": "steps=flow_dpmpp/4", "turbo": "steps=flow_dpmpp/2"}


@pytest.mark.parametrize("args,message", [
    (["--batches", "16,x"], "--batches must be sizes from 1 to 1024"),
    (["-m", "warp"], "unknown acceleration method 'warp'"),
    (["--plot", "p.jpg"], "give a name ending in .png"),
])
def test_bench_mistakes(capsys, model_dir, args, message):
    assert main(["bench", model_dir, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_preset_without_presets_file(tmp_path, capsys):
    folder = write_tiny_model(tmp_path / "m")
    code = main(["generate", "a red circle", "--model", str(folder), "--preset", "fast",
                 "-o", str(tmp_path / "x.png")])
    assert code == 2 and "--choose-presets" in capsys.readouterr().err
