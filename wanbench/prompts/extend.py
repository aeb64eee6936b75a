"""Prompt extension, as the Wan report does before generation: an instruction LLM rewrites a
short prompt into a detailed one. The metadata is kept as it was, and the short text is kept in
``text_original``, so every dimension still asks its questions about what the user asked for.

Two rewriters share one instruction: ``PromptExtender``, any local transformers causal LM with a
chat template (a Qwen2.5-Instruct folder, say; nothing is downloaded and no remote code runs), and
``ServerExtender``, an OpenAI-compatible chat server (vLLM, llama.cpp, ...) that ``eval --extend``
uses. Both decode greedily, so a rewrite is reproducible for one model.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from wanbench.prompts.suite import Prompt

INSTRUCTION = (
    "Rewrite the user's short video description into one richer paragraph of at most 80 words for a "
    "text-to-video model. Keep every subject, count, colour, position, action, camera movement and "
    "style it names, and add nothing that contradicts them. Describe appearance, setting, lighting "
    "and natural motion. Answer with the rewritten description only."
)
ANSWER_IN = {"en": "Answer in English.", "zh": "Answer in Chinese (简体中文)."}


def instruction_for(lang: str = "en") -> str:
    return f"{INSTRUCTION} {ANSWER_IN[lang]}" if lang != "en" else INSTRUCTION


class PromptExtender:
    def __init__(self, model_dir: str | Path, max_new_tokens: int = 160, device: str = "cpu") -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise FileNotFoundError(f"prompt-extension model folder not found: {model_dir}")
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        if self.tokenizer.chat_template is None:
            raise ValueError(f"{model_dir}: the tokenizer has no chat template; use an instruction-tuned model")
        model = AutoModelForCausalLM.from_pretrained(str(model_dir), local_files_only=True, use_safetensors=True)
        # transformers' wrapped PreTrainedModel.to reads to type checkers as taking the model as its argument
        self.model = model.to(device).eval()  # type: ignore[arg-type]
        self.max_new_tokens = max_new_tokens
        self.device = device

    def rewrite(self, text: str) -> str:
        import torch

        with torch.no_grad():
            return self._rewrite(text)

    def _rewrite(self, text: str) -> str:
        messages = [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": text}]
        encoded = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        assert isinstance(encoded, Mapping)  # return_dict=True: a BatchEncoding
        ids = {k: v.to(self.device) for k, v in encoded.items()}
        out = self.model.generate(
            **ids,
            max_new_tokens=self.max_new_tokens,
            do_sample=False,
            pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
        )
        new_tokens = out[0, ids["input_ids"].shape[1] :]
        reply = self.tokenizer.decode(new_tokens, skip_special_tokens=True)
        assert isinstance(reply, str)  # one sequence in, one text out
        return " ".join(reply.split())

    def extend(self, prompt: Prompt) -> Prompt | None:
        """The prompt with a rewritten text, or None when the model wrote nothing usable."""
        rewritten = self.rewrite(prompt.text)
        if not rewritten or rewritten == prompt.text:
            return None
        return dataclasses.replace(prompt, text=rewritten, text_original=prompt.text)


def extend_prompts(
    prompts: list[Prompt], extender: PromptExtender, progress: Callable[[int, int], None] | None = None
) -> tuple[list[Prompt], list[str]]:
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


class ExtensionError(RuntimeError):
    """The rewriting server could not be reached or answered with something unusable."""


@dataclasses.dataclass(frozen=True)
class ServerExtender:
    """Rewrites through an OpenAI-compatible ``/chat/completions`` endpoint (greedy, one request each)."""

    url: str  # the API base, e.g. http://localhost:8000/v1
    model: str  # the model id the server serves; recorded in provenance
    max_tokens: int = 200
    timeout: float = 120.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"--extend-url must be an http(s) URL, got {self.url!r}")
        if not self.model.strip():
            raise ValueError("--extend-model must name the model the server serves")

    def rewrite(self, text: str, lang: str = "en") -> str:
        body = {
            "model": self.model,
            "temperature": 0,
            "max_tokens": self.max_tokens,
            "messages": [{"role": "system", "content": instruction_for(lang)}, {"role": "user", "content": text}],
        }
        request = urllib.request.Request(
            self.url.rstrip("/") + "/chat/completions",
            method="POST",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ExtensionError(f"prompt extension server {self.url}: {exc}") from exc
        try:
            content = answer["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ExtensionError(
                f"prompt extension server {self.url}: no choices[0].message.content in its answer"
            ) from exc
        if not isinstance(content, str) or not content.strip():
            raise ExtensionError(f"prompt extension server {self.url}: empty rewrite")
        return " ".join(content.split())
