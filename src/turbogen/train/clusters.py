"""k-means clusters of a training set's pixels: pseudo-labels for an unconditional GAN.

Training the DCGAN as a conditional model on these clusters and sampling a cluster from their
shares (a simple form of the self-conditioned GAN, Liu et al. 2020, which clusters the
discriminator's features instead) fixes how often the generator draws each region of the data:
an unconditional generator chooses those proportions itself and, on MNIST-5k, drew some digits
2.7x as often as others. No labels are involved.
"""
from __future__ import annotations

import numpy as np
import torch


def pixel_clusters(images: torch.Tensor, k: int, seed: int = 0) -> tuple[torch.Tensor, tuple]:
    """(cluster id per image (N,), each cluster's share of the images (K,)); scikit-learn's
    k-means (k-means++ init, best of 3) on the flattened 0..1 pixels."""
    from sklearn.cluster import KMeans
    x = images.flatten(1).numpy().astype(np.float32)
    ids = KMeans(k, n_init=3, random_state=seed).fit(x).labels_
    counts = np.bincount(ids, minlength=k)
    return torch.from_numpy(ids.astype(np.int64)), tuple(round(float(c) / len(ids), 6)
                                                          for c in counts)
