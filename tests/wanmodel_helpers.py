"""Tiny diffusers reference models built from our configs (diffusers is a test-only dependency)."""

from __future__ import annotations

import torch

from wanmodel.configs import DiTConfig, VAEConfig


def diffusers_dit(cfg: DiTConfig, seed: int = 0):
    from diffusers import WanTransformer3DModel

    torch.manual_seed(seed)
    return WanTransformer3DModel(
        patch_size=cfg.patch_size, num_attention_heads=cfg.num_heads, attention_head_dim=cfg.head_dim,
        in_channels=cfg.in_dim, out_channels=cfg.out_dim, text_dim=cfg.text_dim, freq_dim=cfg.freq_dim,
        ffn_dim=cfg.ffn_dim, num_layers=cfg.num_layers, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        eps=cfg.eps, rope_max_seq_len=cfg.rope_max_len,
    ).eval()


def diffusers_vae(cfg: VAEConfig, seed: int = 0):
    from diffusers import AutoencoderKLWan

    torch.manual_seed(seed)
    vae = AutoencoderKLWan(
        base_dim=cfg.dim, z_dim=cfg.z_dim, dim_mult=list(cfg.dim_mult), num_res_blocks=cfg.num_res_blocks,
        attn_scales=list(cfg.attn_scales), temperal_downsample=list(cfg.temporal_downsample),
        latents_mean=list(cfg.latents_mean), latents_std=list(cfg.latents_std),
    ).eval()
    with torch.no_grad():  # some layers start at zero; random values exercise every path
        for param in vae.parameters():
            param.copy_(torch.randn_like(param) * 0.2)
    return vae
