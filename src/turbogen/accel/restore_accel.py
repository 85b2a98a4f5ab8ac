"""Our super-resolution networks (sr-x2/3/4) as AccelModels: kind "image", net `x -> y`.

channels_last, bf16 (autocast.FastDenoiser serves `x -> y` networks too), compile and batch
apply unchanged; int8 (dynamic, Linear layers) says why not (SRNet is all convolutions);
ONNX goes through onnx_image.py, the exporter and int8 quantizer Real-ESRGAN uses, calibrated
on low-resolution crops of the training photos (never the held-out ones PSNR is scored on).
The first and last convolutions stay fp32, as for Real-ESRGAN's compact model.
On disk (accel/folder.py): the restoration folder's config.json (kind "srnet" ...) plus an
"accel" section, and model.safetensors or model.onnx, written by `turbogen bench` only, for its
size column.
"""
from __future__ import annotations

import copy

import torch

from .model import AccelModel
from .onnx_image import OnnxImageModel, export_image_onnx, quantize_image_int8

KEEP_FP32 = (1, 1)          # first (raw pixels) and last (the sub-pixel tail) convolutions


def from_restore(name: str) -> AccelModel:
    """A bundled sr-xN (or a `turbogen train sr` folder) as the fp32 starting point."""
    from ..pipelines.restore_model import load_restore_model
    net = copy.deepcopy(load_restore_model(name)).cpu().to(memory_format=torch.contiguous_format)
    return AccelModel(net=net.eval(), denoiser=net.eval(), config=net.config, kind="image")


def onnx_fp32(model: AccelModel, arg: str | None = None) -> AccelModel:
    graph = export_image_onnx(model.torch_net("onnx"))
    return model.then("onnx", denoiser=OnnxImageModel(graph), backend="onnx", onnx_model=graph)


def onnx_int8(model: AccelModel, arg: str | None = None, *,
              calibration: list | None = None) -> AccelModel:
    """Static QDQ int8 of the convolutions but the first and last; `calibration`: (1, 3, h, w)
    float32 tiles in 0..1, default 8 low-resolution crops of the training photos."""
    from ..pipelines.realesrgan import calibration_tiles
    net = model.torch_net("onnx-int8")
    tiles = calibration if calibration is not None else \
        calibration_tiles(scale=model.config.scale)
    graph = quantize_image_int8(export_image_onnx(net), tiles, *KEEP_FP32)
    return model.then("onnx-int8", denoiser=OnnxImageModel(graph), backend="onnx",
                      onnx_model=graph)
