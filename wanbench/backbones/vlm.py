"""The VLM judge: Qwen2-VL (local, through transformers) or any OpenAI-compatible server.

Scores come from probabilities, never from parsed text: for a yes/no question, P(yes) is the
softmax of the first answer token's logits restricted to the "Yes" and "No" tokens; for a count,
the distribution over the digit tokens "0".."9". So a score is continuous and, for a given model,
video and question, deterministic.

The video is fed as frames we already decoded: ``JudgeSettings.frames`` frames sampled evenly,
resized by qwen-vl-utils' ``smart_resize`` to at most ``max_pixels`` (sides multiples of 28), with a
scalar fps; frame-level questions use ``keyframes`` single images. The settings are versioned and
part of every cache key and backend string.

Answers are cached in SQLite by (video sha256, question, kind, judge id, settings): a re-run, or a
second dimension asking the same question, asks nothing twice.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import inspect
import json
import math
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import cv2
import numpy as np

from wanbench.backbones.base import Backbone, BackboneUnavailable, require_weights
from wanbench.backbones.images import pick_device
from wanbench.video import Video
from wanbench.weights import wanbench_home

DIGITS = tuple(str(d) for d in range(10))


class JudgeError(RuntimeError):
    """The judge answered something we cannot turn into a probability (or failed for good)."""


@dataclass(frozen=True)
class JudgeSettings:
    frames: int = 8  # clip-level questions: frames sampled evenly (even: Qwen2-VL patches 2 frames in time)
    keyframes: int = 4  # frame-level questions: single images sampled evenly
    max_pixels: int = 448 * 448  # per frame
    fps: float = 2.0  # what the model is told the sampled clip's frame rate is
    version: str = "1"

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class Query:
    images: tuple[np.ndarray, ...]  # one image (frame-level) or several frames (clip-level)
    question: str
    kind: str = "yes"  # yes | count
    as_video: bool = True


# --- probability maths (tested on hand-made logits) ---------------------------------------------

def yes_probability(logit_yes: float, logit_no: float) -> float:
    """P(yes) among {yes, no}: a two-way softmax, i.e. sigmoid(l_yes - l_no)."""
    return float(1.0 / (1.0 + math.exp(-(logit_yes - logit_no))))


def digit_distribution(logits: Sequence[float]) -> np.ndarray:
    """Softmax over the ten digit tokens' logits."""
    values = np.asarray(logits, dtype=np.float64)
    values = np.exp(values - values.max())
    return values / values.sum()


def probabilities_from_logprobs(top: list[dict[str, Any]], kind: str) -> float | np.ndarray:
    """P(yes) or the digit distribution from an OpenAI-style ``top_logprobs`` list."""
    mass: dict[str, float] = {}
    for entry in top:
        token = str(entry.get("token", "")).strip().lower()
        mass[token] = mass.get(token, 0.0) + math.exp(float(entry["logprob"]))
    if kind == "count":
        values = np.array([mass.get(d, 0.0) for d in DIGITS])
        if values.sum() <= 0:
            raise JudgeError(f"no digit among the judge's top answers: {[e.get('token') for e in top]}")
        return values / values.sum()
    yes, no = mass.get("yes", 0.0), mass.get("no", 0.0)
    if yes + no <= 0:
        raise JudgeError(f"neither yes nor no among the judge's top answers: {[e.get('token') for e in top]}")
    return yes / (yes + no)


def fit_pixels(frames: np.ndarray, max_pixels: int, multiple: int = 28) -> np.ndarray:
    """Resize frames as Qwen2-VL's reference preprocessing does (qwen-vl-utils' smart_resize):
    sides multiples of 28, area within [56*56, max_pixels], aspect ratio kept."""
    from qwen_vl_utils import smart_resize

    h, w = frames.shape[1:3]
    nh, nw = smart_resize(h, w, factor=multiple, min_pixels=4 * multiple * multiple, max_pixels=max_pixels)
    if (nh, nw) == (h, w):
        return frames
    return np.stack([cv2.resize(f, (nw, nh), interpolation=cv2.INTER_AREA) for f in frames])


# --- the answer cache ---------------------------------------------------------------------------

class AnswerCache:
    """SQLite: key -> answer json. Thread-safe enough for one process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT, created REAL)")
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any:
        with self.lock:
            row = self.db.execute("SELECT answer FROM answers WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return json.loads(row[0])

    def put(self, key: str, answer: Any) -> None:
        with self.lock, self.db:
            self.db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", (key, json.dumps(answer), time.time()))


# --- judges -------------------------------------------------------------------------------------

class LocalQwenJudge:
    """Qwen2-VL / Qwen2.5-VL through transformers, from a local folder (no remote code)."""

    def __init__(self, folder: Path, settings: JudgeSettings, device: str | None = None, batch: int = 4,
                 share_prefix: bool = True) -> None:
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        self.device = pick_device(device)
        dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        self.model = AutoModelForImageTextToText.from_pretrained(folder, dtype=dtype, use_safetensors=True,
                                                                 trust_remote_code=False).to(self.device).eval()
        self.processor = AutoProcessor.from_pretrained(folder, trust_remote_code=False)
        for sub in (self.processor.video_processor, self.processor.image_processor):
            sub.size = {"shortest_edge": 56 * 56, "longest_edge": settings.max_pixels}
        tokenizer = self.processor.tokenizer
        self.yes_no = (self._single_token(tokenizer, "Yes"), self._single_token(tokenizer, "No"))
        self.digits = [self._single_token(tokenizer, d) for d in DIGITS]
        self.settings, self.batch, self.share_prefix = settings, batch, share_prefix
        self._cache_kw = "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"
        # identity without machine paths: architecture, folder name, config hash and weight bytes
        folder = Path(folder)
        config_sha = hashlib.sha256((folder / "config.json").read_bytes()).hexdigest()[:12]
        weight_bytes = sum(p.stat().st_size for p in folder.glob("*.safetensors"))
        self.judge_id = (f"local:{getattr(self.model.config, 'model_type', 'vlm')}:{folder.name}:"
                         f"config-{config_sha}:{weight_bytes}B")

    @staticmethod
    def _single_token(tokenizer, text: str) -> int:
        ids = tokenizer.encode(text, add_special_tokens=False)
        if len(ids) != 1:
            raise BackboneUnavailable(f"judge tokenizer splits {text!r} into {len(ids)} tokens; need one")
        return ids[0]

    @staticmethod
    def vision_prefix(as_video: bool) -> str:
        """Qwen's ChatML up to and including the video or image placeholder: what questions share."""
        vision = "<|vision_start|><|video_pad|><|vision_end|>" if as_video else "<|vision_start|><|image_pad|><|vision_end|>"
        return (f"<|im_start|>system\nYou are a careful video assessor. Answer with one word.<|im_end|>\n"
                f"<|im_start|>user\n{vision}")

    @staticmethod
    def question_suffix(question: str) -> str:
        """The rest of the turn, ending where the answer starts."""
        return f"{question}<|im_end|>\n<|im_start|>assistant\n"

    @classmethod
    def chat(cls, question: str, as_video: bool) -> str:
        return cls.vision_prefix(as_video) + cls.question_suffix(question)

    def answer(self, queries: list[Query]) -> list[Any]:
        """Questions about the same frames share one forward of their common prefix (system turn and
        vision tokens, the bulk of the sequence) when ``share_prefix``; the rest go in padded batches."""
        groups: dict[tuple, list[int]] = {}
        for i, q in enumerate(queries):
            groups.setdefault((q.as_video, *map(id, q.images)), []).append(i)
        results: list[Any] = [None] * len(queries)
        alone = []
        for members in groups.values():
            if self.share_prefix and len(members) > 1:
                for i, result in zip(members, self._answer_sharing_prefix([queries[i] for i in members])):
                    results[i] = result
            else:
                alone += members
        for i, result in zip(alone, self._answer_batched([queries[i] for i in alone])):
            results[i] = result
        return results

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

    def _read(self, query: Query, row: Any) -> Any:
        if query.kind == "count":
            return digit_distribution(row[self.digits].tolist()).tolist()
        return yes_probability(float(row[self.yes_no[0]]), float(row[self.yes_no[1]]))

    def _answer_batched(self, queries: list[Query]) -> list[Any]:
        import torch

        results: list[Any] = []
        for start in range(0, len(queries), self.batch):
            chunk = queries[start:start + self.batch]
            inputs = self._inputs([self.chat(q.question, q.as_video) for q in chunk], chunk)
            with torch.inference_mode():
                logits = self.model(**inputs).logits[:, -1].float().cpu()
            results += [self._read(q, row) for q, row in zip(chunk, logits)]
        return results

    def _answer_sharing_prefix(self, queries: list[Query]) -> list[Any]:
        """One forward of the shared prefix, then each batch of questions continues from a copy of its
        key/value cache. Text after the vision tokens gets plain sequential positions in all three
        M-RoPE sections: prefix length + the model's rope delta (what generation does)."""
        import torch

        tokenizer = self.processor.tokenizer
        inputs = self._inputs([self.vision_prefix(queries[0].as_video)], queries[:1])
        results: list[Any] = []
        with torch.inference_mode():
            out = self.model(**inputs, use_cache=True)
            prefix_cache = out.cache if getattr(out, "cache", None) is not None else out.past_key_values
            length = inputs["input_ids"].shape[1]
            first = length + int(self.model.model.rope_deltas.reshape(-1)[0])
            for start in range(0, len(queries), self.batch):
                chunk = queries[start:start + self.batch]
                ids = [tokenizer.encode(self.question_suffix(q.question), add_special_tokens=False) for q in chunk]
                width, batch = max(map(len, ids)), len(ids)
                pad = tokenizer.pad_token_id or 0
                tokens = torch.tensor([i + [pad] * (width - len(i)) for i in ids], device=self.device)
                mask = torch.tensor([[1] * (length + len(i)) + [0] * (width - len(i)) for i in ids], device=self.device)
                positions = (first + torch.arange(width, device=self.device)).view(1, 1, width).expand(3, batch, width)
                cache = copy.deepcopy(prefix_cache)
                cache.batch_repeat_interleave(batch)
                logits = self.model(input_ids=tokens, attention_mask=mask, position_ids=positions, use_cache=True,
                                    **{self._cache_kw: cache}).logits
                last = logits[torch.arange(batch), torch.tensor([len(i) - 1 for i in ids])].float().cpu()
                results += [self._read(q, row) for q, row in zip(chunk, last)]
        return results


class RemoteJudge:
    """Any OpenAI-compatible chat endpoint that returns logprobs (vLLM serving Qwen2-VL, for example)."""

    def __init__(self, url: str, model: str, settings: JudgeSettings, timeout: float = 60.0, retries: int = 3,
                 backoff: float = 1.0, api_key: str | None = None, top_logprobs: int = 20) -> None:
        self.url = url.rstrip("/")
        self.model, self.settings, self.timeout = model, settings, timeout
        self.retries, self.backoff, self.api_key, self.top = retries, backoff, api_key, top_logprobs
        self.judge_id = f"remote:{model}"
        self._down: str | None = None  # once a server failed every retry, later asks fail at once

    @staticmethod
    def _data_url(image: np.ndarray) -> str:
        ok, buffer = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
        return "data:image/jpeg;base64," + base64.b64encode(buffer.tobytes()).decode()

    def _request(self, query: Query) -> dict[str, Any]:
        content = [{"type": "image_url", "image_url": {"url": self._data_url(im)}} for im in query.images]
        content.append({"type": "text", "text": query.question})
        body = {"model": self.model, "messages": [{"role": "user", "content": content}], "max_tokens": 1,
                "temperature": 0, "logprobs": True, "top_logprobs": self.top}
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        endpoint = f"{self.url}/chat/completions"
        if self._down:
            raise BackboneUnavailable(self._down)
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(endpoint, json.dumps(body).encode(), headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                last = exc
                if exc.code < 500 and exc.code != 429:  # a client error will not get better by retrying
                    raise JudgeError(f"judge server {endpoint} refused the request: HTTP {exc.code}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last = exc
            if attempt < self.retries:
                time.sleep(self.backoff * 2 ** attempt)
        reason = getattr(last, "reason", last)
        self._down = f"judge server {endpoint} not reachable after {self.retries + 1} tries: {reason}"
        raise BackboneUnavailable(self._down)

    def answer(self, queries: list[Query]) -> list[Any]:
        results = []
        for query in queries:
            reply = self._request(query)
            try:
                top = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            except (KeyError, IndexError, TypeError):
                raise JudgeError("judge server gave no logprobs; serve the model with logprobs enabled") from None
            answer = probabilities_from_logprobs(top, query.kind)
            results.append(answer.tolist() if isinstance(answer, np.ndarray) else answer)
        return results


# --- the backbone ---------------------------------------------------------------------------------

class VideoJudge:
    """The judge bound to one video: frames sampled once, answers cached."""

    def __init__(self, video: Video, judge: Any, cache: AnswerCache, settings: JudgeSettings) -> None:
        self.judge, self.cache, self.settings = judge, cache, settings
        self.sha = video.sha256 or hashlib.sha256(np.ascontiguousarray(video.frames).tobytes()).hexdigest()
        frames = video.frames[video.sample_indices(count=min(settings.frames, video.num_frames))]
        if len(frames) % 2:  # Qwen2-VL groups frames in pairs
            frames = np.concatenate([frames, frames[-1:]])
        self.clip = tuple(fit_pixels(frames, settings.max_pixels))
        keys = video.sample_indices(count=min(settings.keyframes, video.num_frames))
        self.keyframes = tuple(fit_pixels(video.frames[keys], settings.max_pixels))

    def _key(self, query: Query, scope: str) -> str:
        raw = json.dumps([self.sha, scope, query.question, query.kind, self.judge.judge_id, self.settings.key()])
        return hashlib.sha256(raw.encode()).hexdigest()

    def _ask(self, queries: list[tuple[Query, str]]) -> list[Any]:
        answers: list[Any] = [self.cache.get(self._key(q, scope)) for q, scope in queries]
        todo = [i for i, a in enumerate(answers) if a is None]
        if todo:
            fresh = self.judge.answer([queries[i][0] for i in todo])
            for i, answer in zip(todo, fresh):
                self.cache.put(self._key(*queries[i]), answer)
                answers[i] = answer
        return answers

    def ask_clip(self, questions: list[str], kind: str = "yes") -> list[Any]:
        """One answer per question about the whole sampled clip."""
        return self._ask([(Query(self.clip, q, kind, True), "clip") for q in questions])

    def ask_frames(self, questions: list[str], kind: str = "yes") -> list[list[Any]]:
        """answers[q][k]: question q about keyframe k."""
        flat = [(Query((frame,), q, kind, False), f"frame{k}") for q in questions
                for k, frame in enumerate(self.keyframes)]
        answers = self._ask(flat)
        n = len(self.keyframes)
        return [answers[i * n:(i + 1) * n] for i in range(len(questions))]


JUDGE_WEIGHTS = {"local": "qwen2-vl-7b"}


class VLMBackbone(Backbone):
    """``judge="local"`` (default: the ``qwen2-vl-7b`` weights, or ``path``) or ``judge="remote"`` (``url``)."""

    name = "vlm"

    def __init__(self, judge: str = "local", weights: str = "qwen2-vl-7b", path: str | Path | None = None,
                 url: str | None = None, model: str | None = None, settings: JudgeSettings | None = None,
                 cache_path: str | Path | None = None, batch: int = 4, device: str | None = None,
                 timeout: float = 60.0, retries: int = 3, backoff: float = 1.0, share_prefix: bool = True) -> None:
        if judge not in ("local", "remote"):
            raise ValueError(f"unknown judge {judge!r}; choose local or remote")
        if judge == "remote" and not url:
            raise ValueError("a remote judge needs --judge-url (an OpenAI-compatible endpoint, e.g. http://host:8000/v1)")
        self.kind, self.weights, self.path, self.url = judge, weights, Path(path) if path else None, url
        self.model_name = model or weights
        self.settings = settings or JudgeSettings()
        self.cache_path = Path(cache_path) if cache_path else wanbench_home() / "cache" / "judge.sqlite"
        self.batch, self.device, self.timeout, self.retries, self.backoff = batch, device, timeout, retries, backoff
        self.share_prefix = share_prefix  # local judge: questions about one clip share its prefix forward
        self._judge: Any = None
        self._cache: AnswerCache | None = None

    def _folder(self) -> Path:
        if self.path is not None:
            if not (self.path / "config.json").is_file():
                raise BackboneUnavailable(f"--judge-weights {self.path}: no config.json there")
            return self.path
        return require_weights(self.weights, "VLM judge: {}; or point --judge-url at a server")["config.json"].parent

    def check(self) -> None:
        if self.kind == "local":
            self._folder()

    def judge(self) -> Any:
        if self._judge is None:
            if self.kind == "local":
                self._judge = LocalQwenJudge(self._folder(), self.settings, self.device, self.batch,
                                             self.share_prefix)
            else:
                self._judge = RemoteJudge(self.url, self.model_name, self.settings, self.timeout, self.retries,
                                          self.backoff)
            self._cache = AnswerCache(self.cache_path)
        return self._judge

    def torch_modules(self) -> list:
        return [self._judge.model] if isinstance(self._judge, LocalQwenJudge) else []

    def backend(self) -> str:
        judge = self.judge()
        s = self.settings
        return (f"judge {judge.judge_id} (frames {s.frames}, keyframes {s.keyframes}, max_pixels {s.max_pixels}, "
                f"settings v{s.version})")

    def compute(self, video: Video) -> VideoJudge:
        judge = self.judge()
        assert self._cache is not None
        return VideoJudge(video, judge, self._cache, self.settings)
