"""Classic generators and the domain metrics: shapes, reparameterisation/KL, metric sanity."""
import numpy as np
import pytest
import torch

from turbogen.eval.domain_metrics import (class_histogram, fid, inception_score, kid,
                                          precision_recall, psnr, ssim)
from turbogen.models.classifier import Classifier, ClassifierConfig
from turbogen.models.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from turbogen.models.gan import MLPGANConfig, MLPDiscriminator, MLPGenerator
from turbogen.models.vae import VAE, VAEConfig, kl_divergence, reparameterize, vae_loss


@pytest.mark.parametrize("size,channels,classes", [(28, 1, 0), (28, 1, 10), (32, 3, 5)])
def test_dcgan_shapes(size, channels, classes):
    c = DCGANConfig(image_size=size, channels=channels, num_classes=classes, g_width=8,
                    d_width=8)
    y = torch.randint(classes, (4,)) if classes else None
    x = DCGANGenerator(c)(torch.randn(4, c.z_dim), y)
    assert x.shape == (4, channels, size, size) and x.abs().max() <= 1
    assert DCGANDiscriminator(c)(x, y).shape == (4,)


@pytest.mark.parametrize("classes", [0, 3])
def test_mlp_gan_shapes(classes):
    c = MLPGANConfig(image_size=8, num_classes=classes, g_hidden=(16,), d_hidden=(16,))
    y = torch.randint(classes, (5,)) if classes else None
    x = MLPGenerator(c)(torch.randn(5, c.z_dim), y)
    assert x.shape == (5, 1, 8, 8)
    assert MLPDiscriminator(c)(x, y).shape == (5,)


def test_projection_discriminator_uses_label():
    c = DCGANConfig(image_size=8, num_classes=3, g_width=4, d_width=4, spectral_norm=False)
    d = DCGANDiscriminator(c).eval()
    torch.nn.init.normal_(d.embed.weight)
    x = torch.randn(2, 1, 8, 8)
    assert not torch.allclose(d(x, torch.tensor([0, 0])), d(x, torch.tensor([1, 1])))


def test_dcgan_config_rejects_bad_size():
    with pytest.raises(ValueError, match="multiple of 4"):
        DCGANConfig(image_size=30)


@pytest.mark.parametrize("classes", [0, 4])
def test_vae_shapes_and_loss(classes):
    c = VAEConfig(image_size=8, num_classes=classes, width=4, z_dim=3)
    vae = VAE(c)
    x = torch.rand(6, 1, 8, 8)
    y = torch.randint(classes, (6,)) if classes else None
    logits, mu, logvar = vae(x, y)
    assert logits.shape == x.shape and mu.shape == logvar.shape == (6, 3)
    loss, recon, kl = vae_loss(vae, x, y)
    assert loss.ndim == 0 and recon > 0 and kl >= 0
    loss.backward()
    assert vae.encoder[0].weight.grad.abs().sum() > 0     # gradients reach the encoder


def test_reparameterisation_moments_and_gradient():
    mu = torch.tensor([[1.5, -2.0]], requires_grad=True).expand(200_000, 2)
    logvar = torch.log(torch.tensor([[0.25, 4.0]])).expand(200_000, 2)
    z = reparameterize(mu, logvar, torch.Generator().manual_seed(0))
    assert torch.allclose(z.mean(0), torch.tensor([1.5, -2.0]), atol=0.02)
    assert torch.allclose(z.std(0), torch.tensor([0.5, 2.0]), atol=0.02)
    z.sum().backward()                                    # dz/dmu = 1 for every sample


def test_kl_closed_form():
    assert kl_divergence(torch.zeros(1, 4), torch.zeros(1, 4)).item() == 0
    mu, logvar = torch.tensor([[1.0, 0.0]]), torch.log(torch.tensor([[1.0, 2.0]]))
    expected = 0.5 * (1.0 + 0) + 0.5 * (2.0 - 1 - np.log(2.0))     # per-dim KL, summed
    assert kl_divergence(mu, logvar).item() == pytest.approx(expected, rel=1e-6)
    # Monte-Carlo check of KL(N(mu, s^2) || N(0, 1))
    z = reparameterize(mu.expand(400_000, 2), logvar.expand(400_000, 2),
                       torch.Generator().manual_seed(1))
    var = logvar.exp()
    log_q = (-0.5 * ((z - mu) ** 2 / var + logvar + np.log(2 * np.pi))).sum(1)
    log_p = (-0.5 * (z ** 2 + np.log(2 * np.pi))).sum(1)
    assert (log_q - log_p).mean().item() == pytest.approx(expected, abs=0.01)


def test_classifier_features():
    c = ClassifierConfig(image_size=8, num_classes=3, width=4, feature_dim=6)
    net = Classifier(c).eval()
    x = torch.rand(2, 1, 8, 8)
    assert net.features(x).shape == (2, 6) and net(x).shape == (2, 3)


def test_fid_kid_of_a_set_with_itself_and_a_shift():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(600, 8))
    assert fid(a, a) == pytest.approx(0, abs=1e-6)
    assert fid(a, a + 1.0) == pytest.approx(8.0, rel=1e-3)      # mean shift only: |dmu|^2
    b = rng.normal(size=(600, 8))
    assert fid(a, b) < 0.5
    same, _ = kid(a, b, subsets=10, subset_size=300)
    shifted, _ = kid(a, b + 1.0, subsets=10, subset_size=300)
    assert abs(same) < 0.01 and shifted > 10 * max(abs(same), 1e-3)


def test_precision_recall_and_inception_score():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    p, r = precision_recall(real, rng.normal(size=(300, 4)))
    assert p > 0.8 and r > 0.8
    collapsed = np.zeros((300, 4)) + rng.normal(scale=0.01, size=(300, 4))
    p, r = precision_recall(real, collapsed)
    assert p > 0.9 and r < 0.2                    # precise but covers little: mode collapse
    p, _ = precision_recall(real, real + 10.0)
    assert p == 0
    assert inception_score(np.eye(10)[np.arange(100) % 10]) == pytest.approx(10, rel=1e-6)
    assert inception_score(np.full((50, 10), 0.1)) == pytest.approx(1, rel=1e-6)


def test_class_histogram():
    h = class_histogram(np.array([0] * 13 + [1] * 7), 2)
    assert h["covered"] == 2 and h["counts"] == [13, 7] and h["max_deviation"] == pytest.approx(0.3)


def test_psnr_ssim():
    x = torch.rand(2, 1, 16, 16)
    assert ssim(x, x) == pytest.approx(1.0, abs=1e-9)
    assert psnr(x, (x + 0.1).clamp(0, 1)) < 30 and psnr(x, x) > 90
    assert ssim(x, torch.rand(2, 1, 16, 16)) < 0.3


def test_ac_gan_head():
    c = DCGANConfig(image_size=8, num_classes=3, g_width=4, d_width=4, aux_classifier=True)
    d = DCGANDiscriminator(c)
    logit, classes = d(torch.randn(2, 1, 8, 8), torch.tensor([0, 2]), return_class=True)
    assert logit.shape == (2,) and classes.shape == (2, 3)
    plain = DCGANDiscriminator(DCGANConfig(image_size=8, g_width=4, d_width=4))
    assert plain(torch.randn(2, 1, 8, 8), return_class=True)[1] is None


def test_fid_matches_sqrtm_formula():
    from scipy import linalg
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(400, 5)), rng.normal(size=(300, 5)) * 1.5 + 0.3
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    ref = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb) \
        - 2 * np.trace(linalg.sqrtm(ca @ cb).real)
    assert fid(a, b) == pytest.approx(ref, rel=1e-6)
