"""The bundled generator, out of the box: the quick-start command draws what it says."""
import json

import numpy as np
from PIL import Image

import turbogen.cli.generate_cmd  # noqa: F401  (adds `generate` to the cli group)
from turbogen.cli.main import main
from turbogen.pipelines.text2img_verify import load_verifier, prompt_facts

PROMPT = "three small red stars above a large blue circle on black"


def test_quick_start_prompt_is_drawn_faithfully(tmp_path, capsys):
    out = tmp_path / "out.png"
    code = main(["generate", PROMPT, "-o", str(out), "--json", "--seed", "3"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(stdout)["plan"]["background"] == "black"
    image = Image.open(out)
    assert image.size == (64, 64) and image.mode == "RGB"

    failures = load_verifier()(np.asarray(image), prompt_facts(PROMPT))
    assert failures == []


def test_bundled_checkpoint_is_small_and_documented():
    from turbogen.pipelines.text2img_model import DEFAULT_MODEL, resolve_model_dir
    folder = resolve_model_dir(DEFAULT_MODEL)
    assert (folder / "model.safetensors").stat().st_size < 20 * 2 ** 20
    for name in ("config.json", "card.md", "samples.png", "loss_curve.png"):
        assert (folder / name).is_file(), name
