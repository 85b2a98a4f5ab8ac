"""A tiny randomly initialised text2img checkpoint for pipeline and CLI tests."""
import torch

from turbogen.models.unet import UNet, UNetConfig
from turbogen.pipelines.text2img_model import Text2ImgConfig, save_text2img

TINY_UNET = UNetConfig(channels=(16, 32), heads=2, emb_dim=32)
TINY_CONFIG = Text2ImgConfig(unet=TINY_UNET, steps=3, text_encoder="hashed")


def write_tiny_model(folder, config=TINY_CONFIG):
    torch.manual_seed(0)
    model = UNet(config.unet)
    with torch.no_grad():   # the output layer starts at zero; make the model do something
        for p in model.parameters():
            if p.abs().sum() == 0 and p.ndim == 4:
                p.normal_(0, 0.05)
    save_text2img(folder, model, config, card="# tiny test model\n")
    return folder
