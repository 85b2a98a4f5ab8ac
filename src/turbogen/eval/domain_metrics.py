"""Distribution metrics on a domain classifier's features (numpy + scipy).

FID (Heusel et al. 2017) and KID (Binkowski et al. 2018) on the penultimate features of a
classifier trained on the domain (the "Frechet LeNet distance" of MNIST GAN papers; no
Inception weights exist offline), an Inception-Score analogue on its softmax (Salimans et al.
2016), k-NN manifold precision / recall (Kynkaanniemi et al. 2019), class coverage, and PSNR /
SSIM (Wang et al. 2004, 7x7 Gaussian window sigma 1.5) for reconstructions.

torchmetrics is not a dependency here: its FID/KID default to Inception weights that cannot be
downloaded, and the formulas below are short and tested against known cases.
"""
from __future__ import annotations

import numpy as np
import torch
from scipy import linalg


def fid(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to features a (N, D) and b (M, D)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr sqrt(A B) = sum of sqrt(eigenvalues of A^1/2 B A^1/2), a symmetric PSD matrix: stable
    # where sqrtm(A @ B) is not (ReLU features leave singular covariances)
    w, v = linalg.eigh(cov_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    eig = linalg.eigvalsh(root_a @ cov_b @ root_a)
    value = ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) \
        - 2 * np.sqrt(np.clip(eig, 0, None)).sum()
    return float(max(value, 0.0))


def kid(a: np.ndarray, b: np.ndarray, subsets: int = 50, subset_size: int = 1000,
        seed: int = 0) -> tuple[float, float]:
    """Unbiased MMD^2 with the cubic polynomial kernel, mean and std over random subsets."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    rng = np.random.default_rng(seed)
    m = min(subset_size, len(a), len(b))
    d = a.shape[1]
    values = []
    for _ in range(subsets):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx = (x @ x.T / d + 1) ** 3
        kyy = (y @ y.T / d + 1) ** 3
        kxy = (x @ y.T / d + 1) ** 3
        values.append((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                      + (kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean())
    return float(np.mean(values)), float(np.std(values))


def inception_score(probs: np.ndarray, splits: int = 1) -> float:
    """exp(E_x KL(p(y|x) || p(y))) of softmax outputs (N, K): 1 (useless) .. K (ideal)."""
    probs = np.clip(np.asarray(probs, np.float64), 1e-12, 1.0)
    scores = []
    for part in np.array_split(probs, splits):
        marginal = part.mean(0, keepdims=True)
        scores.append(np.exp((part * (np.log(part) - np.log(marginal))).sum(1).mean()))
    return float(np.mean(scores))


def _kth_radius(x: np.ndarray, k: int) -> np.ndarray:
    d = _pairwise(x, x)
    return np.sort(d, axis=1)[:, k]              # column 0 is the point itself


def _pairwise(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    sq = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2 * x @ y.T
    return np.sqrt(np.maximum(sq, 0))


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = 3) -> tuple[float, float]:
    """Share of fakes inside the real k-NN manifold (precision) and of reals inside the fake one."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    r_real, r_fake = _kth_radius(real, k), _kth_radius(fake, k)
    d = _pairwise(fake, real)                    # (F, R)
    precision = (d <= r_real[None, :]).any(1).mean()
    recall = (d.T <= r_fake[None, :]).any(1).mean()
    return float(precision), float(recall)


def class_histogram(predicted: np.ndarray, num_classes: int) -> dict:
    """Classes covered, and the largest relative deviation of a class count from uniform."""
    counts = np.bincount(np.asarray(predicted), minlength=num_classes)
    expected = len(predicted) / num_classes
    return {"counts": counts.tolist(), "covered": int((counts > 0).sum()),
            "max_deviation": float(np.abs(counts - expected).max() / expected)}


def psnr(x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean PSNR in dB of images in 0..1 (B, C, H, W)."""
    mse = (x.float() - y.float()).pow(2).flatten(1).mean(1).clamp_min(1e-10)
    return float((10 * torch.log10(1.0 / mse)).mean())


def ssim(x: torch.Tensor, y: torch.Tensor, window: int = 7, sigma: float = 1.5) -> float:
    """Mean SSIM of images in 0..1 (B, C, H, W), Gaussian window, valid region only."""
    x, y = x.double(), y.double()
    c = x.shape[1]
    g = torch.exp(-((torch.arange(window, dtype=torch.double) - window // 2) ** 2)
                  / (2 * sigma ** 2))
    g = g / g.sum()
    kernel = (g[:, None] * g[None, :]).expand(c, 1, window, window).contiguous()

    def blur(t: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.conv2d(t, kernel, groups=c)
    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x ** 2
    var_y = blur(y * y) - mu_y ** 2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1)
                                                     * (var_x + var_y + c2))
    return float(s.mean())
