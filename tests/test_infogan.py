"""InfoGAN categorical code for unconditional DCGANs: latent, Q head, loss, config, sampling."""
import json

import pytest
import torch
import torch.nn.functional as F

from classic_fixtures import train_tiny, write_folder
from turbogen.cli.main import main
from turbogen.configs import config_from_dict
from turbogen.errors import InputError
from turbogen.models.dcgan import (DCGANConfig, DCGANDiscriminator, DCGANGenerator,
                                   draw_latent)
from turbogen.pipelines.classic_model import ClassicModel, load_classic
from turbogen.pipelines.classic_sample import latent, preview, sample


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def test_latent_is_z_then_a_balanced_one_hot_code():
    c = DCGANConfig(image_size=8, z_dim=5, info_codes=4)
    z, codes = draw_latent(c, 10, _g())
    assert z.shape == (10, 9) and codes.shape == (10,)
    assert torch.equal(z[:, 5:].argmax(1), codes) and torch.equal(z[:, 5:].sum(1), torch.ones(10))
    assert torch.bincount(codes, minlength=4).tolist() in ([3, 3, 2, 2], [3, 2, 3, 2],
                                                           [3, 2, 2, 3], [2, 3, 3, 2],
                                                           [2, 3, 2, 3], [2, 2, 3, 3])
    # z comes first from the same stream: a model without codes draws the very same noise
    plain, none = draw_latent(DCGANConfig(image_size=8, z_dim=5), 10, _g())
    assert none is None and torch.equal(plain, z[:, :5])
    fixed, codes = draw_latent(c, 6, _g(), code=2)
    assert (codes == 2).all() and (fixed[:, 5 + 2] == 1).all()


def test_generator_and_q_head_shapes():
    c = DCGANConfig(image_size=8, g_width=4, d_width=4, z_dim=6, info_codes=3)
    G, D = DCGANGenerator(c), DCGANDiscriminator(c)
    assert G.project[0].in_features == 6 + 3
    z, codes = draw_latent(c, 5, _g())
    fake = G(z)
    assert fake.shape == (5, 1, 8, 8)
    logit, q = D(fake, return_class=True)
    assert logit.shape == (5,) and q.shape == (5, 3)
    # the InfoGAN loss reaches G's weights and Q's, through D's shared trunk
    F.cross_entropy(q, codes).backward()
    assert G.project[0].weight.grad.abs().sum() > 0
    assert D.q_head[0].weight.grad.abs().sum() > 0
    assert D.body[0].parametrizations.weight.original.grad.abs().sum() > 0
    assert DCGANDiscriminator(DCGANConfig(image_size=8, d_width=4)).q_head is None


def test_info_codes_config_checks_and_old_configs_load():
    with pytest.raises(ValueError, match="unconditional"):
        DCGANConfig(num_classes=10, info_codes=10)
    with pytest.raises(ValueError, match="pack=2"):
        DCGANConfig(info_codes=10, pack=2)
    with pytest.raises(ValueError, match="at least 2"):
        DCGANConfig(info_codes=1)
    old = {"image_size": 28, "channels": 1, "num_classes": 0, "z_dim": 64}   # before the field
    assert config_from_dict(DCGANConfig, old).info_codes == 0
    with pytest.raises(InputError, match="unconditional"):
        config_from_dict(DCGANConfig, {**old, "num_classes": 10, "info_codes": 10})


def test_sampling_draws_every_code_equally_often():
    c = DCGANConfig(image_size=8, g_width=4, d_width=4, z_dim=6, info_codes=4)
    model = ClassicModel("dcgan", c, DCGANGenerator(c).eval())
    z = latent(model, 1000, _g())
    assert torch.bincount(z[:, 6:].argmax(1), minlength=4).tolist() == [250] * 4
    images, labels = sample(model, 12, seed=1, code=3)
    assert images.shape == (12, 1, 8, 8) and labels is None
    assert preview(model).shape == (40, 1, 8, 8)       # a row of 10 per code
    with pytest.raises(InputError, match="0..3"):
        sample(model, 2, code=4)
    plain = ClassicModel("dcgan", DCGANConfig(image_size=8, g_width=4), None)
    with pytest.raises(InputError, match="no InfoGAN code"):
        sample(plain, 2, code=0)


def test_train_sample_and_reload_with_info_codes(tmp_path, capsys):
    folder = write_folder(tmp_path / "data")
    out = tmp_path / "run"
    assert train_tiny("dcgan", folder, out, "--info-codes", "3", "--info-weight", "0.5") == 0
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["info_codes"] == 3 and config["recipe"]["info_weight"] == 0.5
    assert "--info-codes 3" in (out / "card.md").read_text()
    model = load_classic(out)
    assert model.config.info_codes == 3 and not model.conditional
    assert main(["sample", str(out), "-n", "4", "--code", "2", "--out", str(tmp_path / "s")]) == 0
    assert len(list((tmp_path / "s").glob("0*.png"))) == 4
    assert main(["sample", str(out), "-n", "2", "--code", "7", "--out", str(tmp_path / "t")]) == 2
    # the code stands in for a label: conditional runs, packs and K = 1 are refused
    capsys.readouterr()
    assert train_tiny("dcgan", folder, tmp_path / "c", "--info-codes", "3",
                      "--conditional") == 2
    assert "unconditional DCGANs" in capsys.readouterr().err
    assert train_tiny("dcgan", folder, tmp_path / "p", "--info-codes", "3", "--pack", "2") == 2
    assert train_tiny("dcgan", folder, tmp_path / "k", "--info-codes", "1") == 2
    assert train_tiny("vae", folder, tmp_path / "v", "--info-codes", "3") == 2


def test_pixel_clusters_and_cluster_prior_sampling():
    from turbogen.pipelines.classic_sample import draw_clusters
    from turbogen.train.clusters import pixel_clusters
    images = torch.cat([torch.zeros(6, 1, 4, 4), torch.ones(3, 1, 4, 4)])
    ids, prior = pixel_clusters(images + 0.01 * torch.rand(9, 1, 4, 4), 2)
    assert sorted(prior) == pytest.approx([1 / 3, 2 / 3], abs=1e-5)
    assert len(set(ids[:6].tolist())) == 1 and ids[0] != ids[8]
    c = DCGANConfig(image_size=8, g_width=4, num_classes=3, cluster_prior=(0.5, 0.3, 0.2))
    model = ClassicModel("dcgan", c, DCGANGenerator(c).eval())
    assert not model.conditional                     # it draws its cluster itself
    assert torch.bincount(draw_clusters(model, 10, _g()), minlength=3).tolist() == [5, 3, 2]
    images, labels = sample(model, 6, seed=0)
    assert images.shape == (6, 1, 8, 8) and labels is None
    with pytest.raises(ValueError, match="num_classes=3"):
        DCGANConfig(num_classes=3, cluster_prior=(0.5, 0.5))


def test_train_with_clusters_is_unconditional_outside(tmp_path, capsys):
    folder = write_folder(tmp_path / "data", n_per_class=8)
    out = tmp_path / "run"
    assert train_tiny("dcgan", folder, out, "--clusters", "3") == 0
    config = json.loads((out / "config.json").read_text())
    assert config["model"]["num_classes"] == 3 and config["classes"] == []
    assert sum(config["model"]["cluster_prior"]) == pytest.approx(1)
    assert main(["sample", str(out), "-n", "2", "--label", "0", "--out", str(tmp_path / "s")]) == 2
    assert "unconditional" in capsys.readouterr().err
    assert train_tiny("dcgan", folder, tmp_path / "c", "--clusters", "3", "--conditional") == 2
    assert train_tiny("dcgan", folder, tmp_path / "i", "--clusters", "3",
                      "--info-codes", "3") == 2


def test_unconditional_dcgan_defaults_to_64_clusters():
    from turbogen.data.classic import ImageSet
    from turbogen.train.classic_recipe import recipe_for, resolve_clusters

    def k(n, **options):
        data = ImageSet(torch.zeros(n, 1, 8, 8), None)
        return resolve_clusters(recipe_for(options.pop("kind", "dcgan"), **options), data).clusters
    assert k(5000) == 64 and k(400) == 10 and k(40) == 0           # one per 40 images at most
    assert k(5000, conditional=True) == 0 and k(5000, kind="vae") == 0
    assert k(5000, info_codes=10) == 0 and k(5000, pack=2) == 0      # other discrete choices
    assert k(5000, clusters=0) == 0 and k(5000, clusters=20) == 20
