"""DCGAN (Radford et al. 2016) for small square images, optionally class-conditional.

Generator: z (+ label embedding) -> linear to (4w, S/4, S/4) -> two stride-2 transposed convs
-> 3x3 conv -> tanh, BatchNorm + ReLU between. Discriminator: two stride-2 convs with LeakyReLU
(spectral norm or BatchNorm), a linear logit, and for conditional models the projection term
<embed(y), h> (Miyato & Koyama 2018), optionally plus an auxiliary class head whose
cross-entropy both networks also minimise (AC-GAN, Odena et al. 2017): it sharpens how
faithfully samples follow their label. Optionally D also sees the minibatch standard deviation
as one more feature map (Karras et al. 2018), so a generator that draws too-similar samples is
easy to tell apart. Or D judges m samples at once, concatenated along channels, all real or
all fake (PacGAN, Lin et al. 2018): a generator that drops modes draws packs that look too
alike, which D can see and one sample alone cannot show. Unconditional models may also take an
InfoGAN categorical code (Chen et al. 2016): G reads z plus a one-hot code c of K values drawn
uniformly, a Q head on D's features predicts c, and both minimise that cross-entropy; no labels
are involved, but G must make its K codes tell apart, which spreads its samples over K modes
(on MNIST largely the digits). Or an unconditional model is trained as a conditional one on
k-means clusters of the training images (`cluster_prior` = the clusters' shares; a simple form of
the self-conditioned GAN of Liu et al. 2020): it samples a cluster from that prior, so it draws
each region of the data as often as the data holds it. S must be a multiple of 4 (28, 32, ...).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .image_shape import check_conv_image


@dataclass(frozen=True)
class DCGANConfig:
    image_size: int = 28                # square images; a multiple of 4
    channels: int = 1                   # 1 grey, 3 RGB
    num_classes: int = 0                # 0 = unconditional
    z_dim: int = 64                     # latent size
    embed_dim: int = 16                 # label embedding width (generator)
    g_width: int = 32                   # generator channels at full resolution (x2, x4 deeper)
    d_width: int = 64                   # discriminator channels after the first conv (x2 deeper)
    spectral_norm: bool = True          # discriminator: spectral norm instead of BatchNorm
    aux_classifier: bool = False        # conditional D also predicts the class (AC-GAN)
    minibatch_std: bool = False         # D: a minibatch standard-deviation feature map
    pack: int = 1                       # D: samples per decision (PacGAN); unconditional only
    info_codes: int = 0                 # InfoGAN categorical code of K values; 0 = none
    cluster_prior: tuple[float, ...] = ()   # num_classes are k-means clusters drawn this often

    def __post_init__(self) -> None:
        check_conv_image(self.image_size, self.channels, self.num_classes)
        check_info_codes(self.info_codes, self.num_classes, self.pack)
        if self.cluster_prior and (len(self.cluster_prior) != self.num_classes
                                   or min(self.cluster_prior) < 0):
            raise ValueError(f"cluster_prior needs num_classes={self.num_classes} shares >= 0, "
                             f"got {len(self.cluster_prior)}")
        if self.pack < 1 or (self.pack > 1 and self.num_classes):
            # a pack of m samples has m labels; the projection term takes one
            raise ValueError(f"pack must be >= 1, and 1 for class-conditional models; got "
                             f"pack={self.pack} with num_classes={self.num_classes}")


def check_info_codes(k: int, num_classes: int, pack: int = 1) -> None:
    if k == 0:
        return
    if k < 2:
        raise ValueError(f"info_codes must be 0 (off) or at least 2, got {k}")
    if num_classes:
        # the code is the unsupervised stand-in for a label; a conditional model has the label
        raise ValueError(f"info_codes={k} is for unconditional models; this one has "
                         f"num_classes={num_classes}")
    if pack > 1:
        raise ValueError(f"info_codes={k} needs one sample per discriminator decision (the Q "
                         f"head predicts each sample's code); got pack={pack}")


def draw_latent(config, n: int, generator: torch.Generator, device=None,
                code: int | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The generator's input (n, z_dim [+ K]) and the codes drawn (n,) or None.

    z ~ N(0, I) first, so models without codes draw exactly what they always drew. With K
    codes the one-hot code follows z: `code` fixes it, else each of the K values is drawn
    n // K or n // K + 1 times in random order (uniform, without the multinomial spread of
    independent draws).
    """
    z = torch.randn(n, config.z_dim, generator=generator, device=device)
    k = getattr(config, "info_codes", 0)
    if not k:
        return z, None
    if code is None:
        codes = torch.randperm(n, generator=generator, device=device) % k
    else:
        codes = torch.full((n,), code, dtype=torch.long, device=device)
    return torch.cat([z, nn.functional.one_hot(codes, k).to(z.dtype)], 1), codes


def _sn(layer: nn.Module, on: bool) -> nn.Module:
    return nn.utils.parametrizations.spectral_norm(layer) if on else layer


class MinibatchStd(nn.Module):
    """Append the batch's mean feature standard deviation, per group, as one more channel.

    Karras et al. 2018 (ProGAN), section 3: groups of `group` samples; each sample gets its
    group's value, so the feature says how varied the batch around it is.
    """

    def __init__(self, group: int = 4) -> None:
        super().__init__()
        self.group = group

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        g = math.gcd(b, self.group)                                  # a group size dividing B
        groups = x.float().reshape(g, b // g, c, h, w)                # (G, B/G, C, H, W)
        std = (groups.var(0, unbiased=False) + 1e-8).sqrt()           # (B/G, C, H, W)
        std = std.mean((1, 2, 3)).view(-1, 1, 1, 1).repeat(g, 1, h, w)  # (B, 1, H, W)
        return torch.cat([x, std.to(x.dtype)], dim=1)


def pack_samples(x: torch.Tensor, m: int) -> torch.Tensor:
    """(B, C, H, W) -> (B/m, m*C, H, W): samples m*i .. m*i+m-1 side by side along channels."""
    b, c, h, w = x.shape
    if b % m:
        raise ValueError(f"a packed discriminator (pack={m}) needs a batch size divisible by "
                         f"{m}, got {b}")
    return x.reshape(b // m, m * c, h, w)


class DCGANGenerator(nn.Module):
    def __init__(self, config: DCGANConfig) -> None:
        super().__init__()
        self.config = c = config
        w, self.base = c.g_width, c.image_size // 4
        self.embed = nn.Embedding(c.num_classes, c.embed_dim) if c.num_classes else None
        z_in = c.z_dim + c.info_codes + (c.embed_dim if c.num_classes else 0)
        self.project = nn.Sequential(nn.Linear(z_in, 4 * w * self.base ** 2, bias=False),
                                     nn.BatchNorm1d(4 * w * self.base ** 2), nn.ReLU(True))
        self.net = nn.Sequential(
            nn.ConvTranspose2d(4 * w, 2 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * w),
            nn.ReLU(True),
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(True),
            nn.Conv2d(w, c.channels, 3, 1, 1), nn.Tanh())

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """z: (B, z_dim [+ K one-hot code]) from `draw_latent`; y: labels (conditional)."""
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        h = self.project(z).unflatten(1, (-1, self.base, self.base))  # (B, 4w, S/4, S/4)
        return self.net(h)                                            # (B, C, S, S)


class DCGANDiscriminator(nn.Module):
    def __init__(self, config: DCGANConfig) -> None:
        super().__init__()
        self.config = c = config
        w, sn = c.d_width, c.spectral_norm
        self.body = nn.Sequential(
            _sn(nn.Conv2d(c.channels * c.pack, w, 4, 2, 1), sn), nn.LeakyReLU(0.2, True),
            _sn(nn.Conv2d(w, 2 * w, 4, 2, 1), sn),
            nn.Identity() if sn else nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2, True),
            MinibatchStd() if c.minibatch_std else nn.Identity(),
            nn.Flatten())
        features = (2 * w + int(c.minibatch_std)) * (c.image_size // 4) ** 2
        self.head = _sn(nn.Linear(features, 1), sn)
        self.embed = _sn(nn.Embedding(c.num_classes, features), sn) if c.num_classes else None
        self.classify = nn.Linear(features, c.num_classes) \
            if c.num_classes and c.aux_classifier else None
        # InfoGAN's Q: one hidden layer on D's shared features, no spectral norm (it is a
        # classifier, not a critic whose slope must be bounded)
        self.q_head = nn.Sequential(nn.Linear(features, 128), nn.LeakyReLU(0.2, True),
                                    nn.Linear(128, c.info_codes)) if c.info_codes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None,
                return_class: bool = False):
        """Real/fake logit (B/pack,); with return_class also the class logits (B, K) or None,
        the AC-GAN head's for conditional models, the InfoGAN Q head's code logits otherwise."""
        if self.config.pack > 1:
            x = pack_samples(x, self.config.pack)                     # (B/m, m*C, H, W)
        h = self.body(x)                                              # (B/m, F)
        out = self.head(h).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(y) * h).sum(1)                   # projection term
        if return_class:
            head = self.classify if self.classify is not None else self.q_head
            return out, (head(h) if head is not None else None)
        return out
