"""Expected peak GPU memory of one text-to-video sample per memory mode, computed from the shapes.

A model of the main terms, not a measurement (no allocator overhead, no CUDA context, no kernel
workspaces): weights at their bytes per parameter (bf16 DiT with its float32 islands, bf16 umT5,
float32 VAE, as ``WanPipeline.from_weights(dtype=bfloat16)`` loads them); the DiT's largest
per-block working set for the cond + uncond batch of 2 (the residual stream and modulated input in
float32, q and k in float32 after their norms, v and the attention output in bf16, or the FFN's
hidden layer twice in bf16; attention itself through a memory-efficient SDPA kernel, linear in the
tokens); the VAE decoder's full-resolution working set for one chunk of 4 frames (the upsampled
input of the last upsampler, its output, a residual block's normalised copy and the causal cache).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from wanmodel.configs import WanConfig

GB = 1e9


def parameter_counts(config: WanConfig) -> dict[str, int]:
    """Parameters of the DiT, the VAE and the umT5 encoder (built on the meta device: no memory)."""
    from transformers import UMT5EncoderModel

    from wanmodel.dit import WanDiT
    from wanmodel.text import umt5_config
    from wanmodel.vae import WanVAE

    with torch.device("meta"):
        models = {
            "dit": WanDiT(config.dit),
            "vae": WanVAE(config.vae),
            "text_encoder": UMT5EncoderModel(umt5_config(config.text)),
        }
    return {name: sum(p.numel() for p in m.parameters()) for name, m in models.items()}


def dit_island_parameters(config: WanConfig) -> int:
    from wanmodel.dit import WanDiT, is_fp32_island

    with torch.device("meta"):
        dit = WanDiT(config.dit)
    return sum(p.numel() for name, p in dit.named_parameters() if is_fp32_island(name))


@dataclass(frozen=True)
class MemoryTerms:
    """The terms, in bytes, that the peaks are made of."""

    text_encoder: float
    dit: float
    dit_block: float
    vae: float
    dit_activations: float
    vae_activations: float

    def peak(self, offload: bool = False, t5_cpu: bool = False, ulysses: int = 1) -> float:
        """Bytes at the peak of one sample. ``offload``: one model on the GPU at a time; ``t5_cpu``:
        the text encoder never on the GPU; ``ulysses``: U ranks, FSDP2-sharded DiT and umT5 (plus two
        gathered blocks), 1/U of the tokens per rank and the all-to-all copies of q, k, v."""
        if ulysses > 1:
            dit = self.dit / ulysses + 2 * self.dit_block
            text = 0.0 if t5_cpu else self.text_encoder / ulysses
            activations = self.dit_activations / ulysses * 1.25
            return text + dit + self.vae + max(activations, self.vae_activations)
        text = 0.0 if t5_cpu else self.text_encoder
        if offload:
            return max(text, self.dit + self.dit_activations, self.vae + self.vae_activations)
        return text + self.dit + self.vae + max(self.dit_activations, self.vae_activations)


def memory_terms(config: WanConfig, width: int, height: int, frames: int, cfg_batch: int = 2) -> MemoryTerms:
    counts = parameter_counts(config)
    islands = dit_island_parameters(config)
    dit = (counts["dit"] - islands) * 2 + islands * 4
    d = config.dit
    vae = config.vae
    latent_frames = (frames - 1) // vae.temporal_stride + 1
    tokens = (
        latent_frames
        * (height // vae.spatial_stride // d.patch_size[1])
        * (width // vae.spatial_stride // d.patch_size[2])
    )
    rows = cfg_batch * tokens
    attention_phase = rows * d.dim * (4 + 4 + 2 + 4 + 4 + 2 + 2)  # x, modulated (f32 + bf16), q, k, v, out
    ffn_phase = rows * (d.dim * (4 + 4 + 2) + d.ffn_dim * 2 * 2)  # x, modulated, hidden and its GELU
    chunk_pixels = vae.temporal_stride * height * width
    channels = vae.dim * (2 * vae.dim_mult[1] + 1 + 1) + vae.dim * 2 / vae.temporal_stride  # + 2-frame cache
    block = (counts["dit"] - islands) / d.num_layers * 2
    return MemoryTerms(
        text_encoder=counts["text_encoder"] * 2,
        dit=dit,
        dit_block=block,
        vae=counts["vae"] * 4,
        dit_activations=max(attention_phase, ffn_phase),
        vae_activations=chunk_pixels * channels * 4,
    )
