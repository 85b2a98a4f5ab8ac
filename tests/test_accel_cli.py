"""`turbogen accel`: write a faster model folder, load it back, refuse what cannot work."""
import json

import numpy as np
import pytest

from text2img_fixtures import write_tiny_model
from turbogen.accel.folder import load_accelerated
from turbogen.cli.main import main
from turbogen.pipelines.text2img import Text2Img

PROMPT = "two red circles on black"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return str(write_tiny_model(tmp_path_factory.mktemp("model")))


def run(capsys, *args):
    code = main(["accel", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def draw(model):
    return Text2Img.load(model)([PROMPT], seed=1).images


def test_list_and_help_name_every_method(capsys):
    code, out, _ = run(capsys, "--list")
    assert code == 0 and "onnx-int8" in out and "steps=SAMPLER/N" in out
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "channels_last" in out


def test_onnx_folder_draws_what_the_original_draws(tmp_path, capsys, model_dir):
    out = tmp_path / "fast"
    code, stdout, err = run(capsys, model_dir, "-m", "onnx+cache", "-o", out, "--json")
    assert code == 0, err
    report = json.loads(stdout)
    assert report["backend"] == "onnx" and set(report["files"]) >= {"model.onnx", "config.json"}
    assert json.loads((out / "config.json").read_text())["accel"]["methods"] == ["onnx", "cache"]
    original, fast = draw(model_dir), draw(out)
    # fp32 ONNX Runtime vs eager: the same sums in another order, at most a level here and there
    assert np.abs(original.astype(int) - fast.astype(int)).max() <= 2


def test_torch_methods_are_replayed_on_load(tmp_path, capsys, model_dir):
    out = tmp_path / "int8"
    code, _, err = run(capsys, model_dir, "-m", "steps=flow_heun/2", "-m", "int8", "-o", out)
    assert code == 0, err
    loaded = load_accelerated(out)
    assert loaded.methods == ("steps=flow_heun/2", "int8") and loaded.backend == "torch-int8"
    assert (loaded.config.sampler, loaded.config.steps) == ("flow_heun", 2)
    assert draw(out).shape == (1, 64, 64, 3)


@pytest.mark.parametrize("args,message", [
    (["-m", "fast"], "unknown acceleration method 'fast'; valid methods: steps"),
    (["-m", "onnx+bf16"], "bf16 rewrites a PyTorch network, but this model already runs on onnx"),
    ([], "give MODEL, at least one --method and -o OUT"),
])
def test_mistakes_are_one_line_and_write_nothing(tmp_path, capsys, model_dir, args, message):
    out = tmp_path / "out"
    code, _, err = run(capsys, model_dir, *args, *(["-o", out] if args else []))
    assert code == 2 and err.startswith("error: ") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_openvino_folder_is_saved_as_onnx_and_reloaded(tmp_path, capsys, model_dir):
    pytest.importorskip("openvino")
    out = tmp_path / "ov"
    code, stdout, err = run(capsys, model_dir, "-m", "openvino+batch=8", "-o", out, "--json")
    assert code == 0, err
    assert json.loads(stdout)["backend"] == "openvino" and (out / "model.onnx").is_file()
    loaded = load_accelerated(out)
    assert loaded.methods == ("openvino", "batch=8") and loaded.backend == "openvino"
    # bf16 where native: a few levels here and there, never a different picture
    assert np.abs(draw(model_dir).astype(int) - draw(out).astype(int)).mean() < 2


@pytest.mark.parametrize("method", ["onnx", "openvino"])
def test_onnx_file_from_another_version_is_refused(tmp_path, capsys, model_dir, method):
    import onnx
    if method == "openvino":
        pytest.importorskip("openvino")
    out = tmp_path / "old"
    assert run(capsys, model_dir, "-m", method, "-o", out)[0] == 0
    proto = onnx.load(str(out / "model.onnx"))
    onnx.helper.set_model_props(proto, {"turbogen_version": "0.0.1"})
    onnx.save(proto, str(out / "model.onnx"))
    code = main(["generate", PROMPT, "--model", str(out), "-o", str(tmp_path / "x.png")])
    err = capsys.readouterr().err
    assert code == 2 and "written by turbogen 0.0.1" in err and "export it again" in err
    assert not (tmp_path / "x.png").exists()


def test_existing_output_needs_overwrite(tmp_path, capsys, model_dir):
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = run(capsys, model_dir, "-m", "channels_last", "-o", tmp_path)
    assert code == 2 and "--overwrite" in err and (tmp_path / "keep.txt").exists()
