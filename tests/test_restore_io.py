"""Restoration image loading/saving: every bad input is one clear InputError, alpha survives."""
import numpy as np
import pytest
from PIL import Image

from turbogen.cli.main import main
from turbogen.data.restore_io import Picture, load_picture, save_picture
from turbogen.errors import InputError


def _rgb(h=12, w=16, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_modes_become_rgb_with_notes(tmp_path):
    rgb = _rgb()
    Image.fromarray(rgb).convert("CMYK").save(tmp_path / "cmyk.tif")
    Image.fromarray(rgb).convert("P").save(tmp_path / "pal.png")
    Image.fromarray(rgb[:, :, 0].astype(np.uint16) * 257).save(tmp_path / "g16.png")
    cmyk = load_picture(tmp_path / "cmyk.tif")
    assert cmyk.rgb.shape == (12, 16, 3) and "CMYK" in cmyk.notes[0]
    assert load_picture(tmp_path / "pal.png").alpha is None
    g16 = load_picture(tmp_path / "g16.png")
    assert "8 bits" in g16.notes[0]
    np.testing.assert_array_equal(g16.rgb[:, :, 1], rgb[:, :, 0])


def test_alpha_round_trip_and_one_pixel(tmp_path):
    rgba = np.dstack([_rgb(), np.arange(12 * 16, dtype=np.uint8).reshape(12, 16)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    pic = load_picture(tmp_path / "a.png")
    save_picture(pic, tmp_path / "b.png")
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "b.png")), rgba)
    Image.new("RGB", (1, 1), (1, 2, 3)).save(tmp_path / "one.png")
    assert load_picture(tmp_path / "one.png").rgb.shape == (1, 1, 3)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"hello"), "not an image"),
    (lambda p: p.write_bytes(_png_bytes()[:300]), "damaged"),
    (lambda p: p.mkdir(), "folder"),
    (lambda p: None, "no such file"),
])
def test_bad_files(tmp_path, make, message):
    path = tmp_path / "x.png"
    make(path)
    with pytest.raises(InputError, match=message):
        load_picture(path)


def _png_bytes():
    import io
    buffer = io.BytesIO()
    Image.fromarray(_rgb(64, 64)).save(buffer, "PNG")
    return buffer.getvalue()


def test_pixel_cap_checked_before_decoding(tmp_path):
    Image.new("L", (300, 300)).save(tmp_path / "big.png")
    with pytest.raises(InputError, match="MP limit"):
        load_picture(tmp_path / "big.png", max_pixels=50_000)


def test_save_refuses_lost_alpha_and_unknown_suffix(tmp_path):
    pic = Picture(_rgb(), np.zeros((12, 16), np.uint8))
    with pytest.raises(InputError, match="transparency"):
        save_picture(pic, tmp_path / "x.jpg")
    with pytest.raises(InputError, match="format"):
        save_picture(Picture(_rgb()), tmp_path / "x.xyz")
    assert list(tmp_path.iterdir()) == []


def test_cli_errors_are_one_line_and_leave_no_file(tmp_path, capsys):
    Image.fromarray(np.dstack([_rgb(), _rgb()[:, :, 0]]), "RGBA").save(tmp_path / "a.png")
    cases = [["--model", "bicubic", "--scale", "1000"], ["--model", "nope"],
             ["--model", "realesrgan-x4plus", "--scale", "3"]]
    for extra in cases:
        assert main(["upscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "o.png"),
                     *extra]) == 2
    assert main(["upscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "o.jpg"),
                 "--model", "bicubic"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 4 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]


def test_cli_upscale_bicubic_keeps_alpha(tmp_path):
    rgba = np.dstack([_rgb(), np.full((12, 16), 200, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    assert main(["upscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "o.png"),
                 "--model", "lanczos", "--scale", "3"]) == 0
    out = Image.open(tmp_path / "o.png")
    assert out.mode == "RGBA" and out.size == (48, 36)
    assert np.all(np.asarray(out)[:, :, 3] == 200)
