"""`turbogen eval verifier`: how often the image reader agrees with the scenes' ground truth."""
from __future__ import annotations

import json

import click

from .eval_cmd import eval_group


@eval_group.command("verifier")
@click.option("--n", type=click.IntRange(min=1), default=1000, show_default=True,
              help="fresh scenes per condition (a seed the verifier never trained on)")
@click.option("--condition", "conditions", multiple=True, metavar="NAME",
              help="exact, generator, harsh or wobbly (repeat; default: all): exact renders, "
                   "or renders degraded like a generator's output (blur, noise, JPEG)")
@click.option("--weights", default=None, metavar="DIR", help="verifier folder (default: bundled)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object instead of lines")
def verifier(n, conditions, weights, as_json) -> None:
    """Score the verifier (image -> ScenePlan) against the exact plans of fresh scenes.

    An object counts as right when the verifier finds it with box IoU >= 0.5 and the right
    shape, colour and size; agreement = right / (truth + found - right), so missed and
    invented objects both count. images/s is reading time only, batches of 64.

    \b
    Examples:
      turbogen eval verifier --n 200
      turbogen eval verifier --condition exact --condition harsh --json
    """
    from ..data.degrade import DEGRADATIONS
    from ..errors import InputError
    from ..eval.verifier_eval import evaluate_verifier
    from ..pipelines.caption import Verifier

    unknown = [c for c in conditions if c not in DEGRADATIONS]
    if unknown:
        raise InputError(f"unknown condition {unknown[0]!r}; choose from {', '.join(DEGRADATIONS)}")
    reader = Verifier.load(weights)
    reports = []
    for condition in conditions or tuple(DEGRADATIONS):
        report = evaluate_verifier(reader, n=n, degradation=condition)
        report["mistakes"] = report["mistakes"][:20]
        reports.append(report)
        if not as_json:
            click.echo(f"{condition:>9}: object agreement {report['agreement']:.2%}, shape "
                       f"{report['shape_accuracy']:.2%}, colour {report['color_accuracy']:.2%}, "
                       f"size {report['size_accuracy']:.2%}, background "
                       f"{report['background_accuracy']:.2%}, whole scenes "
                       f"{report['scene_accuracy']:.2%} ({report['objects']} objects, "
                       f"{report['images_per_second']} images/s)")
    if as_json:
        click.echo(json.dumps({"n": n, "conditions": reports}, indent=2))
