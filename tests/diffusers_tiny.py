"""Tiny random instances of the real diffusers text-to-video pipelines, saved with save_pretrained.

Component configs are the ones diffusers' own pipeline tests use (tests/pipelines/<model>/test_*.py,
get_dummy_components); where those tests download a tiny tokenizer or text-encoder config, a
word-level tokenizer is built here and the text encoder gets the same sizes in code. Nothing is
downloaded. Each builder returns the folder and the call sizes its model accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

WORDS = ["a", "red", "car", "races", "cat", "jumps", "over", "the", "fence", "camera", "pans", "left"]


@dataclass(frozen=True)
class TinyPipeline:
    builder: Callable[[Path], Any]  # folder -> the pipeline object (not yet saved)
    sizes: dict[str, Any]  # steps, frames, width, height and any call option the tiny model needs
    frames_out: int  # frames the pipeline returns for sizes["frames"]
    options: dict[str, Any] = field(default_factory=dict)  # further adapter options


def word_tokenizer(
    folder: Path,
    specials: list[str],
    words: list[str] = WORDS,
    pad: str = "<pad>",
    eos: str | None = None,
    bos: str | None = None,
    unk: str = "<unk>",
):
    """A word-level tokenizer (special tokens first), eos appended, saved as a transformers folder."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(specials + words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token=unk))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    if eos is not None:
        tok.post_processor = processors.TemplateProcessing(single=f"$A {eos}", special_tokens=[(eos, vocab[eos])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token=pad, eos_token=eos, bos_token=bos, unk_token=unk)
    fast.save_pretrained(str(folder))
    return PreTrainedTokenizerFast.from_pretrained(str(folder))


def t5_parts(folder: Path):
    """hf-internal-testing/tiny-random-t5's sizes (d_model 32, 4 heads of 8), vocabulary built here."""
    from transformers import T5Config, T5EncoderModel

    tokenizer = word_tokenizer(folder / "_t5_tokenizer", ["<pad>", "</s>", "<unk>"], eos="</s>")
    config = T5Config(
        vocab_size=32,
        d_model=32,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
        pad_token_id=0,
        eos_token_id=1,
    )
    torch.manual_seed(0)
    return tokenizer, T5EncoderModel(config).eval()


def wan_vae(**extra: Any):
    from diffusers import AutoencoderKLWan

    torch.manual_seed(0)
    base = dict(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True])
    return AutoencoderKLWan(**(base | extra))


def wan_transformer(in_channels: int = 16, cls: Any = None):
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    return (cls or WanTransformer3DModel)(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=in_channels,
        out_channels=in_channels,
        text_dim=32,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
    )


def hunyuan_video(folder: Path):
    from diffusers import (
        AutoencoderKLHunyuanVideo,
        FlowMatchEulerDiscreteScheduler,
        HunyuanVideoPipeline,
        HunyuanVideoTransformer3DModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, LlamaConfig, LlamaModel

    torch.manual_seed(0)
    transformer = HunyuanVideoTransformer3DModel(
        in_channels=4,
        out_channels=4,
        num_attention_heads=2,
        attention_head_dim=10,
        num_layers=1,
        num_single_layers=1,
        num_refiner_layers=1,
        patch_size=1,
        patch_size_t=1,
        guidance_embeds=True,
        text_embed_dim=16,
        pooled_projection_dim=8,
        rope_axes_dim=(2, 4, 4),
    )
    torch.manual_seed(0)
    blocks = 4
    vae = AutoencoderKLHunyuanVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=("HunyuanVideoDownBlock3D",) * blocks,
        up_block_types=("HunyuanVideoUpBlock3D",) * blocks,
        block_out_channels=(8,) * blocks,
        layers_per_block=1,
        act_fn="silu",
        norm_num_groups=4,
        scaling_factor=0.476986,
        spatial_compression_ratio=8,
        temporal_compression_ratio=4,
        mid_block_add_attention=True,
    )
    llama = LlamaConfig(
        bos_token_id=0,
        eos_token_id=2,
        hidden_size=16,
        intermediate_size=37,
        layer_norm_eps=1e-05,
        num_attention_heads=4,
        num_hidden_layers=2,
        pad_token_id=1,
        vocab_size=1000,
        hidden_act="gelu",
    )
    clip = CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=2,
        hidden_size=8,
        intermediate_size=37,
        layer_norm_eps=1e-05,
        num_attention_heads=4,
        num_hidden_layers=2,
        pad_token_id=1,
        vocab_size=1000,
        hidden_act="gelu",
        projection_dim=32,
    )
    torch.manual_seed(0)
    text_encoder = LlamaModel(llama).eval()
    torch.manual_seed(0)
    text_encoder_2 = CLIPTextModel(clip).eval()
    specials = ["<s>", "<pad>", "</s>", "<unk>"]  # ids as the configs above: bos 0, pad 1, eos 2
    tokenizer = word_tokenizer(folder / "_llama", specials, bos="<s>", eos="</s>")
    tokenizer_2 = word_tokenizer(folder / "_clip", specials, bos="<s>", eos="</s>")
    return HunyuanVideoPipeline(
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder_2=text_encoder_2,
        tokenizer_2=tokenizer_2,
    )


def mochi(folder: Path):
    from diffusers import AutoencoderKLMochi, FlowMatchEulerDiscreteScheduler, MochiPipeline, MochiTransformer3DModel

    torch.manual_seed(0)
    transformer = MochiTransformer3DModel(
        patch_size=2,
        num_attention_heads=2,
        attention_head_dim=8,
        num_layers=2,
        pooled_projection_dim=16,
        in_channels=12,
        out_channels=None,
        qk_norm="rms_norm",
        text_embed_dim=32,
        time_embed_dim=4,
        activation_fn="swiglu",
        max_sequence_length=16,
    )
    transformer.pos_frequencies.data = transformer.pos_frequencies.new_full(transformer.pos_frequencies.shape, 0)
    torch.manual_seed(0)
    vae = AutoencoderKLMochi(
        latent_channels=12,
        out_channels=3,
        encoder_block_out_channels=(32, 32, 32, 32),
        decoder_block_out_channels=(32, 32, 32, 32),
        layers_per_block=(1, 1, 1, 1, 1),
    )
    tokenizer, text_encoder = t5_parts(folder)
    return MochiPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        transformer=transformer,
    )


def cogvideox(folder: Path):
    from diffusers import AutoencoderKLCogVideoX, CogVideoXPipeline, CogVideoXTransformer3DModel, DDIMScheduler

    torch.manual_seed(0)
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=4,
        attention_head_dim=8,
        in_channels=4,
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=32,
        num_layers=1,
        sample_width=2,
        sample_height=2,
        sample_frames=9,
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=16,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLCogVideoX(
        in_channels=3,
        out_channels=3,
        down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(8, 8, 8, 8),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        temporal_compression_ratio=4,
    )
    tokenizer, text_encoder = t5_parts(folder)
    return CogVideoXPipeline(
        tokenizer=tokenizer, text_encoder=text_encoder, vae=vae, transformer=transformer, scheduler=DDIMScheduler()
    )


def ltx_video(folder: Path):
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=32,
    )
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False,) * 5,
        upsample_residual=(False,) * 4,
        upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    tokenizer, text_encoder = t5_parts(folder)
    return LTXPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        transformer=transformer,
    )


def wan22_ti2v(folder: Path):
    from diffusers import UniPCMultistepScheduler, WanPipeline

    vae = wan_vae(
        z_dim=48,
        in_channels=12,
        out_channels=12,
        is_residual=True,
        patch_size=2,
        latents_mean=[0.0] * 48,
        latents_std=[1.0] * 48,
        scale_factor_spatial=16,
        scale_factor_temporal=4,
    )
    tokenizer, text_encoder = t5_parts(folder)
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    return WanPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=scheduler,
        transformer=wan_transformer(48),
        transformer_2=None,
        boundary_ratio=None,
        expand_timesteps=True,
    )


def wan22_a14b(folder: Path):
    from diffusers import UniPCMultistepScheduler, WanPipeline

    tokenizer, text_encoder = t5_parts(folder)
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    high, low = wan_transformer(), wan_transformer()
    with torch.no_grad():  # two distinct experts, so a test can tell which one ran
        for param in low.parameters():
            param.add_(0.05 * torch.randn_like(param))
    return WanPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=wan_vae(),
        scheduler=scheduler,
        transformer=high,
        transformer_2=low,
        boundary_ratio=0.875,
    )


def skyreels_v2(folder: Path):
    from diffusers import SkyReelsV2Pipeline, SkyReelsV2Transformer3DModel, UniPCMultistepScheduler

    tokenizer, text_encoder = t5_parts(folder)
    return SkyReelsV2Pipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        transformer=wan_transformer(cls=SkyReelsV2Transformer3DModel),
        vae=wan_vae(),
        scheduler=UniPCMultistepScheduler(flow_shift=8.0, use_flow_sigmas=True),
    )


def sana_video(folder: Path):
    from diffusers import DPMSolverMultistepScheduler, SanaVideoPipeline, SanaVideoTransformer3DModel
    from transformers import Gemma2Config, Gemma2Model

    torch.manual_seed(0)
    config = Gemma2Config(
        head_dim=16,
        hidden_size=8,
        initializer_range=0.02,
        intermediate_size=64,
        max_position_embeddings=8192,
        num_attention_heads=2,
        num_hidden_layers=1,
        num_key_value_heads=2,
        vocab_size=8,
        attn_implementation="eager",
    )
    text_encoder = Gemma2Model(config).eval()
    # the dummy Gemma has 8 token ids: 4 special tokens and 4 words
    tokenizer = word_tokenizer(
        folder / "_gemma", ["<pad>", "<eos>", "<bos>", "<unk>"], words=WORDS[:4], eos="<eos>", bos="<bos>"
    )
    torch.manual_seed(0)
    transformer = SanaVideoTransformer3DModel(
        in_channels=16,
        out_channels=16,
        num_attention_heads=2,
        attention_head_dim=12,
        num_layers=2,
        num_cross_attention_heads=2,
        cross_attention_head_dim=12,
        cross_attention_dim=24,
        caption_channels=8,
        mlp_ratio=2.5,
        dropout=0.0,
        attention_bias=False,
        sample_size=8,
        patch_size=(1, 2, 2),
        norm_elementwise_affine=False,
        norm_eps=1e-6,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
    )
    return SanaVideoPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=wan_vae(),
        transformer=transformer,
        scheduler=DPMSolverMultistepScheduler(),
    )


SMALL = {"steps": 2, "max_sequence_length": 16}
TINY: dict[str, TinyPipeline] = {
    "hunyuan-video": TinyPipeline(hunyuan_video, SMALL | {"frames": 5, "width": 16, "height": 16}, 5),
    "mochi": TinyPipeline(mochi, SMALL | {"frames": 7, "width": 16, "height": 16}, 7),
    "cogvideox-5b": TinyPipeline(cogvideox, SMALL | {"frames": 9, "width": 16, "height": 16}, 9),
    "ltx-video": TinyPipeline(ltx_video, SMALL | {"frames": 9, "width": 32, "height": 32}, 9),
    "wan2.2-ti2v-5b": TinyPipeline(wan22_ti2v, SMALL | {"frames": 5, "width": 32, "height": 32}, 5),
    "wan2.2-t2v-a14b": TinyPipeline(wan22_a14b, SMALL | {"frames": 5, "width": 16, "height": 16}, 5),
    "skyreels-v2-t2v-14b": TinyPipeline(skyreels_v2, SMALL | {"frames": 5, "width": 16, "height": 16}, 5),
    "sana-video-2b": TinyPipeline(
        sana_video, SMALL | {"frames": 5, "width": 32, "height": 32}, 5, {"use_resolution_binning": False}
    ),
}


def save_tiny(name: str, folder: Path) -> Path:
    """Build the tiny pipeline for adapter ``name`` and save it the diffusers way (safetensors)."""
    pipe = TINY[name].builder(folder)
    pipe.save_pretrained(str(folder), safe_serialization=True)
    return folder
