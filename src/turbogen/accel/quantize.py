"""int8 dynamic quantization (torch.ao): Linear weights stored int8, activations quantized per
batch at run time. PyTorch's dynamic mode covers Linear (and RNN) layers only, so in the
convolutional UNet it reaches the time / text embedding MLPs and nothing else: the README's
Acceleration table shows what that is worth. Static int8 of the convolutions is onnx-int8.
"""
from __future__ import annotations

import copy
import warnings

import torch
from torch import nn

from .model import AccelModel
from ..errors import AccelError


def int8_dynamic(model: AccelModel, arg: str | None = None) -> AccelModel:
    net = model.torch_net("int8")
    if next(net.parameters()).device.type != "cpu":
        raise AccelError("int8 (torch.ao dynamic quantization) runs on CPU only; this model is "
                         f"on {next(net.parameters()).device}")
    if model.weights_dtype != "fp32":
        raise AccelError(f"int8 quantizes fp32 weights; this model is {model.weights_dtype} "
                         f"(after {' + '.join(model.methods)}): apply int8 to the fp32 model")
    if not any(isinstance(m, nn.Linear) for m in net.modules()):
        raise AccelError("int8 dynamic quantization rewrites nn.Linear layers and this model "
                         "has none; use onnx-int8 for convolutions")
    from torch.ao.quantization import quantize_dynamic
    with warnings.catch_warnings():     # torch.ao points to torchao, not installed here
        warnings.simplefilter("ignore")
        qnet = quantize_dynamic(copy.deepcopy(net), {nn.Linear}, dtype=torch.qint8)
    # the fp32 net stays the one saved: quantization is replayed on load (it is deterministic)
    return model.then("int8", denoiser=qnet.eval(), backend="torch-int8")
