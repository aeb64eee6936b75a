"""Tiny diffusers reference models built from our configs (diffusers is a test-only dependency)."""

from __future__ import annotations

import torch

from wanmodel.configs import DiTConfig, VAEConfig


def diffusers_dit(cfg: DiTConfig, seed: int = 0):
    from diffusers import WanTransformer3DModel

    torch.manual_seed(seed)
    return WanTransformer3DModel(
        patch_size=cfg.patch_size,
        num_attention_heads=cfg.num_heads,
        attention_head_dim=cfg.head_dim,
        in_channels=cfg.in_dim,
        out_channels=cfg.out_dim,
        text_dim=cfg.text_dim,
        freq_dim=cfg.freq_dim,
        ffn_dim=cfg.ffn_dim,
        num_layers=cfg.num_layers,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        eps=cfg.eps,
        rope_max_seq_len=cfg.rope_max_len,
    ).eval()


def diffusers_vae(cfg: VAEConfig, seed: int = 0):
    from diffusers import AutoencoderKLWan

    torch.manual_seed(seed)
    vae = AutoencoderKLWan(
        base_dim=cfg.dim,
        z_dim=cfg.z_dim,
        dim_mult=list(cfg.dim_mult),
        num_res_blocks=cfg.num_res_blocks,
        attn_scales=list(cfg.attn_scales),
        temperal_downsample=list(cfg.temporal_downsample),
        latents_mean=list(cfg.latents_mean),
        latents_std=list(cfg.latents_std),
    ).eval()
    with torch.no_grad():  # some layers start at zero; random values exercise every path
        for param in vae.parameters():
            param.copy_(torch.randn_like(param) * 0.2)
    return vae


WORDS = ["a", "corgi", "surfing", "at", "sunset", "red", "car", "races", "the", "camera", "pans", "left"]


def make_tokenizer(folder):
    """A small word-level tokenizer with umT5's special tokens, saved as a transformers folder."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2} | {w: i + 3 for i, w in enumerate(WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(str(folder))
    return folder


def official_umt5_state(model) -> dict:
    """transformers UMT5 weights renamed to the official umT5 .pth names (what the release ships)."""
    from wanmodel.checkpoint import transformers_umt5_to_official

    return {k: v.detach().clone() for k, v in transformers_umt5_to_official(model.state_dict()).items()}


def write_tiny_release(official, diffusers=None, seed: int = 0) -> None:
    """A random tiny-config Wan release in the official layout (and the diffusers one if asked)."""
    from safetensors.torch import save_file
    from transformers import UMT5EncoderModel

    from wanmodel.checkpoint import DIT_KEYS, vae_key_map
    from wanmodel.configs import get_config
    from wanmodel.text import umt5_config

    cfg = get_config("tiny")
    torch.manual_seed(seed)
    dit, vae, text = (
        diffusers_dit(cfg.dit, seed),
        diffusers_vae(cfg.vae, seed),
        UMT5EncoderModel(umt5_config(cfg.text)).eval(),
    )
    official.mkdir(parents=True, exist_ok=True)
    save_file(DIT_KEYS.convert(dit.state_dict()), str(official / "diffusion_pytorch_model.safetensors"))
    torch.save(vae_key_map(cfg.vae).convert(vae.state_dict()), official / "Wan2.1_VAE.pth")
    torch.save(official_umt5_state(text), official / "models_t5_umt5-xxl-enc-bf16.pth")
    make_tokenizer(official / "google" / "umt5-xxl")
    if diffusers is not None:
        for name in ("transformer", "vae"):
            (diffusers / name).mkdir(parents=True, exist_ok=True)
        save_file(dit.state_dict(), str(diffusers / "transformer" / "diffusion_pytorch_model.safetensors"))
        save_file(vae.state_dict(), str(diffusers / "vae" / "diffusion_pytorch_model.safetensors"))
        text.save_pretrained(str(diffusers / "text_encoder"))
        make_tokenizer(diffusers / "tokenizer")


def write_diffusers_pipeline(folder, seed: int = 0):
    """A tiny random diffusers WanPipeline saved with save_pretrained (model_index.json, safetensors):
    what the diffusers baseline adapters load."""
    from diffusers import UniPCMultistepScheduler, WanPipeline
    from transformers import PreTrainedTokenizerFast, UMT5EncoderModel

    from wanmodel.configs import get_config
    from wanmodel.text import umt5_config

    cfg = get_config("tiny")
    torch.manual_seed(seed)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(str(make_tokenizer(folder / "_tokenizer")))
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    pipe = WanPipeline(
        tokenizer=tokenizer,
        text_encoder=UMT5EncoderModel(umt5_config(cfg.text)).eval(),
        transformer=diffusers_dit(cfg.dit, seed),
        vae=diffusers_vae(cfg.vae, seed),
        scheduler=scheduler,
    )
    pipe.save_pretrained(str(folder), safe_serialization=True)
    return folder
