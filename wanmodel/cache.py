"""Diffusion cache: spend fewer DiT forwards per video where the model's answer changes little.

Two reuses, in the spirit of the Wan report's attention and CFG caches:
- CFG cache: in the middle of the schedule the unconditional branch is recomputed only every
  ``uncond_every`` steps; in between, the last unconditional velocity stands in for it.
- Step cache: when the latent has moved little since the last computed step (accumulated relative
  L1 change below ``skip_threshold``), the whole model call is skipped and the last guided
  velocity is reused.
The first ``warmup`` and last ``cooldown`` steps are always computed in full: the layout forms
early and the details settle late.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from wanmodel.dit import WanDiT
from wanmodel.guidance import cond_and_uncond, guided
from wanmodel.schedulers import ModelFn


@dataclass(frozen=True)
class CachePolicy:
    warmup: int = 4
    cooldown: int = 4
    uncond_every: int = 2
    skip_threshold: float = 0.04


@dataclass
class CacheStats:
    steps: int = 0
    forwards: int = 0  # DiT forwards counted per sample (a batched cond+uncond pass counts 2)
    skipped: int = 0
    uncond_reused: int = 0
    log: list[str] = field(default_factory=list)


@dataclass
class _StepMemory:
    """What the cache remembers between steps: the last input, answers, and how far inputs moved since."""

    x: torch.Tensor | None = None
    v: torch.Tensor | None = None
    v_uncond: torch.Tensor | None = None
    moved: float = 0.0


def cached_cfg_denoiser(
    dit: WanDiT,
    cond: torch.Tensor,
    uncond: torch.Tensor,
    scale: float,
    total_steps: int,
    policy: CachePolicy = CachePolicy(),
    stats: CacheStats | None = None,
) -> ModelFn:
    """A ``model_fn`` like ``cfg_denoiser``'s that reuses work as ``policy`` allows (call once per step)."""
    stats = stats if stats is not None else CacheStats()
    state = _StepMemory()

    def model_fn(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        step = stats.steps
        stats.steps += 1
        full = step < policy.warmup or step >= total_steps - policy.cooldown
        if state.x is not None:
            previous = state.x
            state.moved += float((x - previous).abs().mean() / (previous.abs().mean() + 1e-8))
        state.x = x
        if not full and state.v is not None and state.moved < policy.skip_threshold:
            stats.skipped += 1
            return state.v  # the answer barely changed: reuse it
        state.moved = 0.0
        if full or state.v_uncond is None or (step - policy.warmup) % policy.uncond_every == 0:
            v_cond, v_uncond = cond_and_uncond(dit, x, t, cond, uncond)
            state.v_uncond = v_uncond
            stats.forwards += 2
        else:
            v_cond = dit(x, t.float(), cond)
            v_uncond = state.v_uncond
            stats.uncond_reused += 1
            stats.forwards += 1
        v = guided(v_cond, v_uncond, scale)
        state.v = v
        return v

    return model_fn
