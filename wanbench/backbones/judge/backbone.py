"""The ``vlm`` backbone: a registered judge backend bound to each video, frames sampled once, answers cached."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wanbench.backbones.base import Backbone
from wanbench.backbones.judge.backends import Judge, JudgeBackend, check_vlm_options
from wanbench.backbones.judge.cache import AnswerCache
from wanbench.backbones.judge.plan import JudgeAnswers, JudgePlan, JudgeRequest, Question, Scope
from wanbench.backbones.judge.protocol import JudgeSettings, Query, WireFrames, sample_clip, wire_frames
from wanbench.model_weights import wanbench_home
from wanbench.video import Video


class VideoJudge:
    """The judge bound to one video: protocol frames made once, answers cached."""

    def __init__(self, video: Video, judge: Judge, cache: AnswerCache, settings: JudgeSettings) -> None:
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
        return [
            (Query((frame,), q, kind, False, (jpeg,)), f"frame{k}")
            for q in questions
            for k, (frame, jpeg) in enumerate(zip(self.keyframes, self.keyframe_wire.jpegs))
        ]

    def _queries(self, request: JudgeRequest) -> list[tuple[Query, str]]:
        make = self._clip_queries if request.scope == "clip" else self._frame_queries
        return make(request.texts, request.kind)

    def answer(self, plan: JudgePlan, backend: str = "") -> JudgeAnswers:
        """The answers to ``plan``: cached ones read, the rest asked in one call to the judge. Clip
        requests get one answer per question, frame requests per question one per keyframe."""
        queries = [self._queries(request) for request in plan]
        flat = iter(self._ask([pair for pairs in queries for pair in pairs]))
        by_request: dict[str, list[Any]] = {}
        for request, pairs in zip(plan, queries):
            answers = [next(flat) for _ in pairs]
            if request.scope == "frames":
                n = len(self.keyframes)
                answers = [answers[i * n : (i + 1) * n] for i in range(len(request.questions))]
            by_request[request.name] = answers
        return JudgeAnswers(plan, by_request, backend)

    def ask_clip(self, questions: Sequence[str], kind: str = "yes") -> list[Any]:
        """One answer per question about the whole sampled clip (a one-request plan)."""
        return list(self.answer(JudgePlan((_request("clip", questions, kind),)))["clip"])

    def ask_frames(self, questions: Sequence[str], kind: str = "yes") -> list[list[Any]]:
        """answers[q][k]: question q about keyframe k (a one-request plan)."""
        return list(self.answer(JudgePlan((_request("frames", questions, kind),)))["frames"])

    def prefetch(self, plans: Iterable[JudgePlan]) -> int:
        """Answer every uncached question of ``plans`` (a video's dimensions) in one call to the judge,
        filling the cache under the keys ``answer`` reads, so each dimension then reads its answers
        from there; returns how many questions went to the judge."""
        unique: dict[str, tuple[Query, str]] = {}
        for plan in plans:
            for request in plan:
                for query, scope in self._queries(request):
                    unique.setdefault(self._key(query, scope), (query, scope))
        todo = [(key, pair) for key, pair in unique.items() if self.cache.get(key) is None]
        if todo:
            for (key, _), answer in zip(todo, self.judge.answer([query for _, (query, _) in todo])):
                self.cache.put(key, answer)
        return len(todo)


def _request(scope: Scope, questions: Sequence[str], kind: str) -> JudgeRequest:
    return JudgeRequest(scope, scope, tuple(Question(f"q{i}", text) for i, text in enumerate(questions)), kind)


class VLMBackbone(Backbone):
    """The judge as a backbone: ``judge`` names a registered backend (``local``, the default: the
    ``qwen2-vl-7b`` weights or ``path``; ``openai``, alias ``remote``: an OpenAI-compatible server at
    ``url``) and ``options`` are that backend's own (see ``LocalBackend``, ``OpenAIBackend``).
    ``settings`` (the protocol) and ``cache_path`` (the answers) are the same for every backend."""

    name = "vlm"

    def __init__(
        self,
        judge: str = "local",
        settings: JudgeSettings | None = None,
        cache_path: str | Path | None = None,
        **options: Any,
    ) -> None:
        self.chosen: JudgeBackend = check_vlm_options(
            {"judge": judge, "settings": settings, "cache_path": cache_path, **options}
        )
        self.settings = settings or JudgeSettings()
        self.cache_path = Path(cache_path) if cache_path else wanbench_home() / "cache" / "judge.sqlite"
        self._judge: Judge | None = None
        self._cache: AnswerCache | None = None

    @property
    def overlaps(self) -> bool:
        """Whether a video's questions may be asked from a worker thread while another video scores."""
        return self.chosen.overlaps

    def check(self) -> None:
        self.chosen.check()

    def judge(self) -> Judge:
        if self._judge is None:
            self._judge = self.chosen.open(self.settings)
            self._cache = AnswerCache(self.cache_path)
        return self._judge

    def torch_modules(self) -> list:
        model = getattr(self._judge, "model", None)
        return [model] if model is not None and hasattr(model, "forward") else []

    def backend(self) -> str:
        judge = self.judge()
        s = self.settings
        return (
            f"judge {judge.judge_id} (frames {s.frames}, keyframes {s.keyframes}, max_pixels {s.max_pixels}, "
            f"jpeg {s.jpeg_quality}, protocol v{s.version})"
        )

    def compute(self, video: Video) -> VideoJudge:
        judge = self.judge()
        assert self._cache is not None
        return VideoJudge(video, judge, self._cache, self.settings)
