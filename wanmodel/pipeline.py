"""Text-to-video sampling: encode the prompt, denoise latents with classifier-free guidance, decode.

Defaults are the model preset's ``WanConfig.sampling`` (for the releases the official ones: 50 steps,
guidance 5.0, shift 5.0, 81 frames, 832x480, UniPC, the official negative prompt); as in the official, an
empty negative prompt means that default one (``empty_negative="empty"`` encodes the empty string
instead). Frames become uint8 as the official writes them: scaled to [0, 255] and truncated. Same seed
on the same device gives the same frames: the initial noise comes from a ``torch.Generator`` seeded
with ``seed`` on the sampling device.

Memory modes, as the official ``--offload_model`` and ``--t5_cpu``: with ``offload`` every model
waits on the CPU and visits the GPU only for its stage (text encoder, then DiT, then VAE); with
``t5_cpu`` the text encoder stays on the CPU and only its output moves. Neither changes the frames.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from wanmodel.cache import CachePolicy, CacheStats, cached_cfg_denoiser
from wanmodel.configs import SamplingConfig, WanConfig
from wanmodel.dit import WanDiT
from wanmodel.guidance import cfg_denoiser
from wanmodel.schedulers import flow_sigmas, sample_dpmpp, sample_euler, sample_unipc
from wanmodel.text import TextEncoder
from wanmodel.vae import WanVAE

SAMPLERS = {"unipc": sample_unipc, "euler": sample_euler, "dpm++": sample_dpmpp}
# Where each solver's schedule starts, as the official sets them up (UniPC from its 0.999 training grid,
# dpm++ from get_sampling_sigmas' 1.0).
SIGMA_MAX = {"unipc": 0.999, "euler": 0.999, "dpm++": 1.0}


def check_sampling(sampling: SamplingConfig, config: WanConfig) -> None:
    """Refuse settings this model cannot sample: sizes off its strides, an unknown sampler."""
    sampling.check((config.vae.temporal_stride, config.vae.spatial_stride), config.dit.patch_size[1:])
    if sampling.sampler not in SAMPLERS:
        raise ValueError(f"unknown sampler {sampling.sampler!r}; choose {', '.join(SAMPLERS)}")


def to_uint8_frames(video: torch.Tensor) -> np.ndarray:
    """[1, 3, T, H, W] in [-1, 1] -> uint8 [T, H, W, 3], as the official writes videos: clamped, mapped
    to [0, 1] as (x + 1) / 2, times 255, truncated toward zero (not rounded)."""
    unit = (video[0].float().clamp(-1, 1) + 1) / 2
    return (unit * 255).to(torch.uint8).permute(1, 2, 3, 0).cpu().numpy()


class WanPipeline:
    def __init__(
        self,
        config: WanConfig,
        dit: WanDiT,
        vae: WanVAE,
        text_encoder: TextEncoder | None,
        device: str | torch.device = "cpu",
        offload: bool = False,
        t5_cpu: bool = False,
    ) -> None:
        self.config, self.dit, self.vae, self.text_encoder = config, dit.eval(), vae.eval(), text_encoder
        self.device = torch.device(device)
        self.offload, self.t5_cpu = offload, t5_cpu

    @classmethod
    def from_weights(
        cls,
        root: str | Path,
        config: WanConfig,
        device: str = "cpu",
        dtype: torch.dtype = torch.float32,
        offload: bool = False,
        t5_cpu: bool = False,
    ) -> WanPipeline:
        """Load a release folder (official or diffusers layout) into a pipeline, each model straight
        to where it waits: ``device``, or the CPU under ``offload`` (and the text encoder under ``t5_cpu``)."""
        from wanmodel.checkpoint import load_dit, load_vae, locate_weights

        weights = locate_weights(root)
        home = "cpu" if offload else device
        dit = load_dit(weights.dit, config.dit, dtype=dtype if dtype != torch.float32 else None, device=home)
        vae = load_vae(weights.vae, config.vae, device=home)
        text = TextEncoder.load(
            weights.text_encoder,
            weights.tokenizer,
            config.text,
            dtype=dtype,
            device="cpu" if offload or t5_cpu else device,
        )
        return cls(config, dit, vae, text, device, offload=offload, t5_cpu=t5_cpu)

    @contextmanager
    def _resident(self, module: torch.nn.Module | None) -> Iterator[None]:
        """With ``offload``: ``module`` on the sampling device for the block, back on the CPU after."""
        if not self.offload or module is None:
            yield
            return
        module.to(self.device)
        try:
            yield
        finally:
            module.to("cpu")
            if self.device.type == "cuda":
                torch.cuda.empty_cache()

    def encode_text(self, prompts: list[str]) -> torch.Tensor:
        if self.text_encoder is None:
            raise RuntimeError("the text encoder was released; pass precomputed contexts")
        with self._resident(None if self.t5_cpu else self.text_encoder.model):
            return self.text_encoder.encode(prompts).to(self.device)

    def release_text_encoder(self) -> None:
        """Free the text encoder (the largest model at 14B scale after the DiT) once prompts are encoded."""
        self.text_encoder = None
        gc.collect()
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    @torch.no_grad()
    def generate(
        self,
        prompt: str,
        seed: int = 0,
        sampling: SamplingConfig = SamplingConfig(),
        context: tuple[torch.Tensor, torch.Tensor] | None = None,
        callback: Callable[[int, torch.Tensor], None] | None = None,
        cache: CachePolicy | None = None,
        cache_stats: CacheStats | None = None,
    ) -> np.ndarray:
        """uint8 frames [T, H, W, 3] for one prompt; ``context`` = (cond, uncond) skips the text encoder;
        ``cache`` turns on the diffusion cache (fewer DiT forwards, slightly different output)."""
        vae_cfg = self.config.vae
        check_sampling(sampling, self.config)
        if context is None:
            cond, uncond = self.encode_text([prompt, sampling.negative]).chunk(2)
        else:
            cond, uncond = context
        shape = (
            1,
            vae_cfg.z_dim,
            (sampling.frames - 1) // vae_cfg.temporal_stride + 1,
            sampling.height // vae_cfg.spatial_stride,
            sampling.width // vae_cfg.spatial_stride,
        )
        generator = torch.Generator(device=self.device).manual_seed(seed)
        noise = torch.randn(shape, generator=generator, device=self.device, dtype=torch.float32)
        sigmas = flow_sigmas(sampling.steps, sampling.shift, SIGMA_MAX[sampling.sampler])
        if cache is not None:
            model_fn = cached_cfg_denoiser(
                self.dit, cond, uncond, sampling.guidance, sampling.steps, cache, cache_stats
            )
        else:
            model_fn = cfg_denoiser(self.dit, cond, uncond, sampling.guidance)
        with self._resident(self.dit):
            latents = SAMPLERS[sampling.sampler](model_fn, noise, sigmas, callback)
        with self._resident(self.vae):
            return to_uint8_frames(self.vae.decode(latents.to(next(self.vae.parameters()).dtype)))

    def with_defaults(self, **overrides) -> SamplingConfig:
        """The model's own defaults (``WanConfig.sampling``) with ``overrides`` applied."""
        return replace(self.config.sampling, **{k: v for k, v in overrides.items() if v is not None})
