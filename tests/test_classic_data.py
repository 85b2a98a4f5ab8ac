"""Folder loading for the classic generators: modes, labels, and every bad folder."""
import numpy as np
import pytest
import torch
from PIL import Image

from classic_fixtures import write_folder
from turbogen.cli.main import main
from turbogen.data.classic import load_image_set, split_halves
from turbogen.errors import InputError


def test_labelled_folder(tmp_path):
    data = load_image_set(str(write_folder(tmp_path, n_per_class=3)))
    assert data.images.shape == (6, 1, 8, 8) and data.classes == ("bar", "dot")
    assert data.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert 0 <= data.images.min() and data.images.max() <= 1


def test_modes_grey_rgba_palette_16bit(tmp_path):
    Image.new("L", (8, 8), 255).save(tmp_path / "a.png")
    Image.new("LA", (8, 8), (255, 128)).save(tmp_path / "b.png")
    Image.new("P", (8, 8), 0).save(tmp_path / "c.png")                  # palette, grey entry
    Image.fromarray(np.full((8, 8), 65535, np.uint16)).save(tmp_path / "d.png")   # 16-bit
    Image.new("1", (8, 8), 1).save(tmp_path / "e.png")
    data = load_image_set(str(tmp_path))
    assert data.channels == 1 and data.labels is None
    assert data.images[0].max() == pytest.approx(1.0)
    assert data.images[1].max() == pytest.approx(128 / 255, abs=0.01)   # alpha onto black
    assert data.images[3].max() == pytest.approx(1.0)                   # 65535 -> 1
    Image.new("RGBA", (8, 8), (255, 0, 0, 255)).save(tmp_path / "f.png")
    data = load_image_set(str(tmp_path))
    assert data.channels == 3 and data.images[5, 0].max() == 1 and data.images[5, 1].max() == 0


def test_bad_folders(tmp_path):
    with pytest.raises(InputError, match="holds no images"):
        load_image_set(str(tmp_path))
    with pytest.raises(InputError, match="neither a built-in set"):
        load_image_set(str(tmp_path / "missing"))
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(InputError, match="broken.png"):
        load_image_set(str(tmp_path))


def test_truncated_image(tmp_path):
    noise = np.random.default_rng(0).integers(0, 255, (32, 32)).astype(np.uint8)
    Image.fromarray(noise).save(tmp_path / "a.png")
    data = (tmp_path / "a.png").read_bytes()
    (tmp_path / "a.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="a.png"):
        load_image_set(str(tmp_path))


def test_mixed_sizes_error_unless_size(tmp_path):
    Image.new("L", (8, 8)).save(tmp_path / "a.png")
    Image.new("L", (12, 12)).save(tmp_path / "b.png")
    with pytest.raises(InputError, match="mixes image sizes.*--size"):
        load_image_set(str(tmp_path))
    data = load_image_set(str(tmp_path), size=8)
    assert data.images.shape == (2, 1, 8, 8) and data.notes


def test_mixed_layout_error(tmp_path):
    write_folder(tmp_path / "d", n_per_class=1)
    Image.new("L", (8, 8)).save(tmp_path / "d" / "loose.png")
    with pytest.raises(InputError, match="both images and class sub-folders"):
        load_image_set(str(tmp_path / "d"))


def test_cli_bad_data_is_one_line(tmp_path, capsys):
    code = main(["train", "dcgan", "--data", str(tmp_path), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_split_halves_disjoint():
    a, b = split_halves(11)
    assert len(a) == len(b) == 5 and not set(a.tolist()) & set(b.tolist())
    assert torch.equal(split_halves(11)[0], a)


def test_animal_pickles_may_hold_arrays_only():
    import io
    import pickle

    import numpy as np

    from turbogen.data.classic import _ArraysOnly

    arrays = pickle.dumps(np.arange(6, dtype=np.uint8).reshape(2, 3))
    assert _ArraysOnly(io.BytesIO(arrays)).load().tolist() == [[0, 1, 2], [3, 4, 5]]

    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    with pytest.raises(pickle.UnpicklingError, match="not an array"):
        _ArraysOnly(io.BytesIO(pickle.dumps(Payload()))).load()
