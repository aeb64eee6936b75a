"""The text a model generates from: the prompt's English or Chinese text, optionally rewritten by an
LLM (``eval --lang``, ``eval --extend``).

Scoring always reads the suite's own prompt (its English text and metadata); only the adapter sees
the chosen text. The language and the rewriter become part of the model's label (``wan-14b@zh``,
``wan-14b+ext``) so results of different texts never mix and sit side by side in a leaderboard.
Rewrites are cached in the run directory (``extended_prompts.jsonl``), keyed by the rewriter's model
id, instruction, language and the source text, so a resumed run asks the server nothing again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wanbench.prompts.extend import ServerExtender, instruction_for
from wanbench.prompts.suite import LANGUAGES, Prompt

CACHE_FILE = "extended_prompts.jsonl"


@dataclass(frozen=True)
class ExtendSettings:
    url: str  # OpenAI-compatible API base, e.g. http://localhost:8000/v1
    model: str  # model id the server serves (recorded with every run)
    max_tokens: int = 200


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ExtensionCache:
    """Rewrites already made, one JSON line each; appended as new ones arrive."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.table: dict[tuple[str, str, str, str], str] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self.table[(row["model"], row["instruction"], row["lang"], row["source"])] = row["text"]
                except (ValueError, KeyError, TypeError, RecursionError):
                    continue  # a torn last line from an interrupted run is asked again

    def get(self, key: tuple[str, str, str, str]) -> str | None:
        return self.table.get(key)

    def put(self, key: tuple[str, str, str, str], prompt_id: str, text: str) -> None:
        self.table[key] = text
        self.path.parent.mkdir(parents=True, exist_ok=True)
        row = {"model": key[0], "instruction": key[1], "lang": key[2], "source": key[3], "id": prompt_id, "text": text}
        from wanbench.safe_write import open_nofollow

        fd = open_nofollow(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)  # a planted link is refused
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


class GenerationText:
    """Turns a suite prompt into the prompt an adapter generates from."""

    def __init__(
        self, lang: str = "en", extend: ExtendSettings | None = None, run_dir: Path | None = None, extender: Any = None
    ) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
        self.lang = lang
        self.extend = extend
        self.extender = extender or (ServerExtender(extend.url, extend.model, extend.max_tokens) if extend else None)
        self.instruction_sha = _sha(instruction_for(lang))[:16]
        self.cache = ExtensionCache(Path(run_dir or ".") / CACHE_FILE) if extend else None

    def label(self, base: str) -> str:
        return base + (f"@{self.lang}" if self.lang != "en" else "") + ("+ext" if self.extend else "")

    def describe(self) -> dict[str, Any]:
        """What goes into the run's provenance."""
        info: dict[str, Any] = {"lang": self.lang}
        if self.extend:
            info["extend"] = {
                "model": self.extend.model,
                "instruction_sha256": self.instruction_sha,
                "max_tokens": self.extend.max_tokens,
                "cache": CACHE_FILE,
            }
        return info

    def prompt_for(self, prompt: Prompt) -> Prompt:
        """The prompt with ``text`` replaced by what the model should read; raises ValueError or
        ExtensionError with a one-line reason (the runner records it as a failed generation)."""
        if self.lang == "zh" and not prompt.text_zh:
            raise ValueError(f"prompt {prompt.id} has no text_zh for --lang zh")
        text = prompt.text_in(self.lang)
        if self.extend and self.cache is not None and self.extender is not None:  # set together
            key = (self.extend.model, self.instruction_sha, self.lang, _sha(text))
            rewritten = self.cache.get(key)
            if rewritten is None:
                rewritten = self.extender.rewrite(text, self.lang)
                self.cache.put(key, prompt.id, rewritten)
            text = rewritten
        if text == prompt.text:
            return prompt
        return dataclasses.replace(prompt, text=text, text_original=prompt.text)
