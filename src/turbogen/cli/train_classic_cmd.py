"""`turbogen train gan|dcgan|vae|classifier`: classic generators and their domain classifiers."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .train_cmd import out_dir, train

DATA_HELP = "mnist (MNIST-5k), animals (Animal-MNIST), shapes (Shapes World, 32 px), or a folder " \
            "of images (one sub-folder per class for labels)"


def _data_name(spec: str) -> str:
    return Path(spec).name or "data"


def _data(spec: str, size: int | None):
    from ..data.classic import load_image_set
    data = load_image_set(spec, size)
    for note in data.notes:
        click.echo(f"note: {note}", err=True)
    return data


def _classifier_for(name: str | None, data_name: str):
    """The bundled classifier-<data> (or --classifier); None when there is none or 'none'."""
    from ..pipelines.classic_model import WEIGHTS_DIR, load_classic
    if name == "none":
        return None
    if name is None:
        if not (WEIGHTS_DIR / f"classifier-{data_name}").is_dir():
            return None
        name = f"classifier-{data_name}"
    return load_classic(name, kinds=("classifier",))


def common_options(f):
    options = [
        click.option("--data", "data_spec", default="mnist", show_default=True,
                     metavar="mnist|animals|shapes|PATH", help=DATA_HELP),
        click.option("--size", type=click.IntRange(min=8), default=None, metavar="N",
                     help="Resize every image to N x N (needed for folders of mixed sizes)."),
        click.option("--epochs", type=click.IntRange(min=1), default=None,
                     help="Passes over the data (default: the recipe's)."),
        click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=None,
                     help="Stop the training loop after this many minutes."),
        click.option("--out", type=click.Path(path_type=Path), default=None, metavar="DIR",
                     help="Where the model goes. Default: runs/KIND-DATA."),
        click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True),
        click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _generator_command(kind: str, help_text: str):
    @train.command(kind, help=help_text)
    @common_options
    @click.option("--conditional", is_flag=True, help="Condition on the class labels.")
    @click.option("--resume", is_flag=True, help="Continue from OUT/checkpoints.")
    @click.option("--batch-size", type=click.IntRange(min=2), default=None)
    @click.option("--width", type=click.IntRange(min=1), default=None,
                  help="Network width (default: the model's).")
    @click.option("--lr-g", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="Generator (VAE: the) learning rate.")
    @click.option("--lr-d", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="Discriminator learning rate (GANs).")
    @click.option("--label-smoothing", type=click.FloatRange(0, 0.5), default=None,
                  help="One-sided label smoothing of the real target (GANs).")
    @click.option("--ema", type=click.FloatRange(0, 1, max_open=True), default=None,
                  help="EMA decay of the generator's weights (0 = off).")
    @click.option("--spectral-norm/--batch-norm", "spectral_norm", default=None,
                  help="Discriminator normalisation (GANs; default spectral norm).")
    @click.option("--ac-gan/--no-ac-gan", "aux_classifier", default=None,
                  help="Conditional DCGAN: auxiliary class head in the discriminator "
                       "(AC-GAN); default: the recipe's.")
    @click.option("--loss", type=click.Choice(["bce", "hinge"]), default=None,
                  help="GAN loss: non-saturating cross-entropy or hinge (default: the recipe's).")
    @click.option("--augment/--no-augment", default=None,
                  help="GANs: DiffAugment translation + cutout of real and fake images before "
                       "the discriminator (default: the recipe's).")
    @click.option("--minibatch-std/--no-minibatch-std", "minibatch_std", default=None,
                  help="DCGAN: minibatch standard-deviation feature in the discriminator "
                       "(default: the recipe's).")
    @click.option("--pack", type=click.IntRange(min=1), default=None, metavar="M",
                  help="Unconditional DCGAN: the discriminator judges M samples at once, all "
                       "real or all fake (PacGAN, against mode dropping; default: the "
                       "recipe's).")
    @click.option("--info-codes", type=click.IntRange(min=0), default=None, metavar="K",
                  help="Unconditional DCGAN: an InfoGAN categorical code of K values beside z, "
                       "which a Q head on the discriminator must read back; no labels are "
                       "used, but the K codes spread the samples over K modes (0 = off; "
                       "default: the recipe's).")
    @click.option("--info-weight", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="Weight of the InfoGAN code's cross-entropy (default: the recipe's).")
    @click.option("--clusters", type=click.IntRange(min=0), default=None, metavar="K",
                  help="Unconditional DCGAN: train as a conditional model on K k-means "
                       "clusters of the images' pixels and sample each cluster as often as "
                       "the data holds it (no labels used; 0 = off; default: 64 for "
                       "unconditional DCGANs, one per 40 images at most, without --info-codes "
                       "or --pack).")
    @click.option("--kl-weight", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="VAE: weight of the KL term (beta-VAE; default: the recipe's).")
    @click.option("--classifier", default=None, metavar="NAME|DIR",
                  help="Domain classifier for the card's metrics (default: the bundled "
                       "classifier-DATA if any; 'none' skips them).")
    def command(data_spec, size, epochs, minutes, out, seed, as_json, conditional, resume,
                batch_size, width, lr_g, lr_d, label_smoothing, ema, spectral_norm,
                aux_classifier, loss, augment, minibatch_std, pack, info_codes, info_weight,
                clusters, kl_weight, classifier):
        from ..train.classic_card import write_classic_card
        from ..train.classic_recipe import recipe_for, train_classic
        recipe = recipe_for(kind, conditional=conditional, epochs=epochs, minutes=minutes,
                            batch_size=batch_size, width=width, lr_g=lr_g, lr_d=lr_d,
                            label_smoothing=label_smoothing, ema=ema,
                            spectral_norm=spectral_norm, aux_classifier=aux_classifier,
                            loss=loss, augment=augment, minibatch_std=minibatch_std,
                            pack=pack, info_codes=info_codes, info_weight=info_weight,
                            clusters=clusters,
                            kl_weight=kl_weight)
        data = _data(data_spec, size)
        clf = _classifier_for(classifier, data.name)       # a bad name fails before training
        out = out_dir(out, f"{kind}-{_data_name(data_spec)}")
        _, model, summary = train_classic(recipe, data, out, seed=seed, resume=resume,
                                          log=lambda m: click.echo(m, err=True))
        if clf is not None:
            from ..eval.classic_eval import evaluate_generator
            summary["classifier"] = clf.folder.name
            summary["metrics"] = evaluate_generator(model, clf, data, seed=seed)
        write_classic_card(out, summary)
        _report(out, summary, as_json)
    return command


def _report(out: Path, summary: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({k: v for k, v in summary.items() if k != "recipe_config"}))
        return
    line = f"wrote {out}: {summary['steps']} steps in {summary['train_minutes']:.1f} min"
    m = summary.get("metrics")
    if m:
        line += f", FID {m['fid']:.2f} (real-vs-real {m['real_floor']['fid']:.2f})"
        if "label_accuracy" in m:
            line += f", label accuracy {m['label_accuracy']:.3f}"
    if "test_accuracy" in summary:
        line += f", test accuracy {summary['test_accuracy']:.4f}"
    click.echo(line)


GENERATOR_EPILOG = """\b
Writes, in OUT: config.json + model.safetensors (the EMA generator, or the VAE), samples.png
(redrawn every epoch, also under samples/), loss_curve.png, card.md, train_summary.json, and
checkpoints/ every 2 minutes and at the end; an interrupted run continues with --resume (same
options). When a classifier-DATA checkpoint is bundled, card.md gets FID/KID/IS/precision/
recall against the real-vs-real floor.

\b
Examples:
  turbogen train {kind} --data mnist --conditional --out runs/{kind}-mnist
  turbogen train {kind} --data mnist --out runs/{kind}-mnist --resume
  turbogen train {kind} --data my_images/ --size 32 --epochs 50 --minutes 10
"""

_generator_command("gan", "Train an MLP GAN (generator: z -> MLP -> image).\n\n"
                   + GENERATOR_EPILOG.format(kind="gan"))
_generator_command("dcgan", "Train a DCGAN (transposed-conv generator, conv discriminator)."
                   "\n\n" + GENERATOR_EPILOG.format(kind="dcgan"))
_generator_command("vae", "Train a convolutional VAE (Bernoulli likelihood, KL to N(0, I))."
                   "\n\n" + GENERATOR_EPILOG.format(kind="vae"))


@train.command("classifier")
@common_options
def train_classifier_cmd(data_spec, size, epochs, minutes, out, seed, as_json):
    """Train the domain classifier whose features the FID/KID/precision/recall metrics use.

    \b
    80/20 split of the data (seed 0); reports the held-out accuracy. `turbogen eval MODEL`
    and the generators' cards use the bundled classifier-DATA.

    \b
    Examples:
      turbogen train classifier --data mnist --out runs/classifier-mnist
      turbogen train classifier --data animals --out runs/classifier-animals
    """
    from dataclasses import replace

    from ..train.classic_card import write_classic_card
    from ..train.classifier_recipe import ClassifierRecipe, train_classifier
    recipe = ClassifierRecipe()
    recipe = replace(recipe, epochs=epochs or recipe.epochs, minutes=minutes or recipe.minutes)
    data = _data(data_spec, size)
    out = out_dir(out, f"classifier-{_data_name(data_spec)}")
    summary = train_classifier(recipe, data, out, seed=seed,
                               log=lambda m: click.echo(m, err=True))
    summary["kind"] = "classifier"
    write_classic_card(out, summary)
    _report(out, summary, as_json)
