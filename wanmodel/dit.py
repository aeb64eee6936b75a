"""WanDiT: the Wan 2.1 text-to-video diffusion transformer, readable top to bottom.

Module names are the official checkpoint's keys (``blocks.N.self_attn.q``, ``blocks.N.norm3``,
``blocks.N.modulation``, ``head.head``, ``time_projection.1``), so an official state dict loads
with ``strict=True`` and no renaming.

Numerics under bf16, as the official inference (bf16 autocast over float32 weights) computes:
the sinusoidal time embedding is built in float64; the parameters named in ``FP32_ISLANDS`` stay
float32 under ``WanDiT.cast`` and the computations that use them run in float32 (time MLP,
modulation, LayerNorms, the q/k RMSNorm scale, the output head); every other matmul runs in the
weights' dtype. q and k leave their RMSNorm in float32 (the normalised value is rounded to the
matmul dtype first, then scaled by the float32 weight, as the official does) and reach attention
after RoPE, where q, k and v meet in v's dtype. RoPE angles are computed in float64 and applied as
float32 cos/sin tables (the official rotates in float64; the difference is below 1e-6). With
``fp32_residual`` the residual stream is float32 from block 0's first residual addition on; block 0
receives the patch embedding's output in the weights' dtype and rounds its first LayerNorm's output
to it, as the official (whose stream enters block 0 in bf16) does.

Parallelism is attached from outside (``wanmodel/parallel.py``): every attention module calls its
own ``attention`` (plain SDPA by default), and ``WanDiT.sequence_parallel``, when set, splits the
token sequence over ranks after patchifying and gathers it before unpatchifying.
"""

from __future__ import annotations

import math
import re
from typing import Protocol

import torch
import torch.nn as nn
import torch.nn.functional as F

from wanmodel.attention import AttentionFn, sdpa
from wanmodel.configs import DiTConfig

# The fp32 islands, declared once: parameters (full names) that stay float32 under ``WanDiT.cast``.
# The forward code relies on it: what uses these weights computes in float32.
FP32_ISLANDS = re.compile(
    "|".join(
        [
            r"time_embedding\..*",
            r"time_projection\..*",  # the timestep MLP
            r"blocks\.\d+\.modulation",
            r"head\.modulation",  # adaLN shift / scale / gate tables
            r"blocks\.\d+\.norm3\..*",  # the affine LayerNorm before cross-attention
            r"blocks\.\d+\.(self|cross)_attn\.norm_[qk]\..*",  # q/k RMSNorm scales
            r"head\.head\..*",  # the output projection (the official runs the head under fp32 autocast)
        ]
    )
)


def is_fp32_island(name: str) -> bool:
    return FP32_ISLANDS.fullmatch(name) is not None


class SequenceParallel(Protocol):
    """How the token sequence is split over ranks (wanmodel/parallel.py provides one)."""

    def shard(self, x: torch.Tensor, dim: int) -> torch.Tensor: ...

    def gather(self, x: torch.Tensor, dim: int, length: int) -> torch.Tensor: ...


def sinusoidal_embedding(dim: int, t: torch.Tensor) -> torch.Tensor:
    """[B] timesteps -> [B, dim] as [cos, sin], computed in float64 (t reaches 1000)."""
    half = dim // 2
    position = t.to(torch.float64)
    freqs = torch.pow(10000.0, -torch.arange(half, dtype=torch.float64, device=t.device) / half)
    angles = torch.outer(position, freqs)
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=1)


def rope_table(max_len: int, dim: int, theta: float) -> torch.Tensor:
    """[max_len, dim/2] complex128 rotations for one axis."""
    inv = 1.0 / torch.pow(theta, torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    angles = torch.outer(torch.arange(max_len, dtype=torch.float64), inv)
    return torch.polar(torch.ones_like(angles), angles)


def rope_frequencies(config: DiTConfig) -> torch.Tensor:
    """[max_len, head_dim/2] complex: time, height and width tables side by side."""
    d = config.head_dim
    return torch.cat(
        [
            rope_table(config.rope_max_len, d - 4 * (d // 6), config.rope_theta),
            rope_table(config.rope_max_len, 2 * (d // 6), config.rope_theta),
            rope_table(config.rope_max_len, 2 * (d // 6), config.rope_theta),
        ],
        dim=1,
    )


def rope_grid(freqs: torch.Tensor, grid: tuple[int, int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin [F*H*W, head_dim/2] (float32 tables, from float64 angles) for a (frames, height,
    width) token grid: time, height and width rotations side by side."""
    f, h, w = grid
    c = freqs.shape[1]
    ft, fh, fw = freqs.split([c - 2 * (c // 3), c // 3, c // 3], dim=1)
    rotations = torch.cat(
        [
            ft[:f].view(f, 1, 1, -1).expand(f, h, w, -1),
            fh[:h].view(1, h, 1, -1).expand(f, h, w, -1),
            fw[:w].view(1, 1, w, -1).expand(f, h, w, -1),
        ],
        dim=-1,
    ).reshape(f * h * w, -1)
    return rotations.real.float(), rotations.imag.float()


def apply_rope(x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """x [B, L, H, D]: rotate adjacent channel pairs (x1, x2) by the token's angles, in float32."""
    cos, sin = (r[None, :, None, :] for r in rope)  # [1, L, 1, D/2]
    x1, x2 = x.float().unflatten(-1, (-1, 2)).unbind(-1)
    rotated = torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1).flatten(3)
    return rotated.type_as(x)


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale) + shift


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised in fp32, rounded to x's dtype, then scaled by the (fp32-island) weight with type
        promotion: a float32 result for bf16 x, as the official computes it."""
        normed = F.rms_norm(x.float(), (x.shape[-1],), eps=self.eps)  # fused kernel, computed in fp32
        return normed.type_as(x) * self.weight


class LayerNorm(nn.LayerNorm):
    """LayerNorm computed in float32 (its affine weights, if any, are an fp32 island), returned in float32."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x.float(), self.normalized_shape, self.weight, self.bias, self.eps)


class SelfAttention(nn.Module):
    def __init__(self, dim: int, num_heads: int, eps: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))
        self.norm_q, self.norm_k = RMSNorm(dim, eps), RMSNorm(dim, eps)
        self.attention: AttentionFn = sdpa  # parallel.py installs a sequence-parallel one here

    def forward(
        self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor], key_length: int | None = None
    ) -> torch.Tensor:
        """x [B, L, dim]; ``key_length``: how many tokens of the whole sequence are real (not padding)."""
        b, length, dim = x.shape
        heads = (b, length, self.num_heads, dim // self.num_heads)
        q = apply_rope(self.norm_q(self.q(x)).view(heads), rope)
        k = apply_rope(self.norm_k(self.k(x)).view(heads), rope)
        v = self.v(x).view(heads)
        return self.o(self.attention(q, k, v, key_length).flatten(2))


class CrossAttention(nn.Module):
    def __init__(self, dim: int, num_heads: int, eps: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))
        self.norm_q, self.norm_k = RMSNorm(dim, eps), RMSNorm(dim, eps)
        self.attention: AttentionFn = sdpa

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        b, _, dim = x.shape
        head_dim = dim // self.num_heads
        q = self.norm_q(self.q(x)).view(b, -1, self.num_heads, head_dim)
        k = self.norm_k(self.k(context)).view(b, -1, self.num_heads, head_dim)
        v = self.v(context).view(b, -1, self.num_heads, head_dim)
        return self.o(self.attention(q, k, v).flatten(2))


class Block(nn.Module):
    def __init__(self, config: DiTConfig) -> None:
        super().__init__()
        dim, eps = config.dim, config.eps
        self.norm1 = LayerNorm(dim, eps, elementwise_affine=False)
        self.self_attn = SelfAttention(dim, config.num_heads, eps)
        self.norm3 = LayerNorm(dim, eps, elementwise_affine=True)  # before cross-attention
        self.cross_attn = CrossAttention(dim, config.num_heads, eps)
        self.norm2 = LayerNorm(dim, eps, elementwise_affine=False)  # before the FFN
        self.ffn = nn.Sequential(
            nn.Linear(dim, config.ffn_dim), nn.GELU(approximate="tanh"), nn.Linear(config.ffn_dim, dim)
        )
        self.modulation = nn.Parameter(torch.randn(1, 6, dim) / dim**0.5)

    def forward(
        self,
        x: torch.Tensor,
        e: torch.Tensor,
        context: torch.Tensor,
        rope: tuple[torch.Tensor, torch.Tensor],
        key_length: int | None = None,
        residual_dtype: torch.dtype | None = None,
    ) -> torch.Tensor:
        """x [B, L, dim], e [B, 6, dim] float32, context [B, Lt, dim]. The residual stream leaves the
        first addition in ``residual_dtype`` (default: x's dtype). As the official, the first
        LayerNorm's output is rounded to x's dtype: in block 0 of a bf16 model x is the patch
        embedding's bf16 output, and only the gated residual addition lifts the stream to float32."""
        dtype = next(self.ffn.parameters()).dtype  # matmuls run in the weights' dtype (ffn.0.weight)
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = (self.modulation + e).unbind(1)
        normed = self.norm1(x).to(x.dtype)
        y = self.self_attn(modulate(normed, shift_msa[:, None], scale_msa[:, None]).to(dtype), rope, key_length)
        x = (x.float() + y.float() * gate_msa[:, None]).to(residual_dtype or x.dtype)
        x = x + self.cross_attn(self.norm3(x).to(dtype), context).type_as(x)
        y = self.ffn(modulate(self.norm2(x), shift_mlp[:, None], scale_mlp[:, None]).to(dtype))
        return (x.float() + y.float() * gate_mlp[:, None]).type_as(x)


class Head(nn.Module):
    def __init__(self, config: DiTConfig) -> None:
        super().__init__()
        self.norm = LayerNorm(config.dim, config.eps, elementwise_affine=False)
        self.head = nn.Linear(config.dim, config.out_dim * math.prod(config.patch_size))
        self.modulation = nn.Parameter(torch.randn(1, 2, config.dim) / config.dim**0.5)

    def forward(self, x: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        """Entirely in float32 (an fp32 island), as the official's head under fp32 autocast."""
        shift, scale = (self.modulation + e[:, None]).unbind(1)
        return self.head(modulate(self.norm(x), shift[:, None], scale[:, None]))


class WanDiT(nn.Module):
    def __init__(self, config: DiTConfig, fp32_residual: bool = True) -> None:
        super().__init__()
        self.config = config
        self.fp32_residual = fp32_residual
        dim = config.dim
        self.patch_embedding = nn.Conv3d(config.in_dim, dim, kernel_size=config.patch_size, stride=config.patch_size)
        self.text_embedding = nn.Sequential(
            nn.Linear(config.text_dim, dim), nn.GELU(approximate="tanh"), nn.Linear(dim, dim)
        )
        self.time_embedding = nn.Sequential(nn.Linear(config.freq_dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.time_projection = nn.Sequential(nn.SiLU(), nn.Linear(dim, dim * 6))
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.num_layers))
        self.head = Head(config)
        # Not a parameter or buffer: derived from the config, never in a checkpoint.
        self._freqs: torch.Tensor | None = None
        self.sequence_parallel: SequenceParallel | None = None  # set by wanmodel/parallel.py

    def rope(self, grid: tuple[int, int, int], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        if self._freqs is None or self._freqs.device != device:
            self._freqs = rope_frequencies(self.config).to(device)
        return rope_grid(self._freqs, grid)

    def time_embed(self, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """fp32 island: [B] timesteps -> e [B, dim] and the six modulation vectors [B, 6, dim]."""
        e = self.time_embedding(sinusoidal_embedding(self.config.freq_dim, t).float())
        return e, self.time_projection(e).unflatten(1, (6, self.config.dim))

    def forward(self, x: torch.Tensor, t: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """x [B, C, F, H, W] latents, t [B] timesteps in [0, 1000], context [B, Lt, text_dim] -> velocity like x."""
        dtype = self.patch_embedding.weight.dtype
        pt, ph, pw = self.config.patch_size
        b, _, f, h, w = x.shape
        grid = (f // pt, h // ph, w // pw)
        # [B, L, dim] in the weights' dtype: block 0 sees the stream as the official does (see Block)
        tokens = self.patch_embedding(x.to(dtype)).flatten(2).transpose(1, 2).contiguous()
        residual_dtype = torch.float32 if self.fp32_residual else tokens.dtype
        e, e0 = self.time_embed(t)
        context = self.text_embedding(context.to(dtype))
        rope = self.rope(grid, x.device)
        length, parallel = tokens.shape[1], self.sequence_parallel
        if parallel is not None:  # this rank's slice of the (padded) sequence
            tokens, rope = parallel.shard(tokens, 1), (parallel.shard(rope[0], 0), parallel.shard(rope[1], 0))
        for block in self.blocks:
            tokens = block(tokens, e0, context, rope, length, residual_dtype)
        out = self.head(tokens, e)  # [B, L, out * pt * ph * pw]
        if parallel is not None:
            out = parallel.gather(out, 1, length)
        return self.unpatchify(out.float(), grid)

    def unpatchify(self, x: torch.Tensor, grid: tuple[int, int, int]) -> torch.Tensor:
        """[B, F*H*W, C*pt*ph*pw] -> [B, C, F*pt, H*ph, W*pw]."""
        pt, ph, pw = self.config.patch_size
        f, h, w = grid
        x = x.view(x.shape[0], f, h, w, pt, ph, pw, -1)
        x = torch.einsum("bfhwpqrc->bcfphqwr", x)
        return x.reshape(x.shape[0], -1, f * pt, h * ph, w * pw)

    @torch.no_grad()
    def cast(self, dtype: torch.dtype) -> WanDiT:
        """Weights to ``dtype`` for the matmuls; the fp32 islands stay float32. (Use this, not
        ``.to(dtype)``: the forward assumes the islands are float32.)"""
        for name, param in self.named_parameters():
            param.data = param.data.to(torch.float32 if is_fp32_island(name) else dtype)
        return self
