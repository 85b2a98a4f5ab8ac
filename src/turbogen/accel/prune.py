"""Structured pruning of the text2img UNet: a genuinely smaller dense network, not a mask.

Whole channels are removed, so the result is a plain `UNet` with narrower `channels` (and, as
in BK-SDM, Kim et al. 2023, optionally fewer down blocks or no mid block), saved and loaded
like any checkpoint. Channels that must go together form one *node*, as in torch-pruning's
dependency groups (Fang et al. 2023, DepGraph): a residual stream (every identity skip and
`x + f(x)` shares its channel indices), each block's inner width, each conv's own output, and
attention's query/key and value widths. A layer reads one or more nodes (a concatenated skip
reads two) and writes one or more (FiLM writes scale and shift of the same channels), so its
new weight is the old one sliced by the kept indices of each.

Importance of a channel is the L1 norm of every weight slice that touches it, summed over the
layers of its node after each layer's scores are divided by their mean (so that a wide 3 x 3
conv does not outvote a GroupNorm); no data needed (BatchNorm-free networks have no
BN-scale criterion, Liu et al. 2017). Channels are kept per GroupNorm group (and per attention
head), the same number from each, so the pruned network's groups are subsets of the old ones.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import torch

from ..errors import InputError
from ..models.unet import UNet, UNetConfig


@dataclass
class _Node:
    level: int          # resolution level: its width is channels[level]
    groups: int         # kept evenly per group (GroupNorm groups or attention heads)


@dataclass
class _Graph:
    """Nodes (channel groups) and, per layer name, the nodes along its out and in axes."""
    nodes: dict[str, _Node] = field(default_factory=dict)
    layers: dict[str, tuple[list[str] | None, list[str] | None]] = field(default_factory=dict)

    def node(self, name: str, level: int, groups: int) -> str:
        self.nodes[name] = _Node(level, groups)
        return name

    def layer(self, name: str, out: list[str] | None, inp: list[str] | None) -> None:
        self.layers[name] = (out, inp)


def _block(g: _Graph, name: str, ins: list[str], level: int, identity: bool, groups: int) -> str:
    """A ResBlock reading `ins` (concatenated); returns the node it writes."""
    inner = g.node(f"{name}.inner", level, groups)
    out = ins[0] if identity else g.node(f"{name}.out", level, groups)
    g.layer(f"{name}.norm1", ins, None)
    g.layer(f"{name}.conv1", [inner], ins)
    g.layer(f"{name}.film", [inner, inner], None)            # (scale, shift) of each channel
    g.layer(f"{name}.norm2", [inner], None)
    g.layer(f"{name}.conv2", [out], [inner])
    if not identity:
        g.layer(f"{name}.skip", [out], ins)
    return out


def build_graph(cfg: UNetConfig) -> _Graph:
    """The channel nodes of a UNet with `cfg`'s structure (mirrors UNet.__init__/forward)."""
    g, chans, G = _Graph(), cfg.channels, cfg.groups
    h = g.node("stem", 0, G)
    g.layer("stem", [h], None)
    skips = []
    for i, c in enumerate(chans):
        for j in range(cfg.blocks):
            c_in = chans[max(i - 1, 0)] if j == 0 else c
            h = _block(g, f"down.{i}.{j}", [h], i, c_in == c, G)
        skips.append(h)
        if i < len(chans) - 1:
            d = g.node(f"downsample.{i}", i, G)
            g.layer(f"downsample.{i}", [d], [h])
            h = d
    last = len(chans) - 1
    if cfg.mid:
        h = _block(g, "mid1", [h], last, True, G)
        if cfg.attention:
            qk, v = g.node("attn.qk", last, cfg.heads), g.node("attn.v", last, cfg.heads)
            g.layer("attn.norm", [h], None)
            g.layer("attn.qkv", [qk, qk, v], [h])
            g.layer("attn.out", [h], [v])
        h = _block(g, "mid2", [h], last, True, G)
    for k, i in enumerate(reversed(range(len(chans)))):
        h = _block(g, f"up.{k}", [h, skips.pop()], i, False, G)
        if i > 0:
            u = g.node(f"upsample.{k}", i - 1, G)
            g.layer(f"upsample.{k}", [u], [h])
            h = u
    g.layer("out_norm", [h], None)
    g.layer("out", None, [h])
    return g


def _axis_scores(w: torch.Tensor, dim: int) -> torch.Tensor:
    s = w.abs().transpose(0, dim).flatten(1).sum(1) if w.ndim > 1 else w.abs()
    return s / s.mean().clamp_min(1e-12)


def _importance(g: _Graph, state: dict, cfg: UNetConfig) -> dict[str, torch.Tensor]:
    """Per node, the summed normalised L1 score of each of its channels."""
    score = {n: torch.zeros(cfg.channels[nd.level]) for n, nd in g.nodes.items()}
    for layer, (out, inp) in g.layers.items():
        for suffix in ("weight", "bias"):
            w = state.get(f"{layer}.{suffix}")
            for dim, axis in ((0, out), (1, inp)):
                if w is None or axis is None or (dim == 1 and w.ndim < 2):
                    continue
                s, at = _axis_scores(w.float(), dim), 0
                for n in axis:
                    width = cfg.channels[g.nodes[n].level]
                    score[n] += s[at:at + width]
                    at += width
    return score


def _keep(score: torch.Tensor, groups: int, new_width: int) -> torch.Tensor:
    """The `new_width / groups` best channels of each of `groups` equal groups, in order."""
    size, per = len(score) // groups, new_width // groups
    best = score.view(groups, size).topk(per, dim=1).indices.sort(dim=1).values
    return (best + torch.arange(groups)[:, None] * size).flatten()


def _axis_index(axis: list[str], kept: dict, cfg: UNetConfig, g: _Graph) -> torch.Tensor:
    parts, at = [], 0
    for n in axis:
        parts.append(kept[n] + at)
        at += cfg.channels[g.nodes[n].level]
    return torch.cat(parts)


def check_student_config(teacher: UNetConfig, student: UNetConfig) -> None:
    """InputError unless `student` is `teacher` with narrower levels, fewer blocks or no mid."""
    fixed = ("image_channels", "layout_channels", "text_dim", "heads", "patch", "emb_dim",
             "groups")
    for name in fixed:
        if getattr(teacher, name) != getattr(student, name):
            raise InputError(f"a shrunk UNet keeps the teacher's {name} "
                             f"({getattr(teacher, name)}), got {getattr(student, name)}")
    t, s = teacher.channels, student.channels
    if len(s) != len(t) or any(not 0 < b <= a for a, b in zip(t, s)):
        raise InputError(f"channels {list(s)} must give each of the teacher's {len(t)} levels "
                         f"{list(t)} a width from 1 up to its own")
    if any((t[i] == t[i + 1]) != (s[i] == s[i + 1]) for i in range(len(t) - 1)):
        raise InputError(f"channels {list(s)}: levels that are equal (or differ) in the "
                         f"teacher {list(t)} must stay so, or a skip conv would appear or vanish")
    if student.attention and s[-1] % student.heads:
        raise InputError(f"the last level's width {s[-1]} must be a multiple of "
                         f"heads={student.heads}")
    if student.blocks > teacher.blocks or (student.mid and not teacher.mid) \
            or (student.attention and not teacher.attention):
        raise InputError("a shrunk UNet can only drop blocks, the mid block or attention, "
                         "not add them")


def pruned_channels(config: UNetConfig, amount: float) -> tuple[int, ...]:
    """Each level's width cut by `amount` (0 <= amount < 1), rounded to whole GroupNorm groups
    (and attention heads at the last level)."""
    if not 0 <= amount < 1:
        raise InputError(f"prune amount must be in [0, 1), the share of channels removed; "
                         f"got {amount}")
    out = []
    for i, c in enumerate(config.channels):
        unit = config.groups
        if config.attention and i == len(config.channels) - 1:
            unit = math.lcm(unit, config.heads)
        out.append(max(unit, round(c * (1 - amount) / unit) * unit))
    return tuple(out)


def shrink_unet(net: UNet, channels: tuple[int, ...] | None = None, *, blocks: int | None = None,
                mid: bool | None = None) -> tuple[UNet, dict[str, torch.Tensor]]:
    """A smaller UNet made of `net`'s most important channels, its first `blocks` down blocks
    per level and (unless mid=False) its mid block; also the kept teacher channel indices per
    node (for feature distillation). `net` is not changed."""
    t_cfg = net.config
    mid = t_cfg.mid if mid is None else mid
    try:
        s_cfg = replace(t_cfg, channels=tuple(channels or t_cfg.channels),
                        blocks=t_cfg.blocks if blocks is None else blocks, mid=mid,
                        attention=t_cfg.attention and mid)
    except ValueError as err:                       # UNetConfig's own checks
        raise InputError(f"cannot shrink to channels {list(channels or ())}: {err}") from None
    check_student_config(t_cfg, s_cfg)
    graph = build_graph(replace(s_cfg, channels=t_cfg.channels))   # student layout, old widths
    state = {k: v.detach() for k, v in net.state_dict().items()}
    score = _importance(graph, state, t_cfg)
    kept = {n: _keep(score[n], nd.groups, s_cfg.channels[nd.level])
            for n, nd in graph.nodes.items()}
    student = UNet(s_cfg).to(next(net.parameters()).device)
    new_state = {}
    for key in student.state_dict():
        layer, _, _ = key.rpartition(".")
        w = state[key]
        out, inp = graph.layers.get(layer, (None, None))
        if out is not None:
            w = w.index_select(0, _axis_index(out, kept, t_cfg, graph).to(w.device))
        if inp is not None and w.ndim > 1:
            w = w.index_select(1, _axis_index(inp, kept, t_cfg, graph).to(w.device))
        new_state[key] = w.clone()
    if s_cfg.attention:
        _rescale_queries(new_state, t_cfg, s_cfg)
    student.load_state_dict(new_state)
    return student.eval(), kept


def _rescale_queries(state: dict, t_cfg: UNetConfig, s_cfg: UNetConfig) -> None:
    """SDPA divides logits by sqrt(head width); scale q so that the kept part of each dot
    product is divided by the teacher's sqrt(head width), as it was."""
    c = s_cfg.channels[-1]
    factor = math.sqrt(c / t_cfg.channels[-1])
    for suffix in ("weight", "bias"):
        state[f"attn.qkv.{suffix}"][:c] *= factor


def prune_unet(net: UNet, amount: float) -> UNet:
    """`net` with `amount` of each level's channels removed (L1 importance), no fine-tune."""
    return shrink_unet(net, pruned_channels(net.config, amount))[0]
