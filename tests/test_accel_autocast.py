"""bf16 autocast wrapper: same contract, predictions close to fp32."""
import pytest
import torch

from turbogen.accel.autocast import FastDenoiser, with_precision
from turbogen.models.unet import UNet, UNetConfig


def model():
    torch.manual_seed(0)
    m = UNet(UNetConfig(channels=(16, 32), heads=2, emb_dim=32)).eval()
    with torch.no_grad():
        torch.nn.init.normal_(m.out.weight, std=0.05)
    return m


def test_bf16_stays_close_to_fp32():
    fp32 = model()
    x = torch.randn(2, 3, 64, 64)
    cond = {"layout": torch.randn(2, 15, 64, 64), "text": torch.randn(2, 385)}
    t = torch.tensor([0.3, 0.9])
    with torch.no_grad():
        ref = fp32(x, t, cond)
        out = FastDenoiser(model(), torch.bfloat16)(x, t, cond)
        same = FastDenoiser(model())(x, t, cond)
    assert out.dtype == torch.float32 and out.shape == ref.shape
    assert (out - ref).abs().max() < 0.05 * ref.abs().max()
    assert torch.allclose(same, ref, atol=1e-5)           # channels_last alone: fp32 numbers


def test_with_precision_choices():
    m = model()
    assert with_precision(m, "fp32").dtype is None
    assert with_precision(m, "bf16").dtype is torch.bfloat16
    with pytest.raises(ValueError, match="fp16"):
        with_precision(m, "fp16")
