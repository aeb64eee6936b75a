"""umT5 text encoder: official .pth and transformers layouts load into UMT5EncoderModel; trimming."""

from pathlib import Path

import pytest
import torch

from wanmodel.checkpoint import CheckpointError
from wanmodel.configs import get_config
from wanmodel.text import TextEncoder, umt5_config

CFG = get_config("tiny").text
WORDS = ["a", "corgi", "surfing", "at", "sunset", "red", "car", "races", "the", "camera", "pans", "left"]


def make_tokenizer(folder: Path) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2} | {w: i + 3 for i, w in enumerate(WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(str(folder))
    return folder


def official_state(model) -> dict[str, torch.Tensor]:
    """The transformers weights renamed to the official umT5 .pth names (what the release ships)."""
    out = {"token_embedding.weight": model.shared.weight, "norm.weight": model.encoder.final_layer_norm.weight}
    for i, block in enumerate(model.encoder.block):
        attn, ff = block.layer[0].SelfAttention, block.layer[1].DenseReluDense
        out |= {f"blocks.{i}.attn.{n}.weight": getattr(attn, n).weight for n in "qkvo"}
        out[f"blocks.{i}.pos_embedding.embedding.weight"] = attn.relative_attention_bias.weight
        out[f"blocks.{i}.norm1.weight"] = block.layer[0].layer_norm.weight
        out[f"blocks.{i}.norm2.weight"] = block.layer[1].layer_norm.weight
        out |= {f"blocks.{i}.ffn.gate.0.weight": ff.wi_0.weight, f"blocks.{i}.ffn.fc1.weight": ff.wi_1.weight,
                f"blocks.{i}.ffn.fc2.weight": ff.wo.weight}
    return {k: v.detach().clone() for k, v in out.items()}


@pytest.fixture
def reference():
    from transformers import UMT5EncoderModel

    torch.manual_seed(0)
    return UMT5EncoderModel(umt5_config(CFG)).eval()


def test_official_pth_loads_and_matches_transformers(tmp_path: Path, reference) -> None:
    tokenizer = make_tokenizer(tmp_path / "tokenizer")
    torch.save(official_state(reference), tmp_path / "models_t5_umt5-enc.pth")
    encoder = TextEncoder.load(tmp_path / "models_t5_umt5-enc.pth", tokenizer, CFG)
    prompts = ["a corgi surfing at sunset", "the camera pans left"]
    out = encoder.encode(prompts)
    assert out.shape == (2, CFG.text_len, CFG.d_model)
    tokens = encoder.tokenizer(prompts, padding="max_length", max_length=CFG.text_len, return_tensors="pt")
    with torch.no_grad():
        expected = reference(input_ids=tokens.input_ids, attention_mask=tokens.attention_mask).last_hidden_state
    for row, length in enumerate(tokens.attention_mask.sum(1).tolist()):
        assert length == len(prompts[row].split()) + 1  # words + </s>
        assert (out[row, :length] - expected[row, :length]).abs().max().item() <= 1e-5
        assert torch.count_nonzero(out[row, length:]) == 0  # trimmed, then zero-padded


def test_transformers_folder_loads_too(tmp_path: Path, reference) -> None:
    reference.save_pretrained(str(tmp_path / "text_encoder"))
    tokenizer = make_tokenizer(tmp_path / "tokenizer")
    a = TextEncoder.load(tmp_path / "text_encoder", tokenizer, CFG).encode(["a red car races"])
    torch.save(official_state(reference), tmp_path / "enc.pth")
    b = TextEncoder.load(tmp_path / "enc.pth", tokenizer, CFG).encode(["a red car races"])
    assert torch.equal(a, b)


def test_missing_tokenizer_is_a_clear_error(tmp_path: Path, reference) -> None:
    torch.save(official_state(reference), tmp_path / "enc.pth")
    with pytest.raises(CheckpointError, match="tokenizer folder not found"):
        TextEncoder.load(tmp_path / "enc.pth", tmp_path / "nowhere", CFG)
