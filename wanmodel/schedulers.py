"""Flow-matching sampling: the sigma schedule and three pure samplers (Euler, UniPC, DPM++).

Every sampler has one signature, ``sample_*(model_fn, x, sigmas, callback=None) -> x``, where
``model_fn(x, t)`` returns the flow velocity (noise - data) at timestep ``t`` and ``sigmas`` runs
from near 1 down to 0. The schedule is Wan's: sigmas spaced evenly from 0.999 to 0, warped by the
timestep shift ``s * sigma / (1 + (s - 1) * sigma)``, and the model sees ``int64(sigma * 1000)``.
UniPC is the multistep predictor-corrector of Zhao et al. 2023 in the configuration the official
Wan solver uses: data (x0) prediction, B(h) = e^h - 1 ("bh2"), order 2, first order at the last step.
DPM++ is DPM-Solver++(2M) with the midpoint update, as the official ``dpm++`` solver; its schedule
starts at sigma 1 (``flow_sigmas(..., sigma_max=1.0)``), where the log-SNR is -inf.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

ModelFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
Callback = Callable[[int, torch.Tensor], None]
NUM_TRAIN_TIMESTEPS = 1000


def shift_sigmas(sigmas: torch.Tensor, shift: float) -> torch.Tensor:
    return shift * sigmas / (1 + (shift - 1) * sigmas)


def flow_sigmas(steps: int, shift: float = 5.0, sigma_max: float = 0.999) -> torch.Tensor:
    """steps + 1 sigmas (float64): evenly spaced from ``sigma_max`` toward 0, shifted, then a final 0."""
    if steps < 1:
        raise ValueError("steps must be >= 1")
    base = torch.linspace(sigma_max, 0.0, steps + 1, dtype=torch.float64)[:-1]
    return torch.cat([shift_sigmas(base, shift), torch.zeros(1, dtype=torch.float64)])


def timesteps_of(sigmas: torch.Tensor) -> torch.Tensor:
    """The model's timestep for each sigma but the last: int64(sigma * 1000), as Wan computes it."""
    return (sigmas[:-1] * NUM_TRAIN_TIMESTEPS).to(torch.int64)


def sample_euler(
    model_fn: ModelFn, x: torch.Tensor, sigmas: torch.Tensor, callback: Callback | None = None
) -> torch.Tensor:
    """First-order flow ODE steps: x <- x + (sigma_next - sigma) * v."""
    timesteps = timesteps_of(sigmas)
    for i in range(len(timesteps)):
        velocity = model_fn(x, timesteps[i].expand(x.shape[0]).to(x.device))
        x = (x.float() + (float(sigmas[i + 1]) - float(sigmas[i])) * velocity.float()).to(x.dtype)
        if callback:
            callback(i, x)
    return x


def _lambda(sigma: float) -> float:
    """log-SNR of the flow path x = (1 - sigma) * x0 + sigma * noise (-inf at sigma 1, +inf at 0)."""
    if sigma >= 1.0:
        return -math.inf
    return math.log(1.0 - sigma) - math.log(sigma) if sigma > 0 else math.inf


def sample_dpmpp(
    model_fn: ModelFn, x: torch.Tensor, sigmas: torch.Tensor, callback: Callback | None = None
) -> torch.Tensor:
    """DPM-Solver++(2M), midpoint form, data prediction: second order except at the first step and
    the last (which lands on sigma 0), as the official ``dpm++`` solver (solver order 2)."""
    sig = [float(s) for s in sigmas]
    lam = [_lambda(s) for s in sig]
    timesteps = timesteps_of(sigmas)
    steps = len(timesteps)
    dtype = x.dtype
    x = x.float()
    previous: torch.Tensor | None = None  # the last step's data prediction
    for i in range(steps):
        velocity = model_fn(x.to(dtype), timesteps[i].expand(x.shape[0]).to(x.device)).float()
        m0 = x - sig[i] * velocity
        h = lam[i + 1] - lam[i]  # inf at the first step (sigma 1) and at the last (sigma 0)
        coefficient = (1.0 - sig[i + 1]) * math.expm1(-h)  # alpha_t (e^-h - 1); e^-inf - 1 = -1
        ratio = sig[i + 1] / sig[i]
        x_next = ratio * x - coefficient * m0
        if previous is not None and i < steps - 1:
            r0 = (lam[i] - lam[i - 1]) / h  # inf after a first step from sigma 1: D1 vanishes
            x_next = x_next - 0.5 * coefficient * ((1.0 / r0) * (m0 - previous))
        previous, x = m0, x_next
        if callback:
            callback(i, x.to(dtype))
    return x.to(dtype)


def sample_unipc(
    model_fn: ModelFn, x: torch.Tensor, sigmas: torch.Tensor, callback: Callback | None = None, order: int = 2
) -> torch.Tensor:
    """UniPC (bh2, x0 prediction, predictor order <= 2 with warm-up and a first-order last step)."""
    if order not in (1, 2):
        raise ValueError("this UniPC supports order 1 or 2")
    sig = [float(s) for s in sigmas]
    lam = [_lambda(s) for s in sig]
    timesteps = timesteps_of(sigmas)
    steps = len(timesteps)
    x0_preds: list[torch.Tensor] = []  # data predictions m_i, newest last
    last_order = 0
    dtype = x.dtype
    x = x.float()
    last_sample = x  # the sample before the latest predictor step (first read at i = 1)
    for i in range(steps):
        velocity = model_fn(x.to(dtype), timesteps[i].expand(x.shape[0]).to(x.device)).float()
        m_i = x - sig[i] * velocity  # the model's x0
        if i > 0:  # corrector: refine the sample we just predicted, using the new model output
            x = _corrector(last_sample, m_i, x0_preds, sig, lam, i, last_order)
        x0_preds = (x0_preds + [m_i])[-2:]
        this_order = min(order, steps - i, i + 1)  # first order at the end and while warming up
        last_sample = x
        x = _predictor(x, x0_preds, sig, lam, i, this_order)
        last_order = this_order
        if callback:
            callback(i, x.to(dtype))
    return x.to(dtype)


def _h_phi_1(h: float) -> float:
    """h*phi_1 = e^(-h) - 1 in the data-prediction form (hh = -h). UniPC's bh2 variant takes its B(h)
    equal to this, so the predictor and corrector use it for both."""
    hh = -h
    return math.expm1(hh) if math.isfinite(hh) else -1.0


def _predictor(
    x: torch.Tensor, preds: list[torch.Tensor], sig: list[float], lam: list[float], i: int, order: int
) -> torch.Tensor:
    """x at sigma[i+1] from x at sigma[i] and the data predictions m_i (and m_{i-1} for order 2)."""
    m0 = preds[-1]
    h = lam[i + 1] - lam[i]
    h_phi_1 = _h_phi_1(h)
    alpha_t = 1.0 - sig[i + 1]
    x_t = (sig[i + 1] / sig[i]) * x - alpha_t * h_phi_1 * m0
    if order == 2:
        rk = (lam[i - 1] - lam[i]) / h
        d1 = (preds[-2] - m0) / rk
        x_t = x_t - alpha_t * h_phi_1 * 0.5 * d1  # rho = 1/2 for the second-order predictor
    return x_t


def _corrector(
    last_sample: torch.Tensor,
    m_t: torch.Tensor,
    preds: list[torch.Tensor],
    sig: list[float],
    lam: list[float],
    i: int,
    order: int,
) -> torch.Tensor:
    """Correct the step sigma[i-1] -> sigma[i] with the data prediction m_t made at sigma[i]."""
    m0 = preds[-1]
    h = lam[i] - lam[i - 1]
    hh = -h
    h_phi_1 = _h_phi_1(h)
    alpha_t = 1.0 - sig[i]
    x_t = (sig[i] / sig[i - 1]) * last_sample - alpha_t * h_phi_1 * m0
    if order == 1:
        return x_t - alpha_t * h_phi_1 * 0.5 * (m_t - m0)
    rk = (lam[i - 2] - lam[i - 1]) / h
    d1 = (preds[-2] - m0) / rk
    # Solve [[1, 1], [rk, 1]] rho = b, with b_k = k! * h*phi_{k+1}(hh) / B(h) and B(h) = h*phi_1.
    phi_k = h_phi_1 / hh - 1.0
    b1 = phi_k / h_phi_1
    phi_k = phi_k / hh - 0.5
    b2 = phi_k * 2.0 / h_phi_1
    rho_1 = (b1 - b2) / (1.0 - rk)  # coefficient of d1
    rho_t = b1 - rho_1  # coefficient of (m_t - m0)
    return x_t - alpha_t * h_phi_1 * (rho_1 * d1 + rho_t * (m_t - m0))
