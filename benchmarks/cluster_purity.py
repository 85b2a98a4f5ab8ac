"""How well k-means clusters of MNIST-5k's pixels follow the digits (labels used only here, to
judge the clusters; training never sees them).

For each K: purity (share of images in their cluster's majority digit), cluster sizes, and the
worst case for `--clusters K`: a generator that drew only each cluster's majority digit, each
cluster as often as the data holds it; the largest relative deviation of that digit mass from
uniform.

    python benchmarks/cluster_purity.py [--k 10,20,40,64,100]
"""
from __future__ import annotations

import argparse
import json

import numpy as np

from turbogen.data.classic import load_image_set
from turbogen.train.clusters import pixel_clusters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", default="10,20,40,64,100")
    args = parser.parse_args()
    data = load_image_set("mnist")
    y = data.labels.numpy()
    for k in map(int, args.k.split(",")):
        ids = pixel_clusters(data.images, k)[0].numpy()
        majority = np.zeros(10)
        purity = 0
        for j in range(k):
            digits = np.bincount(y[ids == j], minlength=10)
            purity += digits.max()
            majority[digits.argmax()] += digits.sum()
        sizes = np.bincount(ids, minlength=k)
        expected = len(y) / 10
        print(json.dumps({"k": k, "purity": round(purity / len(y), 3),
                          "sizes": [int(sizes.min()), int(sizes.max())],
                          "majority_only_max_deviation": round(float(
                              np.abs(majority - expected).max() / expected), 2)}), flush=True)


if __name__ == "__main__":
    main()
