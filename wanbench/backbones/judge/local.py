"""The local judge: Qwen2-VL / Qwen2.5-VL through transformers, from a local folder (no remote code).

Turns come from the model's chat template; the user's question is tokenized with special tokens
split (text can never become a turn marker). Answers are read by teacher forcing: each question's
sequence is extended by the answer paths the protocol needs, and the next-token distributions
along them are read exactly (``protocol.read_answers``).

Questions about the same frames share one forward of their common prefix (system turn and vision
tokens, the bulk of the sequence) when ``share_prefix``: every row then continues from a copy of
that key/value cache, with text positions continuing the M-RoPE index as generation does.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from wanbench.backbones.base import BackboneUnavailable, require_weights
from wanbench.backbones.judge.protocol import (
    VISION_END,
    AnswerSet,
    JudgeSettings,
    NextTokens,
    Query,
    build_answer_set,
    final_answer,
    messages,
    processor_pixels,
    read_answers,
)

QUESTION_SLOT = "\ue000"  # a private-use character standing in for the question while the template renders


@dataclass(frozen=True)
class LocalBackend:
    """The ``local`` judge backend's options: the weights entry (or a folder of its own), the device,
    how many questions go through the model at once, and whether questions about one clip share its
    prefix forward. Choosing the backend loads nothing; ``open`` loads the model."""

    weights: str = "qwen2-vl-7b"
    path: Path | None = None
    device: str | None = None
    batch: int = 4
    share_prefix: bool = True
    overlaps: ClassVar[bool] = False  # a local model competes with scoring for the same compute

    def folder(self) -> Path:
        if self.path is not None:
            if not (self.path / "config.json").is_file():
                raise BackboneUnavailable(f"--judge-weights {self.path}: no config.json there")
            return self.path
        return require_weights(self.weights, "VLM judge: {}; or point --judge-url at a server")["config.json"].parent

    def check(self) -> None:
        self.folder()

    def open(self, settings: JudgeSettings) -> LocalQwenJudge:
        return LocalQwenJudge(self.folder(), settings, self.device, self.batch, self.share_prefix)


class LocalQwenJudge:
    def __init__(
        self,
        folder: Path,
        settings: JudgeSettings,
        device: str | None = None,
        batch: int = 4,
        share_prefix: bool = True,
    ) -> None:
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        from wanbench.backbones.images import pick_device

        self.device = pick_device(device)
        dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        self.model = (
            AutoModelForImageTextToText.from_pretrained(
                folder, dtype=dtype, use_safetensors=True, trust_remote_code=False
            )
            .to(self.device)  # type: ignore[arg-type]  # transformers types the wrapped .to as taking a model
            .eval()
        )
        self.processor = AutoProcessor.from_pretrained(folder, trust_remote_code=False)
        if not getattr(self.processor, "chat_template", None):
            raise BackboneUnavailable(
                f"judge folder {Path(folder).name} has no chat template; the protocol needs the model's own"
            )
        pixels = processor_pixels(settings)  # the same bounds a server is sent
        for sub in (self.processor.video_processor, self.processor.image_processor):
            sub.size = {"shortest_edge": pixels["min_pixels"], "longest_edge": pixels["max_pixels"]}
        self.tokenizer = self.processor.tokenizer
        self.settings, self.batch, self.share_prefix = settings, batch, share_prefix
        self.answer_sets = {kind: build_answer_set(kind, settings, self.encode) for kind in ("yes", "count")}
        self._cache_kw = "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"
        self._templates = {as_video: self._split_template(as_video) for as_video in (True, False)}
        # identity without machine paths: architecture, folder name, config hash and weight bytes
        folder = Path(folder)
        config_sha = hashlib.sha256((folder / "config.json").read_bytes()).hexdigest()[:12]
        weight_bytes = sum(p.stat().st_size for p in folder.glob("*.safetensors"))
        self.judge_id = (
            f"local:{getattr(self.model.config, 'model_type', 'vlm')}:{folder.name}:config-{config_sha}:{weight_bytes}B"
        )

    def encode(self, text: str, split_special: bool = True) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False, split_special_tokens=split_special)["input_ids"]

    # --- turns ---------------------------------------------------------------------------------

    def _split_template(self, as_video: bool) -> tuple[str, str, str]:
        """The rendered chat around the question: (text up to the vision tokens' end, text between
        that and the question, text after the question up to where the answer starts)."""
        text = self.processor.apply_chat_template(
            messages(QUESTION_SLOT, as_video), tokenize=False, add_generation_prompt=True
        )
        before, after = text.split(QUESTION_SLOT)
        cut = before.index(VISION_END) + len(VISION_END)
        return before[:cut], before[cut:], after

    def vision_prefix(self, as_video: bool) -> str:
        """The chat up to and including the video or image placeholder: what questions about one clip share."""
        return self._templates[as_video][0]

    def question_ids(self, question: str, as_video: bool) -> list[int]:
        """Token ids after the vision placeholder: template text with its special tokens, the question
        with special-token text split into plain tokens."""
        _, between, after = self._templates[as_video]
        return (
            self.encode(between, split_special=False) + self.encode(question) + self.encode(after, split_special=False)
        )

    # --- answers -------------------------------------------------------------------------------

    def answer(self, queries: list[Query]) -> list[Any]:
        groups: dict[tuple, list[int]] = {}
        for i, q in enumerate(queries):
            groups.setdefault((q.as_video, *map(id, q.images)), []).append(i)
        results: list[Any] = [None] * len(queries)
        alone = []
        for members in groups.values():
            rows = sum(len(self.answer_sets[queries[i].kind].maximal_nodes()) for i in members)
            if self.share_prefix and rows > 1:  # several questions, or one read along several answer paths
                for i, result in zip(members, self._answer_sharing_prefix([queries[i] for i in members])):
                    results[i] = result
            else:
                alone += members
        for i, result in zip(alone, self._answer_batched([queries[i] for i in alone])):
            results[i] = result
        return results

    def _rows(self, queries: list[Query]) -> list[tuple[int, list[int], tuple[int, ...]]]:
        """(query index, question ids, answer path fed after them): one row per maximal answer node."""
        rows = []
        for qi, q in enumerate(queries):
            ids = self.question_ids(q.question, q.as_video)
            rows += [(qi, ids, node) for node in self.answer_sets[q.kind].maximal_nodes()]
        return rows

    def _read(self, queries: list[Query], rows: list, logprobs: list[Any]) -> list[Any]:
        """Answers from each row's log-softmax [1 + path length, vocab]: the next-token distributions
        after the question and after each token of the fed answer path."""
        per_query: list[dict[tuple[int, ...], NextTokens]] = [{} for _ in queries]
        for (qi, _ids, path), row in zip(rows, logprobs):
            answer_set = self.answer_sets[queries[qi].kind]
            for j in range(len(path) + 1):
                node = path[:j]
                if node not in per_query[qi]:
                    wanted = _wanted(answer_set, node)
                    values = row[j, wanted].tolist()
                    per_query[qi][node] = NextTokens(dict(zip(wanted, values)))
        out = []
        for q, nodes in zip(queries, per_query):
            answer_set = self.answer_sets[q.kind]
            out.append(final_answer(answer_set, read_answers(answer_set, nodes)))
        return out

    def _inputs(self, texts: list[str], queries: list[Query]) -> Any:
        videos = [np.stack(q.images) for q in queries if q.as_video]
        images = [q.images[0] for q in queries if not q.as_video]
        kwargs: dict[str, Any] = {"text": texts, "return_tensors": "pt", "padding": True, "padding_side": "left"}
        if videos:
            kwargs["videos"] = videos
            kwargs["fps"] = self.settings.fps
        if images:
            kwargs["images"] = images
        return self.processor(**kwargs).to(self.device)

    def _answer_batched(self, queries: list[Query]) -> list[Any]:
        """Full forwards (vision prefix, question and answer path in one sequence), left-padded batches."""
        import torch

        rows = self._rows(queries)
        logprobs: list[Any] = []
        pad = self.tokenizer.pad_token_id or 0
        for start in range(0, len(rows), self.batch):
            chunk = rows[start : start + self.batch]
            chunk_queries = [queries[qi] for qi, _, _ in chunk]
            inputs = self._inputs([self.vision_prefix(q.as_video) for q in chunk_queries], chunk_queries)
            masks = [m.bool() for m in inputs["attention_mask"]]
            prefixes = [ids[m].tolist() for ids, m in zip(inputs["input_ids"], masks)]
            full = [p + ids + list(path) for p, (_, ids, path) in zip(prefixes, chunk)]
            width = max(map(len, full))
            per_token = [
                k
                for k, v in inputs.items()
                if k not in ("input_ids", "attention_mask") and getattr(v, "shape", None) == inputs["input_ids"].shape
            ]  # e.g. token types: text is 0
            for key in per_token:
                inputs[key] = torch.tensor(
                    [
                        [0] * (width - len(f)) + row[m].tolist() + [0] * (len(f) - len(p))
                        for f, p, row, m in zip(full, prefixes, inputs[key], masks)
                    ],
                    device=self.device,
                )
            inputs["input_ids"] = torch.tensor([[pad] * (width - len(f)) + f for f in full], device=self.device)
            inputs["attention_mask"] = torch.tensor(
                [[0] * (width - len(f)) + [1] * len(f) for f in full], device=self.device
            )
            with torch.inference_mode():
                logits = self.model(**inputs).logits.float()
            for (_, _ids, path), row in zip(chunk, logits):
                logprobs.append(torch.log_softmax(row[width - len(path) - 1 :].double(), -1).cpu())
        return self._read(queries, rows, logprobs)

    def _answer_sharing_prefix(self, queries: list[Query]) -> list[Any]:
        """One forward of the shared prefix, then each batch of rows continues from a copy of its
        key/value cache. Text after the vision tokens gets plain sequential positions in all three
        M-RoPE sections: prefix length + the model's rope delta (what generation does)."""
        import torch

        rows = self._rows(queries)
        inputs = self._inputs([self.vision_prefix(queries[0].as_video)], queries[:1])
        logprobs: list[Any] = []
        pad = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            out = self.model(**inputs, use_cache=True)
            prefix_cache = out.cache if getattr(out, "cache", None) is not None else out.past_key_values
            length = inputs["input_ids"].shape[1]
            first = length + int(self.model.model.rope_deltas.reshape(-1)[0])
            for start in range(0, len(rows), self.batch):
                chunk = rows[start : start + self.batch]
                seqs = [ids + list(path) for _, ids, path in chunk]
                width, batch = max(map(len, seqs)), len(seqs)
                tokens = torch.tensor([s + [pad] * (width - len(s)) for s in seqs], device=self.device)
                mask = torch.tensor(
                    [[1] * (length + len(s)) + [0] * (width - len(s)) for s in seqs], device=self.device
                )
                positions = (first + torch.arange(width, device=self.device)).view(1, 1, width).expand(3, batch, width)
                cache = copy.deepcopy(prefix_cache)
                cache.batch_repeat_interleave(batch)
                logits = self.model(
                    input_ids=tokens,
                    attention_mask=mask,
                    position_ids=positions,
                    use_cache=True,
                    **{self._cache_kw: cache},
                ).logits.float()
                for (_, ids, path), row in zip(chunk, logits):
                    logprobs.append(torch.log_softmax(row[len(ids) - 1 : len(ids) + len(path)].double(), -1).cpu())
        return self._read(queries, rows, logprobs)


def _wanted(answer_set: AnswerSet, node: tuple[int, ...]) -> list[int]:
    """The next tokens whose probability the reading needs after ``node``."""
    wanted = {
        path[len(node)]
        for variants in answer_set.paths
        for path in variants
        if len(path) > len(node) and path[: len(node)] == node
    }
    if any(node in variants for variants in answer_set.paths):
        wanted |= answer_set.stops
    return sorted(wanted)
