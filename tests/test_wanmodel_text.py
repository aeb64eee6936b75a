"""umT5 text encoder: official .pth and transformers layouts load into UMT5EncoderModel; trimming."""

from pathlib import Path

import pytest
import torch

from tests.wanmodel_helpers import make_tokenizer
from tests.wanmodel_helpers import official_umt5_state as official_state
from wanmodel.checkpoint import CheckpointError
from wanmodel.configs import get_config
from wanmodel.text import TextEncoder, umt5_config

CFG = get_config("tiny").text


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
