"""GAN training options: hinge loss, DiffAugment, the minibatch standard-deviation feature,
PacGAN packing."""
import json

import pytest
import torch

from classic_fixtures import train_tiny, write_folder
from turbogen.models.dcgan import DCGANConfig, DCGANDiscriminator, MinibatchStd, pack_samples
from turbogen.train.classic_recipe import d_loss_fn, g_loss_fn
from turbogen.train.diffaugment import cutout, diff_augment, translate


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def test_translate_shifts_whole_images_and_fills_background():
    x = torch.arange(64.).view(1, 1, 8, 8).repeat(16, 1, 1, 1)
    out = translate(x, _g(), ratio=0.25)
    assert out.shape == x.shape
    for img in out[:, 0]:
        kept = img[img != -1]                       # a shifted window of the original grid
        rows = torch.unique(kept // 8)
        assert len(kept) == len(rows) * len(torch.unique(kept % 8))
    assert (out == -1).any()


def test_cutout_blanks_at_most_a_quarter():
    x = torch.ones(32, 2, 8, 8)
    out = cutout(x, _g())
    holes = (out == -1).all(1).flatten(1).sum(1)     # both channels blanked together
    assert (holes > 0).all() and (holes <= 16).all()
    assert ((out == -1) | (out == 1)).all()


def test_diff_augment_is_differentiable_and_seeded():
    x = torch.randn(4, 3, 8, 8, requires_grad=True)
    diff_augment(x, _g()).sum().backward()
    assert x.grad.abs().sum() > 0
    assert torch.equal(diff_augment(x, _g(3)), diff_augment(x, _g(3)))


def test_minibatch_std_feature():
    x = torch.randn(8, 3, 4, 4)
    out = MinibatchStd(group=4)(x)
    assert out.shape == (8, 4, 4, 4) and torch.equal(out[:, :3], x)
    same = MinibatchStd(group=4)(torch.ones(8, 3, 4, 4))
    assert same[:, 3].abs().max() < 1e-3            # identical samples: no spread
    assert MinibatchStd(group=4)(torch.randn(6, 2, 2, 2)).shape == (6, 3, 2, 2)  # 6 % 4 != 0


def test_discriminator_with_minibatch_std():
    c = DCGANConfig(image_size=8, g_width=4, d_width=4, minibatch_std=True)
    assert DCGANDiscriminator(c)(torch.randn(4, 1, 8, 8)).shape == (4,)


def test_pack_samples_puts_neighbours_side_by_side():
    x = torch.arange(4.0).view(4, 1, 1, 1).expand(4, 3, 2, 2)      # sample i is all i
    packed = pack_samples(x, 2)
    assert packed.shape == (2, 6, 2, 2)
    assert packed[0, :3].eq(0).all() and packed[0, 3:].eq(1).all() and packed[1, 3:].eq(3).all()
    with pytest.raises(ValueError, match="divisible by 2"):
        pack_samples(torch.randn(3, 1, 2, 2), 2)


def test_packed_discriminator_gives_one_logit_per_pack():
    c = DCGANConfig(image_size=8, g_width=4, d_width=4, pack=2, minibatch_std=True)
    D = DCGANDiscriminator(c)
    assert D.body[0].in_channels == 2 and D(torch.randn(6, 1, 8, 8)).shape == (3,)
    with pytest.raises(ValueError, match="class-conditional"):
        DCGANConfig(num_classes=10, pack=2)


def test_train_dcgan_with_pack(tmp_path):
    folder = write_folder(tmp_path / "data")
    assert train_tiny("dcgan", folder, tmp_path / "run", "--pack", "2") == 0
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["model"]["pack"] == 2 and config["recipe"]["pack"] == 2
    # a pack has several labels; an odd batch does not split into pairs: clear errors
    assert train_tiny("dcgan", folder, tmp_path / "c", "--pack", "2", "--conditional") == 2
    assert train_tiny("dcgan", folder, tmp_path / "o", "--pack", "2", "--batch-size", "7") == 2


def test_hinge_and_bce_losses():
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.0])
    assert d_loss_fn("hinge", real, fake) == pytest.approx(0.25 + 0.5)
    assert g_loss_fn("hinge", fake) == pytest.approx(1.0)
    assert d_loss_fn("bce", real, fake) > 0 and g_loss_fn("bce", fake) > 0


@pytest.mark.parametrize("extra", [["--loss", "hinge", "--augment", "--minibatch-std"],
                                   ["--no-augment", "--no-minibatch-std"]])
def test_train_dcgan_with_options(tmp_path, extra):
    folder = write_folder(tmp_path / "data")
    out = tmp_path / "run"
    assert train_tiny("dcgan", folder, out, *extra) == 0
    config = json.loads((out / "config.json").read_text())
    on = "--augment" in extra
    assert config["model"]["minibatch_std"] is on
    assert config["recipe"]["augment"] is on and config["recipe"]["loss"] == (
        "hinge" if on else "bce")


def test_card_command_repeats_non_default_options():
    from dataclasses import asdict

    from turbogen.train.classic_card import command_line
    from turbogen.train.classic_recipe import recipe_for
    rc = asdict(recipe_for("dcgan", loss="hinge", augment=True, spectral_norm=False, lr_d=4e-4))
    cmd = command_line({"recipe_config": rc, "data": "mnist", "seed": 3})
    assert cmd.startswith("turbogen train dcgan --data mnist --epochs")
    for part in ("--loss hinge", "--augment", "--batch-norm", "--lr-d 0.0004", "--seed 3"):
        assert part in cmd
    plain = command_line({"recipe_config": asdict(recipe_for("dcgan")), "data": "mnist",
                          "seed": 0})
    assert "--loss" not in plain and "--augment" not in plain


def test_vae_kl_weight_scales_the_kl_term(tmp_path):
    from turbogen.models.vae import VAE, VAEConfig
    from turbogen.train.classic_recipe import vae_loss_fn
    torch.manual_seed(0)
    vae = VAE(VAEConfig(image_size=8, width=4, z_dim=3))
    batch = (torch.rand(4, 1, 8, 8), None)
    losses = []
    for w in (1.0, 3.0):
        torch.manual_seed(1)                        # the same reparameterisation noise
        with torch.no_grad():
            losses.append(float(vae_loss_fn(w)(vae, batch)))
    torch.manual_seed(1)
    from turbogen.models.vae import vae_loss
    with torch.no_grad():
        _, recon, kl = vae_loss(vae, *batch)
    assert losses[1] - losses[0] == pytest.approx(2 * float(kl), rel=1e-4)
    folder = write_folder(tmp_path / "data")
    assert train_tiny("vae", folder, tmp_path / "run", "--kl-weight", "3") == 0
    assert json.loads((tmp_path / "run" / "config.json").read_text())["recipe"]["kl_weight"] == 3
