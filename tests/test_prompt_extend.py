"""Prompt extension through the real path: a tiny random Qwen2 chat model saved and loaded locally."""

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from wanbench.cli import app
from wanbench.prompts.extend import PromptExtender, extend_prompts
from wanbench.prompts.suite import load_suite

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
NEW_TOKENS = 12


@pytest.fixture(scope="module")
def tiny_llm(tmp_path_factory) -> Path:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    folder = tmp_path_factory.mktemp("tiny-llm")
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}  # id 0 is "!"
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(["<|im_start|>", "<|im_end|>", "<|endoftext|>"])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(str(folder))
    config = Qwen2Config(
        vocab_size=len(fast),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=False,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config)
    with torch.no_grad():  # flat logits: greedy decoding then always picks token 0 ("!"), never EOS
        model.lm_head.weight.zero_()
    model.save_pretrained(str(folder))
    return folder


def test_extension_rewrites_text_and_keeps_metadata(tiny_llm: Path) -> None:
    prompts = load_suite("smoke").prompts[:3]
    extender = PromptExtender(tiny_llm, max_new_tokens=NEW_TOKENS)
    extended, unchanged = extend_prompts(prompts, extender)
    assert unchanged == []
    for before, after in zip(prompts, extended):
        assert after.text == "!" * NEW_TOKENS  # what the model generated, decoded
        assert after.text_original == before.text
        assert (after.id, after.dimensions, after.subject, after.objects, after.camera, after.text_zh) == (
            before.id,
            before.dimensions,
            before.subject,
            before.objects,
            before.camera,
            before.text_zh,
        )
    again, _ = extend_prompts(prompts, extender)
    assert again == extended  # greedy: deterministic


def test_cli_extend_writes_a_valid_suite(tiny_llm: Path, tmp_path: Path) -> None:
    out = tmp_path / "ext.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "prompts",
            "extend",
            "smoke",
            "--model",
            str(tiny_llm),
            "-o",
            str(out),
            "--limit",
            "2",
            "--max-new-tokens",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    suite = load_suite(out)
    assert suite.problems == [] and len(suite) == 2 and all(p.text_original for p in suite.prompts)
    missing = CliRunner().invoke(app, ["prompts", "extend", "smoke", "--model", str(tmp_path / "none"), "-o", str(out)])
    assert missing.exit_code == 2 and "not found" in missing.output
