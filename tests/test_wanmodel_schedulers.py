"""Flow sigmas, timesteps and full sampling loops against diffusers' schedulers, configured alike.

diffusers 0.42 starts its own flow sigmas at 1 - 1e-6 on a grid ending at 1/1000; Wan's solver
starts at 0.999 on a grid ending at 0. We pin Wan's grid by passing it to diffusers as ``sigmas``
(diffusers then applies the same shift), so both run the same schedule.
"""

import numpy as np
import pytest
import torch

from wanmodel.schedulers import flow_sigmas, sample_euler, sample_unipc, shift_sigmas, timesteps_of

STEPS, SHIFT = 12, 5.0
GRID = np.linspace(0.999, 0, STEPS + 1)[:-1]


def toy_model(seed: int = 0):
    """A smooth nonlinear velocity field that depends on x and t, in float64 internally."""
    a = torch.randn(1, 4, 3, 8, 8, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)

    def model_fn(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return torch.tanh(0.7 * x.double() + a * (t.double()[0] / 1000)).to(x.dtype)

    return model_fn


def test_schedule_matches_wan_and_diffusers() -> None:
    from diffusers import UniPCMultistepScheduler

    sigmas = flow_sigmas(STEPS, SHIFT)
    assert len(sigmas) == STEPS + 1 and sigmas[-1] == 0
    assert float(sigmas[0]) == pytest.approx(float(shift_sigmas(torch.tensor(0.999, dtype=torch.float64), SHIFT)))
    assert torch.all(sigmas[1:] < sigmas[:-1])
    ref = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=SHIFT)
    ref.set_timesteps(sigmas=GRID.copy())
    assert (ref.sigmas.double() - sigmas).abs().max() < 1e-7  # diffusers keeps float32
    assert torch.equal(ref.timesteps, timesteps_of(sigmas))
    assert timesteps_of(sigmas).dtype == torch.int64 and int(timesteps_of(sigmas)[0]) == 999


@pytest.mark.parametrize("order", [1, 2])
def test_unipc_loop_matches_diffusers(order: int) -> None:
    from diffusers import UniPCMultistepScheduler

    ref = UniPCMultistepScheduler(
        prediction_type="flow_prediction",
        use_flow_sigmas=True,
        flow_shift=SHIFT,
        solver_order=order,
        solver_type="bh2",
        lower_order_final=True,
    )
    ref.set_timesteps(sigmas=GRID.copy())
    model_fn = toy_model()
    start = torch.randn(1, 4, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    x = start.clone()
    for t in ref.timesteps:
        x = ref.step(model_fn(x, t.expand(1)), t, x).prev_sample
    ours = sample_unipc(model_fn, start.clone(), flow_sigmas(STEPS, SHIFT), order=order)
    assert (ours - x).abs().max().item() <= 1e-5


def test_euler_loop_matches_diffusers() -> None:
    from diffusers import FlowMatchEulerDiscreteScheduler

    ref = FlowMatchEulerDiscreteScheduler(shift=SHIFT)
    ref.set_timesteps(sigmas=GRID.copy())
    model_fn = toy_model(2)
    start = torch.randn(1, 4, 3, 8, 8, generator=torch.Generator().manual_seed(3))
    x = start.clone()
    ours_t = timesteps_of(flow_sigmas(STEPS, SHIFT))
    for i, t in enumerate(ref.timesteps):  # feed the model Wan's integer timesteps in both loops
        x = ref.step(model_fn(x, ours_t[i].expand(1)), t, x).prev_sample
    ours = sample_euler(model_fn, start.clone(), flow_sigmas(STEPS, SHIFT))
    assert (ours - x).abs().max().item() <= 1e-5


def test_samplers_solve_a_known_flow() -> None:
    """For straight paths from x0 to noise the velocity is noise - x0: every sampler must land on x0."""
    x0 = torch.randn(2, 4, 2, 4, 4, dtype=torch.float64)
    noise = torch.randn_like(x0)

    def exact(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return noise - x0

    sigmas = flow_sigmas(8, 3.0)
    start = float(sigmas[0]) * noise + (1 - float(sigmas[0])) * x0
    for sampler in (sample_euler, sample_unipc):
        assert torch.allclose(sampler(exact, start.clone(), sigmas), x0, atol=1e-6)


def test_callback_sees_every_step() -> None:
    seen = []
    sample_unipc(toy_model(), torch.zeros(1, 4, 3, 8, 8), flow_sigmas(5, 5.0), callback=lambda i, x: seen.append(i))
    assert seen == [0, 1, 2, 3, 4]


def test_dpmpp_starts_at_sigma_one_and_is_second_order() -> None:
    """The official dpm++ schedule starts at sigma 1 (timestep 1000, log-SNR -inf); DPM-Solver++(2M)
    lands exactly on x0 for straight paths and beats Euler against a 400-step reference."""
    from wanmodel.schedulers import sample_dpmpp

    sigmas = flow_sigmas(8, 3.0, sigma_max=1.0)
    assert float(sigmas[0]) == 1.0 and int(timesteps_of(sigmas)[0]) == 1000
    x0 = torch.randn(2, 4, 2, 4, 4, dtype=torch.float64)
    noise = torch.randn_like(x0)
    assert torch.allclose(sample_dpmpp(lambda x, t: noise - x0, noise.clone(), sigmas), x0, atol=1e-6)

    model_fn = toy_model(4)
    start = torch.randn(1, 4, 3, 8, 8, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    reference = sample_dpmpp(model_fn, start.clone(), flow_sigmas(400, SHIFT, sigma_max=1.0))

    def error(sampler, steps: int) -> float:
        return (
            (sampler(model_fn, start.clone(), flow_sigmas(steps, SHIFT, sigma_max=1.0)) - reference).abs().max().item()
        )

    dpm20, dpm40 = error(sample_dpmpp, 20), error(sample_dpmpp, 40)
    assert dpm20 / dpm40 > 3.0  # second order: doubling the steps divides the error by about 4
    assert dpm40 < error(sample_euler, 40) / 2
