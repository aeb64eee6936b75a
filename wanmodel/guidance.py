"""Classifier-free guidance: v = v_uncond + scale * (v_cond - v_uncond).

The conditional and unconditional velocities come from one DiT forward over a batch of two (the
noisy latent twice, the prompt's and the negative prompt's text features), as the official code
does; ``cfg_denoiser`` (every step) and the diffusion cache (``wanmodel.cache``) share that forward.
"""

from __future__ import annotations

import torch

from wanmodel.dit import WanDiT
from wanmodel.schedulers import ModelFn


def cond_and_uncond(
    dit: WanDiT, x: torch.Tensor, t: torch.Tensor, cond: torch.Tensor, uncond: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(v_cond, v_uncond) for latents ``x`` [B, C, F, H, W] at timesteps ``t`` [B], in one forward of batch 2B."""
    both = dit(torch.cat([x, x]), torch.cat([t, t]).float(), torch.cat([cond, uncond]))  # [2B, C, F, H, W]
    v_cond, v_uncond = both.chunk(2)
    return v_cond, v_uncond


def guided(v_cond: torch.Tensor, v_uncond: torch.Tensor, scale: float) -> torch.Tensor:
    return v_uncond + scale * (v_cond - v_uncond)


def cfg_denoiser(dit: WanDiT, cond: torch.Tensor, uncond: torch.Tensor | None, scale: float) -> ModelFn:
    """The sampler's ``model_fn``: guided velocity, both branches in one batched forward (one branch
    when there is no negative or ``scale`` is 1)."""

    def model_fn(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        if uncond is None or scale == 1.0:
            return dit(x, t.float(), cond)
        return guided(*cond_and_uncond(dit, x, t, cond, uncond), scale)

    return model_fn
