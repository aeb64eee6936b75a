"""The VLM judge: probability maths, a tiny random Qwen2-VL end to end, a fake remote server, the cache."""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SMALL, pan_clip, tiny_video, write_suite
from wanbench.backbones.base import BackboneUnavailable, FeatureCache
from wanbench.backbones.vlm import (JudgeError, JudgeSettings, LocalQwenJudge, Query, RemoteJudge, VLMBackbone, digit_distribution,
                                    fit_pixels, probabilities_from_logprobs, yes_probability)
from wanbench.dims.judge_dims import questions, templates
from wanbench.runner import EvalConfig, run_eval
from wanbench.store import ResultStore
from wanbench.suite import load_suite

JUDGE_DIMS = ("physical_plausibility", "smoothness", "stylization", "single_object", "multiple_object",
              "spatial_position", "action_following", "camera_control")
SETTINGS = JudgeSettings(frames=4, keyframes=2, max_pixels=112 * 112)


@pytest.fixture(scope="module")
def judge_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wanbench.backbones.tiny import install_tiny_judge

    home = tmp_path_factory.mktemp("judge-home")
    install_tiny_judge(home, "qwen2-vl-2b")
    return home


def judge_options(tmp_path: Path) -> dict:
    return {"vlm": {"weights": "qwen2-vl-2b", "settings": SETTINGS, "cache_path": tmp_path / "judge.sqlite"}}


# --- probability maths on hand-made logits -------------------------------------------------------

def test_yes_probability_is_a_two_way_softmax() -> None:
    assert yes_probability(0.0, 0.0) == pytest.approx(0.5)
    assert yes_probability(2.0, 0.0) == pytest.approx(1 / (1 + math.exp(-2)))
    assert yes_probability(1.0, 3.0) + yes_probability(3.0, 1.0) == pytest.approx(1.0)
    assert yes_probability(5.0, 5.0) == yes_probability(-2.0, -2.0)  # only the difference matters


def test_digit_distribution_and_logprob_parsing() -> None:
    dist = digit_distribution([0, 0, 3, 0, 0, 0, 0, 0, 0, 0])
    assert dist.sum() == pytest.approx(1.0) and int(dist.argmax()) == 2
    top = [{"token": " Yes", "logprob": math.log(0.6)}, {"token": "yes", "logprob": math.log(0.1)},
           {"token": "No", "logprob": math.log(0.1)}, {"token": "Maybe", "logprob": math.log(0.2)}]
    assert probabilities_from_logprobs(top, "yes") == pytest.approx(0.7 / 0.8)
    counts = probabilities_from_logprobs([{"token": "3", "logprob": math.log(0.3)},
                                          {"token": "4", "logprob": math.log(0.1)}], "count")
    assert counts[3] == pytest.approx(0.75) and counts[4] == pytest.approx(0.25)
    with pytest.raises(JudgeError):
        probabilities_from_logprobs([{"token": "Maybe", "logprob": 0.0}], "yes")


def test_frames_are_fitted_to_qwen_patches() -> None:
    frames = np.zeros((2, 480, 832, 3), np.uint8)
    fitted = fit_pixels(frames, 448 * 448)
    h, w = fitted.shape[1:3]
    assert h % 28 == 0 and w % 28 == 0 and h * w <= 448 * 448 and w > h


def test_every_template_fills_from_suite_metadata() -> None:
    suite = load_suite("wanbench")
    for prompt in suite.prompts:
        if "spatial_position" in prompt.dimensions:
            s = prompt.spatial
            questions("spatial_position", subject=s.subject, object=s.object, relation=s.relation)
        if "action_following" in prompt.dimensions:
            questions("action_following", subject=prompt.subject.name if prompt.subject else "x", action=prompt.action)
        if "stylization" in prompt.dimensions:
            questions("stylization", style=prompt.style)
    assert templates()["version"]


# --- local judge end to end ----------------------------------------------------------------------

def judge_suite(tmp_path: Path) -> Path:
    rows = [
        {"id": "phys", "text": "a ball bounces", "dimensions": ["physical_plausibility", "smoothness"]},
        {"id": "style", "text": "a city in watercolor", "dimensions": ["stylization"], "style": "watercolor painting"},
        {"id": "one", "text": "a red ball", "dimensions": ["single_object"], "objects": [{"name": "red ball"}]},
        {"id": "two", "text": "two cats", "dimensions": ["multiple_object"], "objects": [{"name": "cat", "count": 2}]},
        {"id": "space", "text": "a cup left of a vase", "dimensions": ["spatial_position"],
         "spatial": {"subject": "cup", "relation": "left_of", "object": "vase"}, "objects": [{"name": "cup"}]},
        {"id": "act", "text": "a dog jumps", "dimensions": ["action_following"], "action": "jumping",
         "subject": {"name": "dog", "kind": "animal"}},
        {"id": "aerial", "text": "aerial view of a coast", "dimensions": ["camera_control"], "camera": "aerial"},
        {"id": "pan", "text": "the camera pans left", "dimensions": ["camera_control"], "camera": "pan_left"},
    ]
    return write_suite(tmp_path / "judge.jsonl", rows)


def results(run: Path) -> dict[tuple[str, str], dict]:
    with ResultStore(run / "results.sqlite") as store:
        return {(r["prompt_id"], r["dimension"]): r for r in store.results()}


def test_local_judge_scores_every_judge_dimension_and_a_rerun_asks_nothing(judge_home, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(judge_home))
    suite = judge_suite(tmp_path)
    options = judge_options(tmp_path)
    first = run_eval(EvalConfig(model="procedural", suite=str(suite), out=tmp_path / "a", model_options=SMALL,
                                dimensions=JUDGE_DIMS, backbone_options=options))
    assert first.errors == 0 and first.missing == 0 and first.ok == 9
    got = results(tmp_path / "a")
    for (prompt_id, dim), row in got.items():
        assert 0.0 <= row["value"] <= 1.0
    assert "judge local:qwen2_vl:qwen2-vl-2b" in got[("aerial", "camera_control")]["backend"]
    assert json.loads(got[("aerial", "camera_control")]["details"])["method"] == "judge"
    assert json.loads(got[("pan", "camera_control")]["details"])["method"] == "flow"
    assert "expected_counts" in json.loads(got[("two", "multiple_object")]["details"])

    # same videos, same cache: identical values, and the judge is never called
    from wanbench.backbones import vlm

    def refuse(self, queries):
        raise AssertionError(f"asked the judge again: {[q.question for q in queries]}")

    monkeypatch.setattr(vlm.LocalQwenJudge, "answer", refuse)
    run_eval(EvalConfig(model="procedural", suite=str(suite), out=tmp_path / "b", model_options=SMALL,
                        dimensions=JUDGE_DIMS, backbone_options=options))
    again = results(tmp_path / "b")
    assert {k: r["value"] for k, r in again.items()} == {k: r["value"] for k, r in got.items()}


def test_judge_batched_equals_one_at_a_time(judge_home, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(judge_home))
    video = tiny_video(pan_clip(2.0, frames=8))
    asked = ["Is the motion smooth?", "Is there a dog?", "Is it raining?"]
    one = VLMBackbone(weights="qwen2-vl-2b", settings=SETTINGS, batch=1, cache_path=tmp_path / "a.sqlite")
    many = VLMBackbone(weights="qwen2-vl-2b", settings=SETTINGS, batch=3, cache_path=tmp_path / "b.sqlite")
    a, b = one.compute(video).ask_clip(asked), many.compute(video).ask_clip(asked)
    assert np.allclose(a, b, atol=1e-4)


def test_missing_judge_makes_judge_dimensions_missing(tmp_path) -> None:
    summary = run_eval(EvalConfig(model="procedural", suite=str(judge_suite(tmp_path)), out=tmp_path / "run",
                                  model_options=SMALL, dimensions=JUDGE_DIMS))
    got = results(tmp_path / "run")
    assert summary.missing == 8 and got[("pan", "camera_control")]["status"] == "ok"  # the flow half still runs
    assert "wanbench weights fetch qwen2-vl-7b" in got[("phys", "smoothness")]["error"]


def test_human_artifacts_judge_backend_is_recorded(judge_home, tmp_path, monkeypatch) -> None:
    from wanbench.backbones.artifacts import ArtifactBackbone
    from wanbench.dims.registry import get_dimension
    from wanbench.suite import Prompt

    monkeypatch.setenv("WANBENCH_HOME", str(judge_home))
    video = tiny_video(pan_clip(2.0, frames=8))
    cache = FeatureCache(video, {"artifacts": ArtifactBackbone(backend="judge"),
                                 "vlm": VLMBackbone(**judge_options(tmp_path)["vlm"])})
    prompt = Prompt(id="h", text="a man", dimensions=("human_artifacts",), has_human=True)
    score = get_dimension("human_artifacts").score(video, prompt, cache)
    assert score.backend.startswith("artifacts/judge") and 0.0 <= score.value <= 1.0


# --- remote judge against a fake OpenAI-compatible server ----------------------------------------

class FakeServer:
    """Answers chat completions with fixed top logprobs; fails the first ``fail_first`` requests."""

    def __init__(self, fail_first: int = 0) -> None:
        server = self
        self.requests: list[dict] = []
        self.fail_first = fail_first

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                if len(server.requests) <= server.fail_first:
                    self.send_response(503)
                    self.end_headers()
                    return
                counting = "How many" in body["messages"][0]["content"][-1]["text"]
                top = ([{"token": "2", "logprob": math.log(0.8)}, {"token": "3", "logprob": math.log(0.2)}] if counting
                       else [{"token": "Yes", "logprob": math.log(0.3)}, {"token": "No", "logprob": math.log(0.6)}])
                reply = {"choices": [{"logprobs": {"content": [{"token": top[0]["token"], "top_logprobs": top}]}}]}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_remote_judge_reads_logprobs_and_retries(tmp_path) -> None:
    server = FakeServer(fail_first=2)
    try:
        backbone = VLMBackbone(judge="remote", url=server.url, model="qwen2-vl", settings=SETTINGS,
                               cache_path=tmp_path / "c.sqlite", backoff=0.01)
        video = backbone.compute(tiny_video(pan_clip(2.0, frames=8)))
        assert video.ask_clip(["Is it smooth?"])[0] == pytest.approx(1 / 3)
        counts = video.ask_frames(["How many cats are in this image?"], kind="count")[0]
        assert counts[0][2] == pytest.approx(0.8)
        first = server.requests[-1]
        assert first["logprobs"] is True and first["max_tokens"] == 1
        assert first["messages"][0]["content"][0]["image_url"]["url"].startswith("data:image/jpeg;base64,")
        assert "remote:qwen2-vl" in backbone.backend()
    finally:
        server.close()


def test_absent_remote_server_is_one_clear_line() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    judge = RemoteJudge(f"http://127.0.0.1:{port}/v1", "m", SETTINGS, timeout=2, retries=1, backoff=0.01)
    with pytest.raises(BackboneUnavailable) as info:
        judge.answer([Query((np.zeros((56, 56, 3), np.uint8),), "Is it?")])
    assert "not reachable after 2 tries" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(BackboneUnavailable):  # remembered: no second round of retries
        judge.answer([Query((np.zeros((56, 56, 3), np.uint8),), "Is it?")])


@pytest.mark.parametrize("family", ["qwen2-vl", "qwen2.5-vl"])
def test_questions_sharing_a_prefix_match_full_forwards(family, tmp_path, monkeypatch) -> None:
    """The cached-prefix path continues M-RoPE positions and padding exactly as one full forward would."""
    from wanbench.backbones.tiny import install_tiny_judge

    install_tiny_judge(tmp_path, "qwen2-vl-2b", family=family)
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))
    video = tiny_video(pan_clip(2.0, frames=8))
    asked = ["Is the motion smooth?", "Is there a dog?", "Does anything pass through a solid object?"]
    shared_calls = []
    original = LocalQwenJudge._answer_sharing_prefix
    monkeypatch.setattr(LocalQwenJudge, "_answer_sharing_prefix",
                        lambda self, queries: shared_calls.append(len(queries)) or original(self, queries))
    answers = {}
    for share in (True, False):
        backbone = VLMBackbone(weights="qwen2-vl-2b", settings=SETTINGS, batch=2, share_prefix=share,
                               cache_path=tmp_path / f"{share}.sqlite")
        judge = backbone.compute(video)
        answers[share] = (judge.ask_clip(asked), judge.ask_clip(["How many dogs are there?"], kind="count"),
                          judge.ask_frames(asked[:2]))
    assert shared_calls == [3, 2, 2]  # the clip's three questions; each keyframe's two
    for shared, full in zip(answers[True], answers[False]):
        np.testing.assert_allclose(np.array(shared, dtype=float), np.array(full, dtype=float), atol=1e-6)


def test_qwen25_vl_loads_and_judges_through_the_same_path(tmp_path, monkeypatch) -> None:
    from wanbench.backbones.tiny import install_tiny_judge

    install_tiny_judge(tmp_path, "qwen2.5-vl-7b", family="qwen2.5-vl")
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))
    backbone = VLMBackbone(weights="qwen2.5-vl-7b", settings=SETTINGS, cache_path=tmp_path / "c.sqlite")
    answers = backbone.compute(tiny_video(pan_clip(2.0, frames=8))).ask_clip(["Is it smooth?", "Is it dark?"])
    assert all(0.0 < a < 1.0 for a in answers)
    assert "qwen2_5_vl" in backbone.backend()
