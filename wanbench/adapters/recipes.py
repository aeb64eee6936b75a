"""How each baseline's authors run it: the inference recipe of every named diffusers baseline.

A recipe is data, not code: the pipeline call arguments under the pipeline's own names, the
scheduler swap, the dtype of each component, pipeline config switches, the frame rate, and a
prompt suffix where the authors add one. Every setting carries where it was published, so
``wanbench models`` and docs/models.md can cite it; ``--option`` overrides any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Setting:
    value: Any
    source: str  # where the authors publish this value (repo and file, or documentation page)


@dataclass(frozen=True)
class Recipe:
    repo: str  # Hugging Face repo in the diffusers layout
    pipeline: str  # the pipeline class its model_index.json must name
    fps: Setting  # frame rate the model is trained for (written into the mp4: motion is per second)
    call: dict[str, Setting] = field(default_factory=dict)  # pipeline __call__ arguments by their own names
    dtypes: dict[str, Setting] = field(default_factory=dict)  # component -> torch dtype name (on a GPU)
    scheduler: Setting | None = None  # value: (scheduler class name, {config overrides})
    config: dict[str, Setting] = field(default_factory=dict)  # pipeline config switches (from_pretrained kwargs)
    prompt_suffix: Setting | None = None  # text the authors append to every prompt
    variant: str | None = None  # weights variant to prefer when present (e.g. "bf16")

    def weights_source(self) -> str:
        return f"Hugging Face {self.repo} (hf download {self.repo})"


# Sources, cited once each; docs/models.md lists them with the same keys.
COGVIDEO = "THUDM/CogVideo inference/cli_demo.py"
LTX_DOCS = "diffusers docs, api/pipelines/ltx_video (example and Notes, from the LTX-Video repo's settings)"
LTX_CODE = "Lightricks/LTX-Video inference.py (0.9 release: --num_inference_steps 40, --decode_timestep 0.05)"
LTX_CONFIG = "Lightricks/LTX-Video configs/ltxv-2b-0.9.1.yaml (num_inference_steps 40, decode_timestep 0.05)"
MOCHI_DOCS = "diffusers docs, api/pipelines/mochi, 'Reproducing the results from the Genmo Mochi repo'"
MOCHI_DEMOS = "genmoai/mochi demos/cli.py and demos/gradio_ui.py (cfg_scale 6.0)"
MOCHI_CODE = "genmoai/mochi src/genmo/mochi_preview/pipelines.py (float32 DiT parameters under bfloat16 autocast)"
HUNYUAN = "Tencent/HunyuanVideo README (More Configurations) and hyvideo/config.py"
HUNYUAN_SAVE = "Tencent/HunyuanVideo hyvideo/utils/file_utils.py save_videos_grid (fps=24)"
WAN22_TI2V = "Wan-Video/Wan2.2 wan/configs/wan_ti2v_5B.py"
WAN22_A14B = "Wan-Video/Wan2.2 wan/configs/wan_t2v_A14B.py"
WAN22_SHARED = "Wan-Video/Wan2.2 wan/configs/shared_config.py"
WAN22_SIZES = "Wan-Video/Wan2.2 wan/configs/__init__.py SUPPORTED_SIZES and README"
WAN22_CODE = "Wan-Video/Wan2.2 wan/text2video.py (UniPC sampler, VAE in float32)"
SKYREELS = "SkyworkAI/SkyReels-V2 generate_video.py"
SKYREELS_README = "SkyworkAI/SkyReels-V2 README (parameter table: --inference_steps 50 recommended)"
SKYREELS_CODE = "SkyworkAI/SkyReels-V2 skyreels_v2_infer/pipelines/text2video_pipeline.py"
SANA_DOCS = "diffusers docs, api/pipelines/sana_video (text-to-video example, contributed by the SANA team)"
SANA_CONFIG = "NVlabs/Sana configs/sana_video_config/Sana_2000M_480px_AdamW_fsdp.yaml (inference_flow_shift 7.0)"

# The Chinese negative prompt Wan 2.x ships as sample_neg_prompt (shared by Wan 2.1 and 2.2).
WAN_NEGATIVE = (
    "色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，"
    "JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，"
    "形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走"
)
SKYREELS_NEGATIVE = (
    "Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, "
    "images, static, overall gray, worst quality, low quality, JPEG compression residue, ugly, "
    "incomplete, extra fingers, poorly drawn hands, poorly drawn faces, deformed, disfigured, "
    "misshapen limbs, fused fingers, still picture, messy background, three legs, many people "
    "in the background, walking backwards"
)
LTX_NEGATIVE = "worst quality, inconsistent motion, blurry, jittery, distorted"
SANA_NEGATIVE = (
    "A chaotic sequence with misshapen, deformed limbs in heavy motion blur, sudden disappearance, "
    "jump cuts, jerky movements, rapid shot changes, frames out of sync, inconsistent character "
    "shapes, temporal artifacts, jitter, and ghosting effects, creating a disorienting visual "
    "experience."
)


def _wan_unipc(shift: float, source: str) -> Setting:
    return Setting(("UniPCMultistepScheduler", {"flow_shift": shift}), source)


RECIPES: dict[str, Recipe] = {
    "hunyuan-video": Recipe(
        "hunyuanvideo-community/HunyuanVideo",
        "HunyuanVideoPipeline",
        Setting(24.0, HUNYUAN_SAVE),
        call={
            "height": Setting(720, HUNYUAN),
            "width": Setting(1280, HUNYUAN),
            "num_frames": Setting(129, HUNYUAN),
            "num_inference_steps": Setting(50, HUNYUAN),
            "guidance_scale": Setting(6.0, HUNYUAN + " (--embedded-cfg-scale 6.0)"),
            "true_cfg_scale": Setting(
                1.0,
                HUNYUAN + " (--cfg-scale 1.0: the cfg-distilled model runs no "
                "classifier-free guidance, so no negative prompt)",
            ),
        },
        dtypes={
            "transformer": Setting("bfloat16", HUNYUAN + " (--precision bf16)"),
            "vae": Setting("float16", HUNYUAN + " (--vae-precision fp16)"),
            "text_encoder": Setting("float16", HUNYUAN + " (--text-encoder-precision fp16)"),
            "text_encoder_2": Setting("float16", HUNYUAN + " (--text-encoder-precision-2 fp16)"),
        },
        scheduler=Setting(("FlowMatchEulerDiscreteScheduler", {"shift": 7.0}), HUNYUAN + " (--flow-shift 7.0)"),
    ),
    "mochi": Recipe(
        "genmo/mochi-1-preview",
        "MochiPipeline",
        Setting(30.0, MOCHI_DOCS + " (export_to_video fps=30)"),
        call={
            "height": Setting(480, MOCHI_DOCS),
            "width": Setting(848, MOCHI_DOCS),
            "num_frames": Setting(163, MOCHI_DOCS),
            "num_inference_steps": Setting(64, MOCHI_DOCS),
            "guidance_scale": Setting(6.0, MOCHI_DEMOS + "; the diffusers page uses 4.5: " + MOCHI_DOCS),
        },
        dtypes={
            "transformer": Setting(
                "bfloat16-linear", MOCHI_CODE + ": Linear layers in bfloat16, the rest in float32; " + MOCHI_DOCS
            ),
            "text_encoder": Setting("float32", MOCHI_DOCS + " (text encoder in float32)"),
            "vae": Setting("float32", MOCHI_DOCS + " (VAE decodes in float32)"),
        },
        config={"force_zeros_for_empty_prompt": Setting(True, MOCHI_DOCS + " (the original zeros empty prompts)")},
        variant="bf16",
    ),
    "cogvideox-5b": Recipe(
        "THUDM/CogVideoX-5b",
        "CogVideoXPipeline",
        Setting(8.0, COGVIDEO + " (docstring: CogVideoX 1.0 makes 49 frames, 6 s at 8 fps)"),
        call={
            "height": Setting(480, COGVIDEO + " RESOLUTION_MAP"),
            "width": Setting(720, COGVIDEO + " RESOLUTION_MAP"),
            "num_frames": Setting(49, COGVIDEO + " (docstring)"),
            "num_inference_steps": Setting(50, COGVIDEO),
            "guidance_scale": Setting(6.0, COGVIDEO),
            "use_dynamic_cfg": Setting(True, COGVIDEO),
        },
        dtypes={"default": Setting("bfloat16", COGVIDEO + " (dtype bfloat16 for the 5B models)")},
        scheduler=Setting(
            ("CogVideoXDPMScheduler", {"timestep_spacing": "trailing"}),
            COGVIDEO + " (CogVideoXDPMScheduler for CogVideoX-5B)",
        ),
    ),
    "ltx-video": Recipe(
        "Lightricks/LTX-Video",
        "LTXPipeline",
        Setting(24.0, LTX_DOCS + " (export_to_video fps=24)"),
        call={
            "height": Setting(512, LTX_DOCS),
            "width": Setting(768, LTX_DOCS),
            "num_frames": Setting(161, LTX_DOCS),
            "num_inference_steps": Setting(40, LTX_CODE + "; " + LTX_CONFIG + "; the diffusers page uses 50"),
            "guidance_scale": Setting(5.0, LTX_DOCS + " (non-distilled checkpoints: 'higher, like 5.0')"),
            "negative_prompt": Setting(LTX_NEGATIVE, LTX_DOCS),
            "decode_timestep": Setting(
                0.05, LTX_CODE + "; " + LTX_CONFIG + "; the diffusers page uses 0.03 (timestep-conditioned VAE only)"
            ),
            "decode_noise_scale": Setting(0.025, LTX_CONFIG + " (timestep-conditioned VAE only)"),
        },
        dtypes={"default": Setting("bfloat16", LTX_DOCS + " (recommended dtype bfloat16)")},
    ),
    "wan2.2-ti2v-5b": Recipe(
        "Wan-AI/Wan2.2-TI2V-5B-Diffusers",
        "WanPipeline",
        Setting(24.0, WAN22_TI2V + " (sample_fps)"),
        call={
            "height": Setting(704, WAN22_SIZES + " (ti2v-5B: 1280*704)"),
            "width": Setting(1280, WAN22_SIZES + " (ti2v-5B: 1280*704)"),
            "num_frames": Setting(121, WAN22_TI2V + " (frame_num)"),
            "num_inference_steps": Setting(50, WAN22_TI2V + " (sample_steps)"),
            "guidance_scale": Setting(5.0, WAN22_TI2V + " (sample_guide_scale)"),
            "negative_prompt": Setting(WAN_NEGATIVE, WAN22_SHARED + " (sample_neg_prompt)"),
            "max_sequence_length": Setting(512, WAN22_SHARED + " (text_len)"),
        },
        dtypes={
            "transformer": Setting("bfloat16", WAN22_SHARED + " (param_dtype)"),
            "text_encoder": Setting("bfloat16", WAN22_SHARED + " (t5_dtype)"),
            "vae": Setting("float32", WAN22_CODE),
        },
        scheduler=_wan_unipc(5.0, WAN22_TI2V + " (sample_shift; sampler unipc: " + WAN22_CODE + ")"),
        config={"expand_timesteps": Setting(True, "diffusers WanPipeline: TI2V-5B denoises with per-token timesteps")},
    ),
    "wan2.2-t2v-a14b": Recipe(
        "Wan-AI/Wan2.2-T2V-A14B-Diffusers",
        "WanPipeline",
        Setting(16.0, WAN22_SHARED + " (sample_fps)"),
        call={
            "height": Setting(720, WAN22_SIZES + " (generate.py default 1280*720)"),
            "width": Setting(1280, WAN22_SIZES + " (generate.py default 1280*720)"),
            "num_frames": Setting(81, WAN22_SHARED + " (frame_num)"),
            "num_inference_steps": Setting(40, WAN22_A14B + " (sample_steps)"),
            "guidance_scale": Setting(4.0, WAN22_A14B + " (sample_guide_scale: 4.0 for the high-noise expert)"),
            "guidance_scale_2": Setting(3.0, WAN22_A14B + " (sample_guide_scale: 3.0 for the low-noise expert)"),
            "negative_prompt": Setting(WAN_NEGATIVE, WAN22_SHARED + " (sample_neg_prompt)"),
            "max_sequence_length": Setting(512, WAN22_SHARED + " (text_len)"),
        },
        dtypes={
            "transformer": Setting("bfloat16", WAN22_SHARED + " (param_dtype)"),
            "transformer_2": Setting("bfloat16", WAN22_SHARED + " (param_dtype)"),
            "text_encoder": Setting("bfloat16", WAN22_SHARED + " (t5_dtype)"),
            "vae": Setting("float32", WAN22_CODE),
        },
        scheduler=_wan_unipc(12.0, WAN22_A14B + " (sample_shift; sampler unipc: " + WAN22_CODE + ")"),
        config={
            "boundary_ratio": Setting(
                0.875, WAN22_A14B + " (boundary: the high-noise expert runs for t >= 875, the low-noise one below)"
            )
        },
    ),
    "skyreels-v2-t2v-14b": Recipe(
        "Skywork/SkyReels-V2-T2V-14B-540P-Diffusers",
        "SkyReelsV2Pipeline",
        Setting(24.0, SKYREELS + " (--fps 24)"),
        call={
            "height": Setting(544, SKYREELS + " (540P: 544x960)"),
            "width": Setting(960, SKYREELS + " (540P: 544x960)"),
            "num_frames": Setting(97, SKYREELS + " (--num_frames 97)"),
            "num_inference_steps": Setting(50, SKYREELS_README + "; generate_video.py defaults to 30: " + SKYREELS),
            "guidance_scale": Setting(6.0, SKYREELS + " (--guidance_scale 6.0)"),
            "negative_prompt": Setting(SKYREELS_NEGATIVE, SKYREELS),
        },
        dtypes={
            "transformer": Setting("bfloat16", SKYREELS_CODE + " (weight_dtype bfloat16)"),
            "text_encoder": Setting("bfloat16", SKYREELS_CODE + " (weight_dtype bfloat16)"),
            "vae": Setting("float32", SKYREELS_CODE + " (VAE weight_dtype float32)"),
        },
        scheduler=_wan_unipc(8.0, SKYREELS + " (--shift 8.0; FlowUniPCMultistepScheduler in " + SKYREELS_CODE + ")"),
    ),
    "sana-video-2b": Recipe(
        "Efficient-Large-Model/SANA-Video_2B_480p_diffusers",
        "SanaVideoPipeline",
        Setting(16.0, SANA_DOCS + " (fps=16)"),
        call={
            "height": Setting(480, SANA_DOCS),
            "width": Setting(832, SANA_DOCS),
            "frames": Setting(81, SANA_DOCS),
            "num_inference_steps": Setting(50, SANA_DOCS),
            "guidance_scale": Setting(6.0, SANA_DOCS),
            "negative_prompt": Setting(SANA_NEGATIVE, SANA_DOCS),
        },
        dtypes={
            "transformer": Setting("bfloat16", SANA_DOCS + " (recommended transformer dtype)"),
            "text_encoder": Setting("bfloat16", SANA_DOCS + " (pipe.text_encoder.to(torch.bfloat16))"),
            "vae": Setting("float32", SANA_DOCS + " (pipe.vae.to(torch.float32))"),
        },
        scheduler=Setting((None, {"flow_shift": 7.0}), SANA_CONFIG + " (the pipeline's own scheduler, shifted)"),
        prompt_suffix=Setting(" motion score: 30.", SANA_DOCS + " (motion_scale = 30 appended to the prompt)"),
    ),
}
