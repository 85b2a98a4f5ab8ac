"""Score a classic generator against its data set with the domain classifier's features.

The reference is the data set split into two random halves A and B (seed 0): the real-vs-real
floor compares A with B; a generator's len(B) samples are compared with B, so both numbers use
the same sample sizes and the same reference (FID's bias depends on the sample size).
"""
from __future__ import annotations

import numpy as np
import torch

from ..data.classic import ImageSet, split_halves
from ..pipelines.classic_model import ClassicModel
from ..pipelines.classic_sample import reconstruct, sample
from .domain_metrics import (class_histogram, fid, inception_score, kid, precision_recall,
                             psnr, ssim)

HISTOGRAM_N = 1000          # the brief's "each class within +-30% of uniform over 1,000 samples"


@torch.no_grad()
def classify(classifier: ClassicModel, images: torch.Tensor, batch: int = 500
             ) -> tuple[np.ndarray, np.ndarray]:
    """(features (N, D), softmax (N, K)) of images in 0..1."""
    net = classifier.module.eval()
    feats, probs = [], []
    for i in range(0, len(images), batch):
        f = net.features(images[i:i + batch].float())
        feats.append(f.numpy())
        probs.append(torch.softmax(net.out(f), 1).numpy())
    return np.concatenate(feats).astype(np.float64), np.concatenate(probs).astype(np.float64)


def check_compatible(classifier: ClassicModel, data: ImageSet) -> None:
    from ..errors import InputError
    c = classifier.config
    if (c.channels, c.image_size) != (data.channels, data.size):
        raise InputError(f"classifier {classifier.folder} reads {c.channels}x{c.image_size}px "
                         f"images, the data are {data.channels}x{data.size}px")


def distribution_metrics(feat_ref, feat_x, probs_x) -> dict:
    precision, recall = precision_recall(feat_ref, feat_x)
    kid_mean, kid_std = kid(feat_ref, feat_x)
    return {"fid": fid(feat_ref, feat_x), "kid": kid_mean, "kid_std": kid_std,
            "is": inception_score(probs_x), "precision": precision, "recall": recall}


def real_floor(classifier: ClassicModel, data: ImageSet) -> dict:
    """The metrics of real half A against real half B: the best a generator can expect."""
    a, b = split_halves(len(data))
    feat_a, probs_a = classify(classifier, data.images[a])
    feat_b, _ = classify(classifier, data.images[b])
    return distribution_metrics(feat_b, feat_a, probs_a) | {"n": len(a)}


def evaluate_generator(model: ClassicModel, classifier: ClassicModel, data: ImageSet,
                       seed: int = 0, floor: bool = True) -> dict:
    """FID/KID/IS/precision/recall vs real half B, class histogram, conditional accuracy,
    and for VAEs the reconstruction PSNR/SSIM of half B."""
    check_compatible(classifier, data)
    _, b = split_halves(len(data))
    feat_b, _ = classify(classifier, data.images[b])
    images, labels = sample(model, len(b), seed=seed)
    feat_x, probs_x = classify(classifier, images)
    result = {"n": len(b), **distribution_metrics(feat_b, feat_x, probs_x)}
    predicted = probs_x.argmax(1)
    result["classes"] = class_histogram(predicted[:HISTOGRAM_N], probs_x.shape[1])
    if labels is not None:
        result["label_accuracy"] = float((predicted == labels.numpy()).mean())
    if model.kind == "vae" and model.module is not None:    # an ONNX decoder has no encoder
        real = data.images[b]
        y = data.labels[b] if model.conditional else None
        recon = torch.cat([reconstruct(model, real[i:i + 500], None if y is None else y[i:i + 500])
                           for i in range(0, len(real), 500)])
        result["recon_psnr"], result["recon_ssim"] = psnr(recon, real), ssim(recon, real)
    if floor:
        result["real_floor"] = real_floor(classifier, data)
    return result
