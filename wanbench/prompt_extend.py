"""Prompt extension, as the Wan report does before generation: a local instruction LLM rewrites a
short prompt into a detailed one. The metadata is kept as it was, and the short text is kept in
``text_original``, so every dimension still asks its questions about what the user asked for.

The model is any local transformers causal LM with a chat template (a Qwen2.5-Instruct folder,
say); nothing is downloaded and no remote code runs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

import torch

from wanbench.suite import Prompt

INSTRUCTION = (
    "Rewrite the user's short video description into one richer paragraph of at most 80 words for a "
    "text-to-video model. Keep every subject, count, colour, position, action, camera movement and "
    "style it names, and add nothing that contradicts them. Describe appearance, setting, lighting "
    "and natural motion. Answer with the rewritten description only."
)


class PromptExtender:
    def __init__(self, model_dir: str | Path, max_new_tokens: int = 160, device: str = "cpu") -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise FileNotFoundError(f"prompt-extension model folder not found: {model_dir}")
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        if self.tokenizer.chat_template is None:
            raise ValueError(f"{model_dir}: the tokenizer has no chat template; use an instruction-tuned model")
        self.model = AutoModelForCausalLM.from_pretrained(str(model_dir), local_files_only=True).to(device).eval()
        self.max_new_tokens = max_new_tokens
        self.device = device

    @torch.no_grad()
    def rewrite(self, text: str) -> str:
        messages = [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": text}]
        ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                 return_dict=True)
        ids = {k: v.to(self.device) for k, v in ids.items()}
        out = self.model.generate(**ids, max_new_tokens=self.max_new_tokens, do_sample=False,
                                  pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id)
        new_tokens = out[0, ids["input_ids"].shape[1]:]
        return " ".join(self.tokenizer.decode(new_tokens, skip_special_tokens=True).split())

    def extend(self, prompt: Prompt) -> Prompt | None:
        """The prompt with a rewritten text, or None when the model wrote nothing usable."""
        rewritten = self.rewrite(prompt.text)
        if not rewritten or rewritten == prompt.text:
            return None
        return dataclasses.replace(prompt, text=rewritten, text_original=prompt.text)


def extend_prompts(prompts: list[Prompt], extender: PromptExtender,
                   progress: Callable[[int, int], None] | None = None) -> tuple[list[Prompt], list[str]]:
    """Every prompt rewritten where the model produced text; the ids left unchanged are returned."""
    out, unchanged = [], []
    for number, prompt in enumerate(prompts, start=1):
        extended = extender.extend(prompt)
        if extended is None:
            unchanged.append(prompt.id)
        out.append(extended or prompt)
        if progress:
            progress(number, len(prompts))
    return out, unchanged
