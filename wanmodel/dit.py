"""WanDiT: the Wan 2.1 text-to-video diffusion transformer, readable top to bottom.

Module names are the official checkpoint's keys (``blocks.N.self_attn.q``, ``blocks.N.norm3``,
``blocks.N.modulation``, ``head.head``, ``time_projection.1``), so an official state dict loads
with ``strict=True`` and no renaming.

Numerics: the sinusoidal time embedding is built in float64 (as the official code), the time MLP,
the modulation and every LayerNorm run in float32 whatever the weights' dtype (the fp32 islands),
and RoPE angles are computed in float64 and applied as float32 cos/sin tables (the official code
rotates in float64; the difference is below 1e-6 and the float32 rotation is faster). With ``fp32_residual`` the residual stream stays float32 while the
matmuls run in the weights' dtype (bf16 in practice), as the official inference does.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from wanmodel import attention as attention_module
from wanmodel.configs import DiTConfig

# Parameters that stay float32 under ``WanDiT.cast(torch.bfloat16)``: the fp32 islands.
FP32_PARAMETERS = ("time_embedding.", "time_projection.", "modulation", "norm3.", "norm_q.", "norm_k.")


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
    return torch.cat([
        rope_table(config.rope_max_len, d - 4 * (d // 6), config.rope_theta),
        rope_table(config.rope_max_len, 2 * (d // 6), config.rope_theta),
        rope_table(config.rope_max_len, 2 * (d // 6), config.rope_theta),
    ], dim=1)


def rope_grid(freqs: torch.Tensor, grid: tuple[int, int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin [F*H*W, head_dim/2] (float32 tables, from float64 angles) for a (frames, height,
    width) token grid: time, height and width rotations side by side."""
    f, h, w = grid
    c = freqs.shape[1]
    ft, fh, fw = freqs.split([c - 2 * (c // 3), c // 3, c // 3], dim=1)
    rotations = torch.cat([
        ft[:f].view(f, 1, 1, -1).expand(f, h, w, -1),
        fh[:h].view(1, h, 1, -1).expand(f, h, w, -1),
        fw[:w].view(1, 1, w, -1).expand(f, h, w, -1),
    ], dim=-1).reshape(f * h * w, -1)
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
        normed = F.rms_norm(x.float(), (x.shape[-1],), eps=self.eps)  # fused kernel, computed in fp32
        return normed.type_as(x) * self.weight.type_as(x)


class LayerNorm(nn.LayerNorm):
    """LayerNorm computed in float32 (an fp32 island), returned in float32."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.weight.float() if self.weight is not None else None
        bias = self.bias.float() if self.bias is not None else None
        return F.layer_norm(x.float(), self.normalized_shape, weight, bias, self.eps)


class SelfAttention(nn.Module):
    def __init__(self, dim: int, num_heads: int, eps: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))
        self.norm_q, self.norm_k = RMSNorm(dim, eps), RMSNorm(dim, eps)

    def forward(self, x: torch.Tensor, rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        b, length, dim = x.shape
        heads = (b, length, self.num_heads, dim // self.num_heads)
        q = apply_rope(self.norm_q(self.q(x)).view(heads), rope)
        k = apply_rope(self.norm_k(self.k(x)).view(heads), rope)
        v = self.v(x).view(heads)
        return self.o(attention_module.ATTENTION(q, k, v).flatten(2))


class CrossAttention(nn.Module):
    def __init__(self, dim: int, num_heads: int, eps: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))
        self.norm_q, self.norm_k = RMSNorm(dim, eps), RMSNorm(dim, eps)

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        b, _, dim = x.shape
        head_dim = dim // self.num_heads
        q = self.norm_q(self.q(x)).view(b, -1, self.num_heads, head_dim)
        k = self.norm_k(self.k(context)).view(b, -1, self.num_heads, head_dim)
        v = self.v(context).view(b, -1, self.num_heads, head_dim)
        return self.o(attention_module.ATTENTION(q, k, v).flatten(2))


class Block(nn.Module):
    def __init__(self, config: DiTConfig) -> None:
        super().__init__()
        dim, eps = config.dim, config.eps
        self.norm1 = LayerNorm(dim, eps, elementwise_affine=False)
        self.self_attn = SelfAttention(dim, config.num_heads, eps)
        self.norm3 = LayerNorm(dim, eps, elementwise_affine=True)  # before cross-attention
        self.cross_attn = CrossAttention(dim, config.num_heads, eps)
        self.norm2 = LayerNorm(dim, eps, elementwise_affine=False)  # before the FFN
        self.ffn = nn.Sequential(nn.Linear(dim, config.ffn_dim), nn.GELU(approximate="tanh"),
                                 nn.Linear(config.ffn_dim, dim))
        self.modulation = nn.Parameter(torch.randn(1, 6, dim) / dim**0.5)

    def forward(self, x: torch.Tensor, e: torch.Tensor, context: torch.Tensor,
                rope: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """x [B, L, dim] (residual dtype), e [B, 6, dim] float32, context [B, Lt, dim]."""
        dtype = self.ffn[0].weight.dtype  # matmuls run in the weights' dtype
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = (self.modulation.float() + e).unbind(1)
        y = self.self_attn(modulate(self.norm1(x), shift_msa[:, None], scale_msa[:, None]).to(dtype), rope)
        x = (x.float() + y.float() * gate_msa[:, None]).type_as(x)
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
        shift, scale = (self.modulation.float() + e[:, None]).unbind(1)
        return self.head(modulate(self.norm(x), shift[:, None], scale[:, None]).to(self.head.weight.dtype))


class WanDiT(nn.Module):
    def __init__(self, config: DiTConfig, fp32_residual: bool = True) -> None:
        super().__init__()
        self.config = config
        self.fp32_residual = fp32_residual
        dim = config.dim
        self.patch_embedding = nn.Conv3d(config.in_dim, dim, kernel_size=config.patch_size, stride=config.patch_size)
        self.text_embedding = nn.Sequential(nn.Linear(config.text_dim, dim), nn.GELU(approximate="tanh"),
                                            nn.Linear(dim, dim))
        self.time_embedding = nn.Sequential(nn.Linear(config.freq_dim, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.time_projection = nn.Sequential(nn.SiLU(), nn.Linear(dim, dim * 6))
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.num_layers))
        self.head = Head(config)
        # Not a parameter or buffer: derived from the config, never in a checkpoint.
        self._freqs: torch.Tensor | None = None

    def rope(self, grid: tuple[int, int, int], device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        if self._freqs is None or self._freqs.device != device:
            self._freqs = rope_frequencies(self.config).to(device)
        return rope_grid(self._freqs, grid)

    def time_embed(self, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """fp32 island: [B] timesteps -> e [B, dim] and the six modulation vectors [B, 6, dim]."""
        x = sinusoidal_embedding(self.config.freq_dim, t).float()
        lin1, lin2 = self.time_embedding[0], self.time_embedding[2]
        e = F.linear(F.silu(F.linear(x, lin1.weight.float(), lin1.bias.float())), lin2.weight.float(), lin2.bias.float())
        proj = self.time_projection[1]
        e0 = F.linear(F.silu(e), proj.weight.float(), proj.bias.float())
        return e, e0.unflatten(1, (6, self.config.dim))

    def forward(self, x: torch.Tensor, t: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """x [B, C, F, H, W] latents, t [B] timesteps in [0, 1000], context [B, Lt, text_dim] -> velocity like x."""
        dtype = self.patch_embedding.weight.dtype
        pt, ph, pw = self.config.patch_size
        b, _, f, h, w = x.shape
        grid = (f // pt, h // ph, w // pw)
        tokens = self.patch_embedding(x.to(dtype)).flatten(2).transpose(1, 2).contiguous()  # [B, L, dim]
        if self.fp32_residual:
            tokens = tokens.float()
        e, e0 = self.time_embed(t)
        context = self.text_embedding(context.to(dtype))
        rope = self.rope(grid, x.device)
        for block in self.blocks:
            tokens = block(tokens, e0, context, rope)
        out = self.head(tokens, e)  # [B, L, out * pt * ph * pw]
        return self.unpatchify(out.float(), grid)

    def unpatchify(self, x: torch.Tensor, grid: tuple[int, int, int]) -> torch.Tensor:
        """[B, F*H*W, C*pt*ph*pw] -> [B, C, F*pt, H*ph, W*pw]."""
        pt, ph, pw = self.config.patch_size
        f, h, w = grid
        x = x.view(x.shape[0], f, h, w, pt, ph, pw, -1)
        x = torch.einsum("bfhwpqrc->bcfphqwr", x)
        return x.reshape(x.shape[0], -1, f * pt, h * ph, w * pw)

    @torch.no_grad()
    def cast(self, dtype: torch.dtype) -> "WanDiT":
        """Weights to ``dtype`` for the matmuls; the fp32 islands stay float32."""
        for name, param in self.named_parameters():
            keep = any(marker in name for marker in FP32_PARAMETERS)
            param.data = param.data.to(torch.float32 if keep else dtype)
        return self
