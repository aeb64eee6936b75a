"""The umT5 text encoder, through transformers' ``UMT5EncoderModel``, and its tokenizer.

As the official pipeline does, each prompt is cleaned (``clean_prompt``: ftfy's text repair, HTML
entities unescaped twice, runs of whitespace collapsed to one space), tokenised to at most
``text_len`` tokens, encoded with its attention mask, trimmed to its real length and zero-padded
back to ``text_len``; the DiT attends over all ``text_len`` positions.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import torch

from wanmodel.checkpoint import CheckpointError, load_into, official_umt5_to_transformers, read_state_dict
from wanmodel.configs import TextConfig


def clean_prompt(text: str) -> str:
    """The official tokenizer's "whitespace" cleaning: ftfy.fix_text (mojibake, odd quotes), HTML
    entities unescaped twice (``&amp;amp;`` -> ``&``), stripped, whitespace runs collapsed."""
    import ftfy

    text = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
    return re.sub(r"\s+", " ", text).strip()


def umt5_config(config: TextConfig):
    from transformers import UMT5Config

    # not a declared field of the config class: its __post_init__ reads it from the extra keyword arguments
    untied: dict[str, Any] = {"tie_word_embeddings": False}
    return UMT5Config(
        vocab_size=config.vocab_size,
        d_model=config.d_model,
        d_kv=config.d_kv,
        d_ff=config.d_ff,
        num_layers=config.num_layers,
        num_heads=config.num_heads,
        relative_attention_num_buckets=config.relative_attention_num_buckets,
        relative_attention_max_distance=config.relative_attention_max_distance,
        feed_forward_proj="gated-gelu",
        is_encoder_decoder=False,
        **untied,
    )


class TextEncoder:
    def __init__(self, model, tokenizer, text_len: int = 512, clean: bool = True) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.text_len = text_len
        self.clean = clean  # False: tokenise prompts exactly as given

    @classmethod
    def load(
        cls,
        weights: str | Path,
        tokenizer: str | Path,
        config: TextConfig,
        dtype: torch.dtype = torch.float32,
        device: str | torch.device = "cpu",
    ) -> TextEncoder:
        """Weights: the official umT5 ``.pth`` or a transformers folder (diffusers ``text_encoder/``);
        tokenizer: a local tokenizer folder (``google/umt5-xxl`` in the official release)."""
        from transformers import AutoTokenizer, UMT5EncoderModel

        state = read_state_dict(weights)
        if any(key.startswith("blocks.") for key in state):
            state = official_umt5_to_transformers(state)
        elif "encoder.embed_tokens.weight" not in state and "shared.weight" in state:
            state["encoder.embed_tokens.weight"] = state["shared.weight"]
        if not Path(tokenizer).is_dir():
            raise CheckpointError(f"tokenizer folder not found: {tokenizer}")
        model = load_into(
            lambda: UMT5EncoderModel(umt5_config(config)),
            state,
            str(weights),
            device=device,
            dtype_of=lambda key: dtype,
        )
        return cls(model, AutoTokenizer.from_pretrained(str(tokenizer)), config.text_len)

    @torch.no_grad()
    def encode(self, prompts: list[str]) -> torch.Tensor:
        """[B, text_len, d_model]: each prompt's real tokens, then zeros."""
        if self.clean:
            prompts = [clean_prompt(p) for p in prompts]
        tokens = self.tokenizer(
            prompts,
            padding="max_length",
            truncation=True,
            max_length=self.text_len,
            add_special_tokens=True,
            return_tensors="pt",
        )
        device = next(self.model.parameters()).device
        ids, mask = tokens.input_ids.to(device), tokens.attention_mask.to(device)
        hidden = self.model(input_ids=ids, attention_mask=mask).last_hidden_state
        lengths = mask.sum(dim=1)
        keep = torch.arange(hidden.shape[1], device=device)[None, :] < lengths[:, None]
        return hidden * keep[..., None].to(hidden.dtype)
