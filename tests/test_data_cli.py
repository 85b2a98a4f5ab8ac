"""`turbogen data shapes`, the dataset writer and ShapesDataset."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

import turbogen.cli.data_cmd  # noqa: F401  (adds `data` to the cli group)
from turbogen.cli.main import main
from turbogen.data import ShapesDataset, collate_shapes, write_shapes_dataset
from turbogen.data.shapes_sampler import sample_example
from turbogen.errors import InputError
from turbogen.plan.facts import fact_failures
from turbogen.plan.scene_plan import ScenePlan


def run(capsys, *args):
    code = main(["data", "shapes", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def folder_bytes(path):
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_writes_images_and_captions(tmp_path, capsys):
    code, out, err = run(capsys, "--n", 5, "--out", tmp_path / "ds", "--seed", 3)
    assert code == 0, err
    assert "wrote 5 images" in out
    names = sorted(p.name for p in (tmp_path / "ds").iterdir())
    assert names == [f"{i:05d}.png" for i in range(5)] + ["captions.jsonl"]
    lines = (tmp_path / "ds" / "captions.jsonl").read_text().splitlines()
    assert len(lines) == 5
    for i, line in enumerate(lines):
        record = json.loads(line)
        assert record["file"] == f"{i:05d}.png"
        plan = ScenePlan.from_dict(record["plan"])
        assert fact_failures(plan, record["facts"]) == []
        assert record["caption"] == sample_example(3, i).caption.text
        image = np.asarray(Image.open(tmp_path / "ds" / record["file"]))
        assert image.shape == (64, 64, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]        # no temporary folder left


def test_same_seed_same_bytes(tmp_path, capsys):
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        assert run(capsys, "--n", 5, "--out", tmp_path / name, "--seed", seed)[0] == 0
    assert folder_bytes(tmp_path / "a") == folder_bytes(tmp_path / "b")
    assert folder_bytes(tmp_path / "a") != folder_bytes(tmp_path / "c")


def test_json_summary_and_overwrite(tmp_path, capsys):
    out_dir = tmp_path / "ds"
    assert run(capsys, "--n", 2, "--out", out_dir)[0] == 0
    code, out, err = run(capsys, "--n", 3, "--out", out_dir, "--size", 32, "--overwrite", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["n"] == 3 and summary["seed"] == 0 and summary["out"] == str(out_dir)
    assert summary["seconds"] >= 0 and summary["images_per_second"] > 0
    assert len(list(out_dir.glob("*.png"))) == 3
    assert Image.open(out_dir / "00000.png").size == (32, 32)


@pytest.mark.parametrize("args, message", [
    (["--n", 0], "n must be between 1 and 1,000,000"),
    (["--n", 2_000_000], "n must be between 1 and 1,000,000"),
    (["--n", 2, "--size", 8], "size must be between 16 and 512"),
    (["--n", 2, "--size", 1024], "size must be between 16 and 512"),
    (["--n", 2, "--seed", -1], "seed must be 0 or more"),
])
def test_bad_options_fail_cleanly(tmp_path, capsys, args, message):
    code, out, err = run(capsys, *args, "--out", tmp_path / "ds")
    assert code != 0
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_unusable_folders_fail_cleanly(tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    (tmp_path / "file").write_text("not a folder")
    for out_dir, message in ((tmp_path / "full", "not empty"),
                             (tmp_path / "missing" / "ds", "does not exist"),
                             (tmp_path / "file" / "ds", "does not exist"),
                             (tmp_path / "file", "is a file")):
        code, out, err = run(capsys, "--n", 2, "--out", out_dir)
        assert code != 0 and message in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "full"]
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]


def test_help_teaches(capsys):
    assert main(["data", "shapes", "--help"]) == 0
    out = capsys.readouterr().out
    assert "turbogen data shapes --n 1000 --out shapes1k" in out and "captions.jsonl" in out


def test_writer_reports_progress_and_validates(tmp_path):
    calls = []
    summary = write_shapes_dataset(tmp_path / "ds", 3, progress=lambda done, n: calls.append(done))
    assert calls == [1, 2, 3] and summary["n"] == 3
    with pytest.raises(InputError):
        write_shapes_dataset(tmp_path / "other", 0)


def test_dataset_items_match_the_written_files(tmp_path):
    write_shapes_dataset(tmp_path / "ds", 3, seed=4)
    dataset = ShapesDataset(3, seed=4)
    assert len(dataset) == 3
    item = dataset[2]
    assert item["image"].dtype == torch.float32 and item["image"].shape == (3, 64, 64)
    assert 0.0 <= item["image"].min() and item["image"].max() <= 1.0
    pixels = np.array(Image.open(tmp_path / "ds" / "00002.png"))
    assert torch.equal((item["image"] * 255).round().byte(),
                       torch.from_numpy(pixels).permute(2, 0, 1))
    record = json.loads((tmp_path / "ds" / "captions.jsonl").read_text().splitlines()[2])
    assert item["caption"] == record["caption"] and item["plan"].to_dict() == record["plan"]
    assert fact_failures(item["plan"], item["facts"]) == []
    assert torch.equal(ShapesDataset(3, seed=4, size=64)[2]["image"], item["image"])
    with pytest.raises(IndexError):
        dataset[3]


def test_collate_stacks_images_and_keeps_lists():
    dataset = ShapesDataset(4, seed=0, size=32)
    batch = next(iter(torch.utils.data.DataLoader(dataset, batch_size=4,
                                                  collate_fn=collate_shapes)))
    assert batch["image"].shape == (4, 3, 32, 32)
    assert len(batch["plan"]) == len(batch["caption"]) == len(batch["facts"]) == 4
    assert all(isinstance(c, str) for c in batch["caption"])
