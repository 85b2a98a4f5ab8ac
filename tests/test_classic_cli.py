"""`turbogen train gan|dcgan|vae|classifier`, `sample`, `vae`, `eval MODEL` on tiny folders."""
import json

import pytest
from PIL import Image

from classic_fixtures import train_tiny, write_folder
from turbogen.cli.main import main


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_folder(tmp_path_factory.mktemp("digits"))


@pytest.fixture(scope="module")
def dcgan_dir(tmp_path_factory, folder):
    out = tmp_path_factory.mktemp("runs") / "dcgan"
    assert train_tiny("dcgan", folder, out, "--conditional") == 0
    return out


@pytest.fixture(scope="module")
def vae_dir(tmp_path_factory, folder):
    out = tmp_path_factory.mktemp("runs") / "vae"
    assert train_tiny("vae", folder, out, "--conditional") == 0
    return out


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory, folder):
    out = tmp_path_factory.mktemp("runs") / "clf"
    assert main(["train", "classifier", "--data", str(folder), "--epochs", "1",
                 "--out", str(out)]) == 0
    return out


def test_train_writes_model_folder(dcgan_dir):
    for name in ("config.json", "model.safetensors", "card.md", "samples.png", "loss_curve.png",
                 "train_summary.json"):
        assert (dcgan_dir / name).is_file(), name
    config = json.loads((dcgan_dir / "config.json").read_text())
    assert config["kind"] == "dcgan" and config["classes"] == ["bar", "dot"]
    assert config["model"]["num_classes"] == 2 and config["model"]["image_size"] == 8
    assert (dcgan_dir / "checkpoints" / "latest").is_file()


def test_resume_continues_and_refuses_without_flag(tmp_path, folder, capsys):
    out = tmp_path / "gan"
    assert train_tiny("gan", folder, out) == 0
    first = json.loads((out / "train_summary.json").read_text())["steps"]
    capsys.readouterr()
    assert train_tiny("gan", folder, out) == 2                  # an earlier run is there
    assert "--resume" in capsys.readouterr().err
    assert main(["train", "gan", "--data", str(folder), "--out", str(out), "--epochs", "4",
                 "--batch-size", "8", "--width", "4", "--classifier", "none", "--resume",
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["steps"] == 2 * first                        # 2 more epochs, not 4 fresh ones
    assert train_tiny("dcgan", folder, out, "--resume") == 2    # another model type's checkpoint
    assert "kind" in capsys.readouterr().err


def test_conditional_needs_labels(tmp_path, capsys):
    flat = tmp_path / "flat"
    flat.mkdir()
    for i in range(4):
        Image.new("L", (8, 8), 10 * i).save(flat / f"{i}.png")
    assert train_tiny("dcgan", flat, tmp_path / "out", "--conditional") == 2
    assert "labels" in capsys.readouterr().err


def test_sample_writes_files_and_grid(dcgan_dir, tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sample", str(dcgan_dir), "-n", "5", "--out", str(out), "--label", "dot",
                 "--seed", "3"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["0000.png", "0001.png", "0002.png", "0003.png", "0004.png", "grid.png",
                     "labels.txt"]
    assert Image.open(out / "0000.png").size == (8, 8)
    assert (out / "labels.txt").read_text().count("dot") == 5
    again = tmp_path / "s2"
    assert main(["sample", str(dcgan_dir), "-n", "5", "--out", str(again), "--label", "1",
                 "--seed", "3"]) == 0
    assert (out / "0003.png").read_bytes() == (again / "0003.png").read_bytes()   # seeded


@pytest.mark.parametrize("label", ["7", "cat", "-1"])
def test_sample_label_outside_classes(dcgan_dir, tmp_path, capsys, label):
    out = tmp_path / "bad"
    assert main(["sample", str(dcgan_dir), "-n", "2", "--out", str(out), "--label", label]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "bar, dot" in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_sample_rejects_other_model_types(classifier_dir, vae_dir, tmp_path, capsys):
    assert main(["sample", str(classifier_dir), "--out", str(tmp_path / "x")]) == 2
    assert "'classifier' checkpoint" in capsys.readouterr().err
    assert main(["vae", "reconstruct", "x.png", "--model", str(classifier_dir),
                 "--out", str(tmp_path / "y")]) == 2
    assert "takes vae" in capsys.readouterr().err


def test_truncated_or_missing_checkpoint(dcgan_dir, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((dcgan_dir / "config.json").read_text())
    data = (dcgan_dir / "model.safetensors").read_bytes()
    (broken / "model.safetensors").write_bytes(data[: len(data) // 2])
    assert main(["sample", str(broken), "--out", str(tmp_path / "o")]) == 2
    assert "damaged" in capsys.readouterr().err
    (broken / "config.json").write_text("{not json")
    assert main(["sample", str(broken), "--out", str(tmp_path / "o")]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["sample", "no-such-model", "--out", str(tmp_path / "o")]) == 2
    assert "neither a folder nor a bundled model" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_vae_reconstruct_and_interpolate(vae_dir, folder, tmp_path, capsys):
    a, b = folder / "bar" / "000.png", folder / "dot" / "001.png"
    out = tmp_path / "r"
    assert main(["vae", "reconstruct", str(a), str(b), "--model", str(vae_dir), "--label", "0",
                 "--out", str(out)]) == 0
    assert "PSNR" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["0000.png", "0001.png", "grid.png"]
    assert main(["vae", "reconstruct", str(a), "--model", str(vae_dir),
                 "--out", str(tmp_path / "r2")]) == 2                 # conditional: needs label
    assert "--label" in capsys.readouterr().err
    out = tmp_path / "i"
    assert main(["vae", "interpolate", str(a), str(b), "--steps", "4", "--model", str(vae_dir),
                 "--label", "bar", "--out", str(out)]) == 0
    assert len(list(out.glob("0*.png"))) == 4 and (out / "grid.png").is_file()


def test_eval_model_json(dcgan_dir, classifier_dir, folder, capsys):
    capsys.readouterr()
    assert main(["eval", str(dcgan_dir), "--classifier", str(classifier_dir),
                 "--data", str(folder), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("fid", "kid", "is", "precision", "recall", "label_accuracy", "classes",
                "real_floor"):
        assert key in result, key
    assert result["real_floor"]["n"] == 8


def test_eval_vae_reports_reconstruction(vae_dir, classifier_dir, folder, capsys):
    capsys.readouterr()
    assert main(["eval", "model", str(vae_dir), "--classifier", str(classifier_dir),
                 "--data", str(folder), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert 0 < result["recon_ssim"] <= 1 and result["recon_psnr"] > 0


def test_resume_from_truncated_checkpoint(tmp_path, folder, capsys):
    out = tmp_path / "run"
    assert train_tiny("vae", folder, out) == 0
    step = next((out / "checkpoints").glob("step-*"))
    weights = step / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    capsys.readouterr()
    assert train_tiny("vae", folder, out, "--resume", "--epochs", "3") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot resume") and len(err.strip().splitlines()) == 1
    assert (out / "model.safetensors").is_file()          # the finished model is untouched
