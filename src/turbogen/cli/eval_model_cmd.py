"""`turbogen eval MODEL`: FID/KID/IS/precision/recall of a classic generator on domain features."""
from __future__ import annotations

import json

import click

from ..errors import InputError
from .eval_cmd import eval_group


@eval_group.command("model")
@click.argument("model")
@click.option("--classifier", default=None, metavar="NAME|DIR",
              help="Feature extractor (default: the bundled classifier-DATA).")
@click.option("--data", "data_spec", default=None, metavar="mnist|animals|shapes|PATH",
              help="Reference images (default: what the model was trained on).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_model(model, classifier, data_spec, seed, as_json):
    """Score MODEL (dcgan-mnist, vae-mnist, a trained folder, ...) against its data set.

    \b
    The data set is split into two random halves A and B; len(B) samples are compared with B
    on the penultimate features of the domain classifier (FID, KID, precision/recall with
    k = 3), its softmax gives an Inception-Score analogue, the class histogram of the first
    1,000 samples and (conditional models) how often a sample is classified as its label.
    "real_floor" is the same comparison of real half A with B: the best to expect.
    VAEs add the reconstruction PSNR/SSIM of half B.

    \b
    Examples:
      turbogen eval dcgan-mnist
      turbogen eval runs/dcgan-mnist --json
    """
    from ..data.classic import load_image_set
    from ..eval.classic_eval import evaluate_generator
    from ..accel.generator import load_generator
    from ..pipelines.classic_model import load_classic
    from ..train.classic_card import metric_rows
    loaded = load_generator(model)     # a checkpoint, or a folder `turbogen accel` wrote
    spec = data_spec or loaded.data
    if not spec:
        raise InputError(f"{model} does not say what it was trained on; pass --data")
    data = load_image_set(spec)
    name = classifier or f"classifier-{data.name}"
    try:
        clf = load_classic(name, kinds=("classifier",))
    except InputError as err:
        if classifier is None:
            raise InputError(f"no domain classifier for {data.name!r} ({err}); train one with "
                             f"`turbogen train classifier --data {spec}` and pass "
                             "--classifier DIR") from None
        raise
    if loaded.conditional and data.labels is not None \
            and len(data.classes) != loaded.config.num_classes:
        raise InputError(f"{model} has {loaded.config.num_classes} classes, {spec} has "
                         f"{len(data.classes)}")
    result = evaluate_generator(loaded, clf, data, seed=seed)
    result = {"model": str(model), "kind": loaded.kind, "data": data.name,
              "classifier": str(name), **result}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{model} ({loaded.kind}) on {data.name}, features of {name}, "
               f"{result['n']} samples")
    for row in metric_rows(result):
        click.echo(row)
