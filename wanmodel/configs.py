"""Frozen dataclass configs for the Wan 2.1 DiT, VAE and text encoder, with named presets.

The official hyper-parameters (Wan 2.1 release): patch 1x2x2, text length 512, frequency dim 256,
eps 1e-6, umT5-XXL text features (4096), VAE z_dim 16 with 4x8x8 compression.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DiTConfig:
    dim: int = 1536
    ffn_dim: int = 8960
    num_heads: int = 12
    num_layers: int = 30
    freq_dim: int = 256
    text_dim: int = 4096
    text_len: int = 512
    in_dim: int = 16
    out_dim: int = 16
    patch_size: tuple[int, int, int] = (1, 2, 2)
    eps: float = 1e-6
    rope_max_len: int = 1024
    rope_theta: float = 10000.0

    @property
    def head_dim(self) -> int:
        return self.dim // self.num_heads


@dataclass(frozen=True)
class VAEConfig:
    dim: int = 96
    z_dim: int = 16
    dim_mult: tuple[int, ...] = (1, 2, 4, 4)
    num_res_blocks: int = 2
    attn_scales: tuple[float, ...] = ()
    temporal_downsample: tuple[bool, ...] = (False, True, True)
    # Per-channel statistics of the official VAE's latents: latents are stored as (mu - mean) / std.
    latents_mean: tuple[float, ...] = (
        -0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508,
        0.4134, -0.0715, 0.5517, -0.3632, -0.1922, -0.9497, 0.2503, -0.2921,
    )
    latents_std: tuple[float, ...] = (
        2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743,
        3.2687, 2.1526, 2.8652, 1.5579, 1.6382, 1.1253, 2.8251, 1.9160,
    )

    @property
    def temporal_stride(self) -> int:
        return 2 ** sum(self.temporal_downsample)

    @property
    def spatial_stride(self) -> int:
        return 2 ** (len(self.dim_mult) - 1)


@dataclass(frozen=True)
class TextConfig:
    """umT5 encoder (transformers ``UMT5Config`` fields) and the sequence length the DiT sees."""

    vocab_size: int = 256384
    d_model: int = 4096
    d_kv: int = 64
    d_ff: int = 10240
    num_layers: int = 24
    num_heads: int = 64
    relative_attention_num_buckets: int = 32
    relative_attention_max_distance: int = 128
    text_len: int = 512


@dataclass(frozen=True)
class WanConfig:
    name: str
    dit: DiTConfig
    vae: VAEConfig = field(default_factory=VAEConfig)
    text: TextConfig = field(default_factory=TextConfig)
    sample_shift: float = 5.0  # timestep shift of the flow-matching schedule
    sample_steps: int = 50
    guidance_scale: float = 5.0


def _tiny() -> WanConfig:
    text = TextConfig(vocab_size=512, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4, text_len=16)
    dit = DiTConfig(dim=48, ffn_dim=96, num_heads=4, num_layers=2, freq_dim=32, text_dim=32, text_len=16,
                    in_dim=4, out_dim=4)
    vae = VAEConfig(dim=8, z_dim=4, latents_mean=(0.0,) * 4, latents_std=(1.0,) * 4)
    return WanConfig("tiny", dit, vae, text, sample_shift=3.0, sample_steps=10)


PRESETS: dict[str, WanConfig] = {
    "tiny": _tiny(),
    "t2v-1.3b": WanConfig("t2v-1.3b", DiTConfig(dim=1536, ffn_dim=8960, num_heads=12, num_layers=30),
                          sample_shift=5.0, guidance_scale=5.0),
    "t2v-14b": WanConfig("t2v-14b", DiTConfig(dim=5120, ffn_dim=13824, num_heads=40, num_layers=40),
                         sample_shift=5.0, guidance_scale=5.0),
}


def get_config(name: str) -> WanConfig:
    if name not in PRESETS:
        raise KeyError(f"unknown wanmodel config {name!r} (known: {', '.join(PRESETS)})")
    return PRESETS[name]
