"""Methods that swap in a smaller network without training (accel/prune.py does the work).

`prune=AMOUNT` removes that share of each level's channels by L1 importance; `drop_mid` removes
the mid block (BK-SDM's first cut). Both go at the front of a recipe, after `student=` at most,
since every later method rewrites the network they return. `turbogen train shrink` fine-tunes
such a network against its teacher; these are its untrained baselines (and, for drop_mid on
the bundled model, a nearly free cut: README, Acceleration).
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import AccelError, InputError
from .model import AccelModel

NETWORK_METHODS = ("student=", "prune=", "drop_mid")    # replace the network: recipe's front


def _at_front(model: AccelModel, spec: str) -> None:
    later = [m for m in model.methods if not m.startswith(NETWORK_METHODS)]
    if later:
        raise AccelError(f"{spec} replaces the network, so it goes before {' + '.join(later)} "
                         "in a recipe")


def _swap(model: AccelModel, spec: str, net) -> AccelModel:
    return model.then(spec, net=net, denoiser=net, config=replace(model.config, unet=net.config))


def prune(model: AccelModel, arg: str | None = None) -> AccelModel:
    """prune=AMOUNT: channels removed by L1 importance, no fine-tune."""
    from .prune import prune_unet
    try:
        amount = float(arg)
    except (TypeError, ValueError):
        raise AccelError(f"prune needs the share of channels to remove, e.g. prune=0.5; "
                         f"got {arg!r}") from None
    _at_front(model, f"prune={arg}")
    try:
        net = prune_unet(model.torch_net("prune"), amount)
    except InputError as err:
        raise AccelError(f"prune={arg}: {err}") from None
    return _swap(model, f"prune={arg}", net)


def drop_mid(model: AccelModel, arg: str | None = None) -> AccelModel:
    """drop_mid: the network without its mid block (ResBlock, attention, ResBlock)."""
    from .prune import shrink_unet
    _at_front(model, "drop_mid")
    net = model.torch_net("drop_mid")
    if not net.config.mid:
        raise AccelError("drop_mid: this network has no mid block left to drop")
    return _swap(model, "drop_mid", shrink_unet(net, mid=False)[0])
