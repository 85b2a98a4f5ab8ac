"""UNet shapes on tiny configs, and config round trips."""
import json

import pytest
import torch

from turbogen.errors import InputError
from turbogen.models.unet import UNet, UNetConfig, count_parameters
from turbogen.pipelines.text2img_model import Text2ImgConfig
from turbogen.samplers.schedules import ObjectiveConfig

TINY = UNetConfig(channels=(16, 32), heads=2, emb_dim=32)


def cond(b, size=64):
    return {"layout": torch.randn(b, 15, size, size), "text": torch.randn(b, 385)}


@pytest.mark.parametrize("patch", [1, 2])
@pytest.mark.parametrize("attention", [True, False])
def test_output_shape(patch, attention):
    torch.manual_seed(0)
    config = UNetConfig(channels=(16, 32, 32), heads=2, emb_dim=32, patch=patch,
                        attention=attention)
    model = UNet(config)
    x = torch.randn(3, 3, 64, 64)
    out = model(x, torch.rand(3), cond(3))
    assert out.shape == x.shape
    # the output convolution starts at zero, so a fresh model predicts zeros
    assert out.abs().max() == 0


def test_trains_away_from_zero_and_channels_last():
    torch.manual_seed(0)
    model = UNet(TINY).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(2, 3, 32, 32).contiguous(memory_format=torch.channels_last)
    loss = model(x, torch.rand(2), cond(2, 32)).sub(x).pow(2).mean()
    loss.backward()
    opt.step()
    assert model(x, torch.rand(2), cond(2, 32)).abs().max() > 0


def test_no_text_no_layout_model():
    model = UNet(UNetConfig(channels=(16,), layout_channels=0, text_dim=0, emb_dim=32,
                            attention=False))
    out = model(torch.randn(1, 3, 16, 16), torch.tensor([0.5]), {})
    assert out.shape == (1, 3, 16, 16)


def test_default_size_is_small():
    assert 1e6 < count_parameters(UNet(UNetConfig())) < 3e6     # < 12 MB as fp32 safetensors


def test_bad_config():
    with pytest.raises(ValueError, match="multiples"):
        UNetConfig(channels=(12, 24))


def test_text2img_config_round_trip():
    config = Text2ImgConfig(unet=TINY, objective=ObjectiveConfig("eps", "linear"),
                            sampler="ddim", steps=12, guidance=2.0)
    data = json.loads(json.dumps(config.to_dict()))
    assert Text2ImgConfig.from_dict(data) == config
    data["unet"]["colour"] = 1
    with pytest.raises(InputError, match="colour"):
        Text2ImgConfig.from_dict(data)
    with pytest.raises(InputError, match="not a turbogen text2img"):
        Text2ImgConfig.from_dict({"unet": {}})
    with pytest.raises(ValueError, match="reads eps"):
        Text2ImgConfig(sampler="ddim")          # a flow model cannot use DDIM
