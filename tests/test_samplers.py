"""Samplers on analytic denoisers, guidance, and parity with diffusers' schedulers."""
import math

import pytest
import torch

from turbogen.errors import InputError
from turbogen.samplers import SAMPLERS, get_sampler
from turbogen.samplers.ddim import sample_ddim
from turbogen.samplers.flow_euler import sample_flow_euler
from turbogen.samplers.flow_heun import sample_flow_heun
from turbogen.samplers.guidance import guided
from turbogen.samplers.schedules import (ObjectiveConfig, add_noise, alpha_bar_cosine,
                                         alpha_bar_linear, time_grid)

X0 = torch.tensor([[0.3, -0.7], [0.9, 0.1]]).view(1, 1, 2, 2)


def point_velocity(x, t, cond):
    """Exact flow velocity when all data sits at X0: v = (x - x0) / t."""
    return (x - X0) / t.view(-1, 1, 1, 1)


def point_eps(x, t, cond):
    a = alpha_bar_cosine(t).view(-1, 1, 1, 1)
    return (x - a.sqrt() * X0) / (1 - a).sqrt()


@pytest.mark.parametrize("sampler", [sample_flow_euler, sample_flow_heun])
@pytest.mark.parametrize("steps", [1, 3, 10])
def test_flow_samplers_recover_a_point(sampler, steps):
    x = torch.randn(1, 1, 2, 2, generator=torch.Generator().manual_seed(0))
    out = sampler(point_velocity, x, time_grid(steps))
    assert torch.allclose(out, X0, atol=1e-5)


def test_ddim_recovers_a_point():
    x = torch.randn(1, 1, 2, 2, generator=torch.Generator().manual_seed(0))
    out = sample_ddim(point_eps, x, time_grid(5), clip_x0=None)
    # float32: at t = 1, x0 = (x - ...) / sqrt(1e-4) magnifies rounding 100x
    assert torch.allclose(out, X0, atol=2e-3)


def gaussian_velocity(s):
    """Data N(0, s^2): v(x, t) = E[noise - x0 | x_t] = x (t - (1 - t) s^2) / var_t."""
    def v(x, t, cond):
        t = t.view(-1, 1, 1, 1)
        return x * (t - (1 - t) * s * s) / ((1 - t) ** 2 * s * s + t * t)
    return v


def test_heun_beats_euler_on_a_gaussian():
    s = 0.5
    x = torch.randn(20000, 1, 1, 1, generator=torch.Generator().manual_seed(1))
    schedule = time_grid(6)
    euler = sample_flow_euler(gaussian_velocity(s), x, schedule).std().item()
    heun = sample_flow_heun(gaussian_velocity(s), x, schedule).std().item()
    assert abs(heun - s) < 0.3 * abs(euler - s)
    assert abs(sample_flow_heun(gaussian_velocity(s), x, time_grid(40)).std().item() - s) < 0.01


def test_add_noise_targets():
    x0, noise, t = torch.ones(2, 1, 1, 1), torch.zeros(2, 1, 1, 1), torch.tensor([0.25, 1.0])
    xt, target = add_noise(x0, noise, t, ObjectiveConfig("flow"))
    assert xt.flatten().tolist() == [0.75, 0.0] and target.flatten().tolist() == [-1.0, -1.0]
    xt, target = add_noise(x0, noise, t, ObjectiveConfig("eps", "linear"))
    assert xt[0].item() == pytest.approx(math.sqrt(alpha_bar_linear(torch.tensor(0.25)).item()))
    assert torch.equal(target, noise)


def test_time_grid():
    assert time_grid(4).tolist() == [1.0, 0.75, 0.5, 0.25, 0.0]
    shifted = time_grid(4, shift=3.0)
    assert shifted[0] == 1 and shifted[-1] == 0 and shifted[2] > 0.5
    with pytest.raises(ValueError):
        time_grid(0)


def test_guidance_wrapper():
    def denoiser(x, t, cond):
        return x + cond["c"]
    x, t = torch.zeros(2, 1), torch.zeros(2)
    cond = {"c": torch.tensor([[1.0], [2.0]])}
    assert guided(denoiser, 1.0) is denoiser
    out = guided(denoiser, 3.0)(x, t, cond)            # u = 0, c = cond: 0 + 3 (c - 0)
    assert out.flatten().tolist() == [3.0, 6.0]


def test_sampler_lookup():
    assert set(SAMPLERS) == {"flow_euler", "flow_heun", "flow_dpmpp", "ddim",
                             "diffusers_flow_euler"}
    with pytest.raises(InputError, match="flow_euler"):
        get_sampler("euler_a")


# --- parity with diffusers ------------------------------------------------------------------

def smooth_denoiser(x, t, cond):
    """A fixed nonlinear function of (x, t), standing in for a network."""
    t = t.view(-1, 1, 1, 1)
    return torch.tanh(0.7 * x + 0.3) * (0.5 + t) - 0.2 * x * t


def test_ddim_matches_diffusers():
    diffusers = pytest.importorskip("diffusers")
    steps = 10
    sched = diffusers.DDIMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2",
                                    clip_sample=False, set_alpha_to_one=True, steps_offset=0,
                                    prediction_type="epsilon")
    sched.set_timesteps(steps)
    table = sched.alphas_cumprod.double()

    # discrete timestep k <-> our continuous t = (k + 1) / 1000; t = 0 is the clean image
    def alpha_bar(t):
        k = torch.round(t.double() * 1000).long() - 1
        return torch.where(k >= 0, table[k.clamp(min=0)], torch.ones_like(t.double())).float()

    def model(x, t, cond):
        return smooth_denoiser(x, t, cond)

    x = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    ref = x.clone()
    for k in sched.timesteps:
        t = torch.full((2,), (int(k) + 1) / 1000)
        ref = sched.step(model(ref, t, None), k, ref).prev_sample
    schedule = torch.tensor([(int(k) + 1) / 1000 for k in sched.timesteps] + [0.0])
    ours = sample_ddim(model, x, schedule, alpha_bar=alpha_bar, clip_x0=None)
    assert torch.allclose(ours, ref, atol=1e-5), (ours - ref).abs().max()


def test_flow_euler_matches_diffusers():
    diffusers = pytest.importorskip("diffusers")
    sched = diffusers.FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=1.0)
    sched.set_timesteps(8)
    x = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    ref = x.clone()
    for k in sched.timesteps:
        t = torch.full((2,), float(k) / 1000)
        ref = sched.step(smooth_denoiser(ref, t, None), k, ref).prev_sample
    schedule = sched.sigmas.float()        # 1 ... 1/1000·(…), then 0: diffusers' own grid
    ours = sample_flow_euler(smooth_denoiser, x, schedule)
    assert torch.allclose(ours, ref, atol=1e-5), (ours - ref).abs().max()


def test_flow_dpmpp_matches_diffusers():
    diffusers = pytest.importorskip("diffusers")
    from turbogen.samplers.flow_dpmpp import sample_flow_dpmpp
    sched = diffusers.DPMSolverMultistepScheduler(
        num_train_timesteps=1000, use_flow_sigmas=True, prediction_type="flow_prediction",
        algorithm_type="dpmsolver++", solver_order=2, flow_shift=1.0)
    sched.set_timesteps(6)
    x = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    ref = x.clone()
    for i, k in enumerate(sched.timesteps):
        t = torch.full((2,), float(sched.sigmas[i]))
        ref = sched.step(smooth_denoiser(ref, t, None), k, ref).prev_sample
    ours = sample_flow_dpmpp(smooth_denoiser, x, sched.sigmas.float())
    assert torch.allclose(ours, ref, atol=1e-4), (ours - ref).abs().max()


@pytest.mark.parametrize("steps", [1, 3, 10])
def test_flow_dpmpp_recovers_a_point(steps):
    from turbogen.samplers.flow_dpmpp import sample_flow_dpmpp
    x = torch.randn(1, 1, 2, 2, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(sample_flow_dpmpp(point_velocity, x, time_grid(steps)), X0, atol=1e-5)


def test_diffusers_loop_matches_our_euler_on_its_grid():
    pytest.importorskip("diffusers")
    from turbogen.samplers.diffusers_flow import sample_diffusers_flow_euler
    x = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    grid = torch.cat([torch.linspace(1.0, 1e-3, 6), torch.zeros(1)])    # diffusers' own sigmas
    ref = sample_flow_euler(smooth_denoiser, x, grid)
    assert torch.allclose(sample_diffusers_flow_euler(smooth_denoiser, x, time_grid(6)), ref,
                          atol=1e-5)
