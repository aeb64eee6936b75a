"""Frozen dataclass configs for the Wan 2.1 DiT, VAE, text encoder and sampling, with named presets.

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
        -0.7571,
        -0.7089,
        -0.9113,
        0.1075,
        -0.1745,
        0.9653,
        -0.1517,
        1.5508,
        0.4134,
        -0.0715,
        0.5517,
        -0.3632,
        -0.1922,
        -0.9497,
        0.2503,
        -0.2921,
    )
    latents_std: tuple[float, ...] = (
        2.8184,
        1.4541,
        2.3275,
        2.6558,
        1.2196,
        1.7708,
        2.6052,
        2.0743,
        3.2687,
        2.1526,
        2.8652,
        1.5579,
        1.6382,
        1.1253,
        2.8251,
        1.9160,
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


# The negative prompt of the official Wan 2.1 configs (Chinese: over-saturated, over-exposed, static,
# blurry details, subtitles, ..., extra fingers, badly drawn hands and faces, deformed limbs, ...).
DEFAULT_NEGATIVE_PROMPT = (
    "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，JPEG压缩残留，"
    "丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，形态畸形的肢体，手指融合，"
    "静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走"
)


@dataclass(frozen=True)
class SamplingConfig:
    """One sampling call's settings. The field defaults are the official Wan 2.1 ones; a preset's own
    defaults are ``WanConfig.sampling`` (the one place each model's steps, shift and guidance live)."""

    steps: int = 50
    shift: float = 5.0  # timestep shift of the flow-matching schedule
    guidance: float = 5.0
    frames: int = 81
    height: int = 480
    width: int = 832
    sampler: str = "unipc"  # a name in wanmodel.pipeline.SAMPLERS (checked there)
    negative_prompt: str = DEFAULT_NEGATIVE_PROMPT
    empty_negative: str = "default"  # an empty negative prompt: "default" (as the official) or "empty"

    @property
    def negative(self) -> str:
        """The negative prompt that is encoded."""
        if self.negative_prompt == "" and self.empty_negative == "default":
            return DEFAULT_NEGATIVE_PROMPT
        return self.negative_prompt

    def check(self, vae_stride: tuple[int, int] = (4, 8), patch: tuple[int, int] = (1, 2)) -> None:
        t_stride, s_stride = vae_stride
        if (self.frames - 1) % t_stride:
            raise ValueError(f"frames must be {t_stride}k+1 (e.g. 17, 33, 81), got {self.frames}")
        multiple = s_stride * patch[1]
        if self.height % multiple or self.width % multiple:
            raise ValueError(f"height and width must be multiples of {multiple}, got {self.width}x{self.height}")
        if self.empty_negative not in ("default", "empty"):
            raise ValueError(f"empty_negative must be default or empty, got {self.empty_negative!r}")


@dataclass(frozen=True)
class WanConfig:
    name: str
    dit: DiTConfig
    vae: VAEConfig = field(default_factory=VAEConfig)
    text: TextConfig = field(default_factory=TextConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)  # the model's default sampling


def _tiny() -> WanConfig:
    text = TextConfig(vocab_size=512, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4, text_len=16)
    dit = DiTConfig(
        dim=48, ffn_dim=96, num_heads=4, num_layers=2, freq_dim=32, text_dim=32, text_len=16, in_dim=4, out_dim=4
    )
    vae = VAEConfig(dim=8, z_dim=4, latents_mean=(0.0,) * 4, latents_std=(1.0,) * 4)
    return WanConfig("tiny", dit, vae, text, SamplingConfig(steps=10, shift=3.0))


PRESETS: dict[str, WanConfig] = {
    "tiny": _tiny(),
    "t2v-1.3b": WanConfig("t2v-1.3b", DiTConfig(dim=1536, ffn_dim=8960, num_heads=12, num_layers=30)),
    "t2v-14b": WanConfig("t2v-14b", DiTConfig(dim=5120, ffn_dim=13824, num_heads=40, num_layers=40)),
}


def get_config(name: str) -> WanConfig:
    if name not in PRESETS:
        raise KeyError(f"unknown wanmodel config {name!r} (known: {', '.join(PRESETS)})")
    return PRESETS[name]
