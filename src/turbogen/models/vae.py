"""Convolutional VAE (Kingma & Welling 2014), optionally class-conditional (Sohn et al. 2015).

Encoder: image (+ label map channel-concatenated) -> two stride-2 convs -> (mu, logvar).
Decoder: z (+ label embedding) -> the DCGAN generator's shape -> Bernoulli logits per pixel.
`forward` samples z = mu + sigma * eps (the reparameterisation trick) so gradients reach the
encoder; `kl_divergence` is the closed form KL(N(mu, sigma) || N(0, 1)) per example.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .image_shape import check_conv_image


@dataclass(frozen=True)
class VAEConfig:
    image_size: int = 28                # square images; a multiple of 4
    channels: int = 1
    num_classes: int = 0                # 0 = unconditional
    z_dim: int = 16                     # latent size
    embed_dim: int = 16                 # label embedding width
    width: int = 32                     # channels at full resolution (x2 deeper)

    def __post_init__(self) -> None:
        check_conv_image(self.image_size, self.channels, self.num_classes)


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """z = mu + exp(logvar / 2) * eps, eps ~ N(0, I)."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * eps


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) summed over latent dims: (B, Z) -> (B,)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)


class VAE(nn.Module):
    def __init__(self, config: VAEConfig) -> None:
        super().__init__()
        self.config = c = config
        w, self.base = c.width, c.image_size // 4
        cond = c.num_classes > 0
        self.embed = nn.Embedding(c.num_classes, c.embed_dim) if cond else None
        self.encoder = nn.Sequential(
            nn.Conv2d(c.channels + int(cond), w, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, 2 * w, 4, 2, 1), nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2, True),
            nn.Flatten())
        features = 2 * w * self.base ** 2
        self.to_stats = nn.Linear(features, 2 * c.z_dim)
        self.label_map = nn.Embedding(c.num_classes, c.image_size ** 2) if cond else None
        self.project = nn.Sequential(
            nn.Linear(c.z_dim + (c.embed_dim if cond else 0), features), nn.ReLU(True))
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.BatchNorm2d(w), nn.ReLU(True),
            nn.ConvTranspose2d(w, w, 4, 2, 1), nn.BatchNorm2d(w), nn.ReLU(True),
            nn.Conv2d(w, c.channels, 3, 1, 1))

    def encode(self, x: torch.Tensor, y: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """x in 0..1 (B, C, S, S) -> mu, logvar (B, Z)."""
        if self.label_map is not None:
            s = self.config.image_size
            x = torch.cat([x, self.label_map(y).view(-1, 1, s, s)], dim=1)
        mu, logvar = self.to_stats(self.encoder(x)).chunk(2, dim=1)
        return mu, logvar.clamp(-10, 10)

    def decode_logits(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(y)], dim=1)
        h = self.project(z).unflatten(1, (-1, self.base, self.base))  # (B, 2w, S/4, S/4)
        return self.decoder(h)                                         # (B, C, S, S) logits

    def decode(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """z -> image in 0..1 (the Bernoulli means)."""
        return torch.sigmoid(self.decode_logits(z, y))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(reconstruction logits, mu, logvar) with z drawn by reparameterisation."""
        mu, logvar = self.encode(x, y)
        return self.decode_logits(reparameterize(mu, logvar), y), mu, logvar


def vae_loss(model: VAE, x: torch.Tensor, y: torch.Tensor | None = None, beta: float = 1.0
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Negative ELBO per example (Bernoulli likelihood on 0..1 pixels): (loss, recon, kl)."""
    logits, mu, logvar = model(x, y)
    recon = nn.functional.binary_cross_entropy_with_logits(
        logits.float(), x.float(), reduction="none").flatten(1).sum(1)
    kl = kl_divergence(mu.float(), logvar.float())
    return (recon + beta * kl).mean(), recon.mean(), kl.mean()
