"""Random-init stand-ins of every vision backbone (and the Qwen-VL judge), in their exact architectures
but tiny widths. Test-only: it lives outside the package, so an installed wanbench never writes random
weights under real registry names; nothing under wanbench/ or wanmodel/ imports it (tests/test_layering.py).

Tests and benchmarks use them where no real weights exist (nothing can be downloaded here): each
is saved under ``<home>/weights/<entry>/`` with the file names of the real release, so it is found
and loaded through the same registry and loading code as the real weights. Their scores mean
nothing; that the whole path runs, shares features and reacts to its input is what they show.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from wanbench.model_weights import WEIGHTS

# Entries whose real files are pinned by sha256 get a twin without pins: random weights saved under
# the real file name must not pass (or be made to pass) the real checksum.
PINNED_TWINS = {"raft-large": "raft-large-tiny", "musiq-koniq": "musiq-koniq-tiny"}
for _real, _twin in PINNED_TWINS.items():
    if _twin not in WEIGHTS:
        WEIGHTS.register(
            _twin,
            replace(
                WEIGHTS.get(_real), name=_twin, sha256={}, description="random-init stand-in for tests and benchmarks"
            ),
        )


def entry(name: str) -> str:
    return PINNED_TWINS.get(name, name)


TINY_CLIP = "wanbench-tiny-clip"
TINY_CLIP_CONFIG = {
    "embed_dim": 32,
    "quick_gelu": True,
    "vision_cfg": {"image_size": 64, "layers": 2, "width": 32, "patch_size": 16, "head_width": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 2},
}
TINY_MUSIQ = {"hidden_size": 32, "mlp_dim": 64, "num_heads": 2, "num_layers": 1, "longer_side_lengths": [64]}
TINY_MANIQA = {"embed_dim": 32, "dim_mlp": 32, "num_heads": [2, 2], "depths": [1, 1], "test_sample": 2, "scale": 0.8}


def tiny_maniqa_vit() -> torch.nn.Module:
    """MANIQA reads blocks 6..9 of a ViT with patch 8 at 224: 10 blocks, width 32."""
    from timm.models.vision_transformer import VisionTransformer

    return VisionTransformer(img_size=224, patch_size=8, embed_dim=32, depth=10, num_heads=2, mlp_ratio=1.0)


def register_tiny_clip(home: Path) -> None:
    import open_clip

    folder = Path(home) / "open_clip_configs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{TINY_CLIP}.json").write_text(json.dumps(TINY_CLIP_CONFIG))
    open_clip.add_model_config(folder)


def tiny_backbone_options(home: Path) -> dict[str, dict[str, Any]]:
    """Constructor options that make the backbones build the tiny architectures."""
    from wanbench.backbones.iqa import IQAArchitectures

    register_tiny_clip(home)
    return {
        "flow": {"weights": entry("raft-large")},
        "flow-raft": {"weights": entry("raft-large")},
        "clip": {"model_name": TINY_CLIP},
        "iqa": {
            "architectures": IQAArchitectures(
                musiq=dict(TINY_MUSIQ), maniqa=dict(TINY_MANIQA), maniqa_vit=tiny_maniqa_vit, aesthetic_dim=32
            ),
            "musiq_weights": entry("musiq-koniq"),
        },
    }


def _target(home: Path, name: str, filename: str) -> Path:
    assert filename in WEIGHTS.get(name).files, f"{filename} is not a file of {name}"
    path = Path(home) / "weights" / entry(name) / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def install_tiny_weights(home: Path, seed: int = 0, which: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
    """Write tiny random weights for the entries in ``which`` (default: all vision ones)."""
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    home = Path(home)
    which = which or (
        "raft-large",
        "dino-vitb16",
        "clip-vit-l-14",
        "laion-aesthetic",
        "musiq-koniq",
        "maniqa-koniq",
        "yolo-coco",
    )
    options = tiny_backbone_options(home)
    if "raft-large" in which:
        from torchvision.models.optical_flow import raft_large

        torch.save(
            raft_large(weights=None).state_dict(), _target(home, "raft-large", WEIGHTS.get("raft-large").files[0])
        )
    if "dino-vitb16" in which:
        from transformers import ViTConfig, ViTModel

        config = ViTConfig(
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            image_size=224,
            patch_size=16,
        )
        ViTModel(config, add_pooling_layer=False).save_pretrained(_target(home, "dino-vitb16", "config.json").parent)
    if "clip-vit-l-14" in which:
        import open_clip

        model = open_clip.create_model(TINY_CLIP, pretrained=None)
        save_file(
            {k: v.contiguous() for k, v in model.state_dict().items()},
            str(_target(home, "clip-vit-l-14", "open_clip_model.safetensors")),
        )
    if "laion-aesthetic" in which:
        from wanbench.backbones.iqa import AestheticHead

        torch.save(AestheticHead(32).state_dict(), _target(home, "laion-aesthetic", "sac+logos+ava1-l14-linearMSE.pth"))
    if "musiq-koniq" in which:
        from pyiqa.archs.musiq_arch import MUSIQ

        torch.save(
            MUSIQ(pretrained=False, **TINY_MUSIQ).state_dict(),
            _target(home, "musiq-koniq", "musiq_koniq_ckpt-e95806b9.pth"),
        )
    if "maniqa-koniq" in which:
        from pyiqa.archs.maniqa_arch import MANIQA

        from wanbench.backbones.iqa import _maniqa_vit

        with _maniqa_vit(tiny_maniqa_vit):
            model = MANIQA(pretrained=False, **TINY_MANIQA)
        torch.save(model.state_dict(), _target(home, "maniqa-koniq", "ckpt_koniq10k.pt"))
    if "yolo-coco" in which:
        from wanbench.backbones.detector import quiet_ultralytics, save_detector

        quiet_ultralytics()
        from ultralytics.nn.tasks import DetectionModel

        model = DetectionModel("yolo11n.yaml", nc=80, verbose=False)
        save_detector(
            model, {i: f"class{i}" for i in range(80)}, _target(home, "yolo-coco", "model.json").parent, imgsz=64
        )
    return options


# Whole-word answer tokens, cased and spaced as Qwen's vocabulary has them.
ANSWER_WORDS = ("Yes", "No", "yes", "no", "YES", "NO", " Yes", " No", " yes", " no", " YES", " NO")

# Qwen2-VL's chat template (the same text for Qwen2.5-VL): a default system turn when none is given,
# vision placeholders for image and video parts, and the assistant header as the generation prompt.
QWEN_VL_CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}"
    "{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}"
    "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def install_tiny_judge(home: Path, name: str = "qwen2-vl-2b", seed: int = 0, family: str = "qwen2-vl") -> Path:
    """A tiny random Qwen2-VL (or Qwen2.5-VL) with a byte-level tokenizer built here, saved as a
    transformers folder.

    The tokenizer has the 256 byte symbols, Qwen's chat and vision special tokens, the answer words
    "Yes"/"No" in their casings and with a leading space as whole tokens (as in the real vocabulary),
    and Qwen-VL's chat template, so the judge's protocol runs unchanged. Numbers are digit by digit,
    as in Qwen's tokenizer.
    """
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2VLConfig, Qwen2VLForConditionalGeneration, Qwen2VLProcessor
    from transformers.models.qwen2_vl.image_processing_qwen2_vl import Qwen2VLImageProcessor
    from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    tokenizer = Tokenizer(models.BPE(vocab={ch: i for i, ch in enumerate(alphabet)}, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    specials = [
        "<|endoftext|>",
        "<|im_start|>",
        "<|im_end|>",
        "<|vision_start|>",
        "<|vision_end|>",
        "<|image_pad|>",
        "<|video_pad|>",
    ]
    tokenizer.add_special_tokens(specials)
    tokenizer.add_tokens([AddedToken(word, single_word=True) for word in ANSWER_WORDS])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    fast.chat_template = QWEN_VL_CHAT_TEMPLATE
    ids = {s: fast.convert_tokens_to_ids(s) for s in specials}
    text_config = {
        "vocab_size": len(fast),
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 4096,
        "rope_parameters": {"rope_type": "default", "rope_theta": 1e6, "mrope_section": [2, 3, 3]},
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
    }
    special_ids = {
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
    }
    torch.manual_seed(seed)
    if family == "qwen2-vl":
        config = Qwen2VLConfig(
            text_config=text_config,
            vision_config={
                "depth": 2,
                "embed_dim": 32,
                "hidden_size": 64,
                "num_heads": 2,
                "patch_size": 14,
                "spatial_merge_size": 2,
                "temporal_patch_size": 2,
            },
            **special_ids,
        )
        model, processor_class = Qwen2VLForConditionalGeneration(config), Qwen2VLProcessor
    elif family == "qwen2.5-vl":
        from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration, Qwen2_5_VLProcessor

        config = Qwen2_5_VLConfig(
            text_config=text_config,
            vision_config={
                "depth": 2,
                "hidden_size": 32,
                "intermediate_size": 64,
                "num_heads": 2,
                "out_hidden_size": 64,
                "patch_size": 14,
                "spatial_merge_size": 2,
                "temporal_patch_size": 2,
                "window_size": 112,
                "fullatt_block_indexes": [1],
            },
            **special_ids,
        )
        model, processor_class = Qwen2_5_VLForConditionalGeneration(config), Qwen2_5_VLProcessor
    else:
        raise ValueError(f"unknown judge family {family!r}")
    folder = Path(home) / "weights" / name
    model.eval().save_pretrained(folder)
    processor_class(
        image_processor=Qwen2VLImageProcessor(),
        tokenizer=fast,
        video_processor=Qwen2VLVideoProcessor(),
        chat_template=QWEN_VL_CHAT_TEMPLATE,
    ).save_pretrained(folder)
    return folder
