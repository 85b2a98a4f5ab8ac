"""Real-ESRGAN x4plus split for int8: most of the body in ONNX Runtime int8, the rest bf16.

Where int8 rounding hurts was measured by simulating it layer group by layer group (per-channel
int8 weights, per-tensor uint8 inputs, 48 px held-out crop, Y-PSNR against fp32): all 23 RRDBs
38.1 dB, all but the last 3 39.2 dB; the convolutions after the body (2x and 4x resolution) lose
a further 0.4 dB and are 21% of the int8 graph's time when left fp32 there. So the first
`int8_blocks` RRDBs run int8 and the last blocks plus the upsampling tail run in PyTorch under
bf16 autocast + channels_last (52 dB from fp32, 2x fp32's speed).
"""
from __future__ import annotations

import torch
from torch import nn

from ..models.realesrgan import RRDBNet, _lrelu

INT8_BLOCKS = 20            # of 23: the last 3 and the tail in bf16 (see above)


class RRDBHead(nn.Module):
    """x -> (conv_first(x), the first `blocks` RRDBs of it): the part that runs int8."""

    def __init__(self, net: RRDBNet, blocks: int) -> None:
        super().__init__()
        self.conv_first, self.body = net.conv_first, net.body[:blocks]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feat = self.conv_first(x)
        return feat, self.body(feat)


class RRDBTail(nn.Module):
    """(feat, h) -> the x4 image: RRDBNet.forward from block `blocks` on."""

    def __init__(self, net: RRDBNet, blocks: int) -> None:
        super().__init__()
        self.net, self.blocks = net, blocks

    def forward(self, feat: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        net = self.net
        feat = feat + net.conv_body(net.body[self.blocks:](h))
        feat = _lrelu(net.conv_up1(nn.functional.interpolate(feat, scale_factor=2)))
        feat = _lrelu(net.conv_up2(nn.functional.interpolate(feat, scale_factor=2)))
        return net.conv_last(_lrelu(net.conv_hr(feat)))     # (B, 3, 4H, 4W)


class SplitInt8:
    """x -> y: the int8 head's ONNX Runtime session, then the bf16 tail."""

    def __init__(self, head, tail: nn.Module) -> None:
        self.head, self.tail = head, tail

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        feat, h = self.head(x)
        return self.tail(feat, h)
