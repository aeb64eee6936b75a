"""The judge's questions batched: a video's questions across its dimensions in one call, a remote
judge's requests in flight together (a bounded pool) and asked ahead while the previous video scores.
Answers equal asking one by one, whatever order replies come in; the answer cache keeps its keys."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SMALL, pan_clip, tiny_video, write_suite
from wanbench.backbones.base import Backbone, FeatureCache
from wanbench.backbones.flow import DISFlow
from wanbench.backbones.judge.backbone import VideoJudge
from wanbench.backbones.judge.cache import AnswerCache
from wanbench.backbones.judge.plan import JudgePlan
from wanbench.backbones.judge.protocol import JudgeSettings, NextTokens, Query
from wanbench.backbones.judge.remote import RemoteJudge
from wanbench.dims.base import NotScorable
from wanbench.dims.human_artifacts import HumanArtifactsByJudge
from wanbench.dims.judge_dims import judge_plans
from wanbench.dims.registry import get_dimension
from wanbench.prompts.suite import load_suite
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.run.store import ResultStore

SETTINGS = JudgeSettings(frames=4, keyframes=2, max_pixels=112 * 112)
JUDGED = (
    "physical_plausibility",
    "smoothness",
    "stylization",
    "single_object",
    "multiple_object",
    "spatial_position",
    "action_following",
    "camera_control",
)
PROMPTS = [
    {"id": "phys", "text": "a ball bounces", "dimensions": ["physical_plausibility", "smoothness"]},
    {"id": "style", "text": "a city in watercolor", "dimensions": ["stylization"], "style": "watercolor painting"},
    {
        "id": "two",
        "text": "twelve cats and a dog",
        "dimensions": ["single_object", "multiple_object"],
        "objects": [{"name": "cat", "count": 12}, {"name": "dog", "count": 1}],
    },
    {
        "id": "space",
        "text": "a cup left of a vase",
        "dimensions": ["spatial_position"],
        "spatial": {"subject": "cup", "relation": "left_of", "object": "vase"},
        "objects": [{"name": "cup"}],
    },
    {
        "id": "many",
        "text": "aerial view of a dog jumping on a coast",
        "camera": "aerial",
        "action": "jumping",
        "subject": {"name": "dog", "kind": "animal"},
        "dimensions": ["physical_plausibility", "smoothness", "action_following", "camera_control"],
    },
    {"id": "pan", "text": "the camera pans left", "dimensions": ["camera_control"], "camera": "pan_left"},
    {"id": "bare", "text": "a thing", "dimensions": ["stylization", "single_object", "action_following"]},
]


class RecordingJudge:
    """Answers every question with a fixed, valid answer and records what it was asked."""

    judge_id = "recording"

    def __init__(self) -> None:
        self.asked: list[tuple[bool, str, str]] = []
        self.calls = 0

    def answer(self, queries: list[Query]) -> list:
        self.calls += 1
        self.asked += [(q.as_video, q.question, q.kind) for q in queries]
        return [[1.0 / 21] * 21 if q.kind == "count" else 0.25 + len(q.question) % 7 / 10 for q in queries]


class FixedJudgeBackbone(Backbone):
    name = "vlm"

    def __init__(self, judge: RecordingJudge, cache: AnswerCache) -> None:
        self.judge, self.cache = judge, cache

    def backend(self) -> str:
        return "judge recording"

    def compute(self, video):
        return VideoJudge(video, self.judge, self.cache, SETTINGS)


def planned(plans: list[JudgePlan]) -> set[tuple[bool, str, str]]:
    return {(r.scope == "clip", q, r.kind) for plan in plans for r in plan for q in r.texts}


def score_all(dims, prompt, video, backbone) -> dict:
    features = FeatureCache(video, {"vlm": backbone, "flow": DISFlow()})
    out = {}
    for dim in dims:
        if dim.applies_to(prompt):
            try:
                out[dim.name] = dim.score(video, prompt, features).value
            except NotScorable as exc:
                out[dim.name] = str(exc)
    return out


def test_each_judge_dimension_announces_exactly_the_questions_it_asks(tmp_path: Path) -> None:
    video = tiny_video(pan_clip(2.0, frames=8))
    suite = load_suite(write_suite(tmp_path / "s.jsonl", PROMPTS))
    dims = [get_dimension(d) for d in JUDGED] + [HumanArtifactsByJudge()]
    checked = 0
    for prompt in suite.prompts:
        for dim in dims:
            if dim.name != "human_artifacts" and not dim.applies_to(prompt):
                continue
            judge = RecordingJudge()
            features = FeatureCache(
                video, {"vlm": FixedJudgeBackbone(judge, AnswerCache(tmp_path / f"{checked}.db")), "flow": DISFlow()}
            )
            try:
                dim.score(video, prompt, features)
            except NotScorable:
                pass
            assert set(judge.asked) == planned(judge_plans([dim], prompt)), (prompt.id, dim.name)
            checked += 1
    assert checked >= 12


def test_asking_ahead_batches_a_videos_questions_and_changes_no_score(tmp_path: Path) -> None:
    video = tiny_video(pan_clip(2.0, frames=8))
    suite = load_suite(write_suite(tmp_path / "s.jsonl", PROMPTS))
    dims = [get_dimension(d) for d in JUDGED]
    for prompt in suite.prompts:
        one_by_one = RecordingJudge()
        want = score_all(
            dims, prompt, video, FixedJudgeBackbone(one_by_one, AnswerCache(tmp_path / f"{prompt.id}-a.db"))
        )
        batched = RecordingJudge()
        backbone = FixedJudgeBackbone(batched, AnswerCache(tmp_path / f"{prompt.id}-b.db"))
        asks = judge_plans([d for d in dims if d.applies_to(prompt)], prompt)
        asked = backbone.compute(video).prefetch(asks)
        assert batched.calls == (1 if asks else 0) and asked == len(batched.asked) == len(one_by_one.asked)
        assert sorted(batched.asked) == sorted(one_by_one.asked)
        assert score_all(dims, prompt, video, backbone) == want
        assert batched.calls == (1 if asks else 0)  # the dimensions read every answer from the cache
        assert backbone.compute(video).prefetch(asks) == 0  # cached: nothing asked again


def test_remote_answers_do_not_depend_on_reply_order(monkeypatch) -> None:
    """Replies finishing in random order are filed under their own question and answer node."""
    rng = random.Random(0)
    lock = threading.Lock()

    def next_tokens(self, content, prefix):
        with lock:
            pause = rng.random() * 0.02
        time.sleep(pause)
        question = content[-1]["text"]
        seed = sum(map(ord, question + (prefix or "")))
        return NextTokens({token: -5.0 - ((seed * (token + 3)) % 17) / 4.0 for token in range(1, 60)})

    class Tokens(RemoteJudge):
        def tokenize(self, text: str) -> list[int]:
            return [1 + (ord(c) % 50) for c in text]

    monkeypatch.setattr(RemoteJudge, "_next_tokens", next_tokens)
    image = np.zeros((56, 56, 3), np.uint8)
    queries = [
        Query((image,), f"Is there a thing number {i}?", "count" if i % 3 == 0 else "yes", False) for i in range(9)
    ]
    sequential = Tokens("http://127.0.0.1:9/v1", "m", SETTINGS, concurrency=1).answer(queries)
    pooled = Tokens("http://127.0.0.1:9/v1", "m", SETTINGS, concurrency=6).answer(queries)
    assert pooled == sequential and len({json.dumps(a) for a in sequential}) > 3


@pytest.fixture(scope="module")
def judge_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.tiny_backbones import install_tiny_judge

    home = tmp_path_factory.mktemp("judge-home")
    install_tiny_judge(home, "qwen2-vl-2b")
    return home


def rows(run: Path) -> dict:
    with ResultStore(run / "results.sqlite") as store:
        return {(r["prompt_id"], r["dimension"]): (r["status"], r["value"]) for r in store.results()}


def test_remote_judge_in_a_run_sends_requests_together_and_scores_as_one_by_one(
    judge_home, tmp_path, monkeypatch
) -> None:
    from tests.judge_server import LoopbackJudgeServer

    monkeypatch.setenv("WANBENCH_HOME", str(judge_home))
    suite = write_suite(tmp_path / "s.jsonl", [p for p in PROMPTS if p["id"] in ("phys", "many", "pan")])
    server = LoopbackJudgeServer(judge_home / "weights" / "qwen2-vl-2b")
    server.delay = 0.05  # a server that takes a while: requests in flight together overlap it
    results = {}
    try:
        for label, concurrency, prefetch in (("one-by-one", 1, 0), ("pooled", 4, 1)):
            options = {
                "vlm": {
                    "judge": "remote",
                    "url": server.url,
                    "model": "tiny-qwen2-vl",
                    "settings": SETTINGS,
                    "cache_path": tmp_path / f"{label}.sqlite",
                    "top_logprobs": 1000,
                    "concurrency": concurrency,
                }
            }
            server.max_in_flight = 0
            run_eval(
                EvalConfig(
                    model="procedural",
                    suite=str(suite),
                    out=tmp_path / label,
                    model_options=SMALL,
                    dimensions=JUDGED,
                    backbone_options=options,
                    prefetch=prefetch,
                )
            )
            results[label] = (rows(tmp_path / label), server.max_in_flight)
    finally:
        server.close()
    (one, one_in_flight), (pooled, pooled_in_flight) = results["one-by-one"], results["pooled"]
    assert one_in_flight == 1 and pooled_in_flight > 1
    assert one.keys() == pooled.keys() and all(s == "ok" for s, _ in one.values())
    for key, (status, value) in one.items():
        assert pooled[key][0] == status and pooled[key][1] == pytest.approx(value, abs=1e-9), key
