"""The ``vlm`` backbone: a judge (local or remote) bound to each video, frames sampled once, answers cached."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from wanbench.backbones.base import Backbone, BackboneUnavailable, require_weights
from wanbench.backbones.judge.cache import AnswerCache
from wanbench.backbones.judge.protocol import (
    JudgeSettings,
    Query,
    WireFrames,
    sample_clip,
    wire_frames,
)
from wanbench.model_weights import wanbench_home
from wanbench.video import Video


@dataclass(frozen=True)
class JudgeAsk:
    """Questions a dimension will ask about one video, known before it scores: about the sampled clip
    (``scope`` "clip") or about each keyframe ("frames"). Asking them ahead batches a video's
    questions across its dimensions, and (remote judge) overlaps them with scoring the previous video."""

    scope: str  # clip | frames
    questions: tuple[str, ...]
    kind: str = "yes"


class VideoJudge:
    """The judge bound to one video: protocol frames made once, answers cached."""

    def __init__(self, video: Video, judge: Any, cache: AnswerCache, settings: JudgeSettings) -> None:
        self.judge, self.cache, self.settings = judge, cache, settings
        self.sha = video.sha256 or hashlib.sha256(np.ascontiguousarray(video.frames).tobytes()).hexdigest()
        clip = sample_clip(video.frames, video.sample_indices(count=min(settings.frames, video.num_frames)))
        self.clip_wire: WireFrames = wire_frames(clip, settings)
        keys = video.sample_indices(count=min(settings.keyframes, video.num_frames))
        self.keyframe_wire: WireFrames = wire_frames(video.frames[keys], settings)
        self.clip, self.keyframes = self.clip_wire.pixels, self.keyframe_wire.pixels

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

    def _clip_queries(self, questions: Sequence[str], kind: str) -> list[tuple[Query, str]]:
        return [(Query(self.clip, q, kind, True, self.clip_wire.jpegs), "clip") for q in questions]

    def _frame_queries(self, questions: Sequence[str], kind: str) -> list[tuple[Query, str]]:
        return [(Query((frame,), q, kind, False, (jpeg,)), f"frame{k}") for q in questions
                for k, (frame, jpeg) in enumerate(zip(self.keyframes, self.keyframe_wire.jpegs))]

    def ask_clip(self, questions: list[str], kind: str = "yes") -> list[Any]:
        """One answer per question about the whole sampled clip."""
        return self._ask(self._clip_queries(questions, kind))

    def ask_frames(self, questions: list[str], kind: str = "yes") -> list[list[Any]]:
        """answers[q][k]: question q about keyframe k."""
        answers = self._ask(self._frame_queries(questions, kind))
        n = len(self.keyframes)
        return [answers[i * n:(i + 1) * n] for i in range(len(questions))]

    def ask_ahead(self, asks: Iterable[JudgeAsk]) -> int:
        """Answer every uncached question of ``asks`` in one call to the judge (cached under the keys
        ``ask_clip`` / ``ask_frames`` use, so the dimensions then read them from the cache); returns how
        many questions went to the judge."""
        unique: dict[str, tuple[Query, str]] = {}
        for ask in asks:
            make = self._clip_queries if ask.scope == "clip" else self._frame_queries
            for query, scope in make(ask.questions, ask.kind):
                unique.setdefault(self._key(query, scope), (query, scope))
        todo = [(key, pair) for key, pair in unique.items() if self.cache.get(key) is None]
        if todo:
            for (key, _), answer in zip(todo, self.judge.answer([query for _, (query, _) in todo])):
                self.cache.put(key, answer)
        return len(todo)


class VLMBackbone(Backbone):
    """``judge="local"`` (default: the ``qwen2-vl-7b`` weights, or ``path``) or ``judge="remote"`` (``url``)."""

    name = "vlm"

    def __init__(self, judge: str = "local", weights: str = "qwen2-vl-7b", path: str | Path | None = None,
                 url: str | None = None, model: str | None = None, settings: JudgeSettings | None = None,
                 cache_path: str | Path | None = None, batch: int = 4, device: str | None = None,
                 timeout: float = 60.0, retries: int = 3, backoff: float = 1.0, share_prefix: bool = True,
                 top_logprobs: int = 20, concurrency: int = 8) -> None:
        if judge not in ("local", "remote"):
            raise ValueError(f"unknown judge {judge!r}; choose local or remote")
        if judge == "remote" and not url:
            raise ValueError("a remote judge needs --judge-url (an OpenAI-compatible endpoint, e.g. http://host:8000/v1)")
        self.mode, self.weights, self.path, self.url = judge, weights, Path(path) if path else None, url
        self.model_name = model or weights
        self.settings = settings or JudgeSettings()
        self.cache_path = Path(cache_path) if cache_path else wanbench_home() / "cache" / "judge.sqlite"
        self.batch, self.device, self.timeout, self.retries, self.backoff = batch, device, timeout, retries, backoff
        self.share_prefix = share_prefix  # local judge: questions about one clip share its prefix forward
        self.top_logprobs = top_logprobs  # remote judge: how many next-token logprobs to ask for
        self.concurrency = concurrency  # remote judge: requests in flight at once
        self._judge: Any = None
        self._cache: AnswerCache | None = None

    def _folder(self) -> Path:
        if self.path is not None:
            if not (self.path / "config.json").is_file():
                raise BackboneUnavailable(f"--judge-weights {self.path}: no config.json there")
            return self.path
        return require_weights(self.weights, "VLM judge: {}; or point --judge-url at a server")["config.json"].parent

    @property
    def overlaps(self) -> bool:
        """Whether a video's questions may be asked from a worker thread while another video scores:
        a remote judge waits on the network; a local one would compete for the scoring's compute."""
        return self.mode == "remote"

    def check(self) -> None:
        if self.mode == "local":
            self._folder()

    def judge(self) -> Any:
        if self._judge is None:
            if self.mode == "local":
                from wanbench.backbones.judge.local import LocalQwenJudge

                self._judge = LocalQwenJudge(self._folder(), self.settings, self.device, self.batch,
                                             self.share_prefix)
            else:
                from wanbench.backbones.judge.remote import RemoteJudge

                self._judge = RemoteJudge(self.url, self.model_name, self.settings, self.timeout, self.retries,
                                          self.backoff, top_logprobs=self.top_logprobs,
                                          concurrency=self.concurrency)
            self._cache = AnswerCache(self.cache_path)
        return self._judge

    def torch_modules(self) -> list:
        model = getattr(self._judge, "model", None)
        return [model] if model is not None and hasattr(model, "forward") else []

    def backend(self) -> str:
        judge = self.judge()
        s = self.settings
        return (f"judge {judge.judge_id} (frames {s.frames}, keyframes {s.keyframes}, max_pixels {s.max_pixels}, "
                f"jpeg {s.jpeg_quality}, protocol v{s.version})")

    def compute(self, video: Video) -> VideoJudge:
        judge = self.judge()
        assert self._cache is not None
        return VideoJudge(video, judge, self._cache, self.settings)
