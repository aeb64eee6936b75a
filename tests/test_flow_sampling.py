"""Flow sampling without blind spots: pairs tile the clip, so motion anywhere is seen and scored.

The former sampling (4 consecutive pairs spread at fixed places) scored a still clip with a burst of
motion between its pairs 0.000 Large Motion. Here a burst is put everywhere in an otherwise still
clip of a real photo; the fast sampling (RAFT's default: pairs of up to 0.5 s) must score it as all
consecutive pairs do. DIS stands in for RAFT (the same sampling code; RAFT has only random weights
here), forward only as RAFT's defaults run.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from tests.flow_clips import camera_clip
from wanbench.backbones.base import FeatureCache
from wanbench.backbones.flow import DISFlow, RAFTFlow, pair_spans, span_frames
from wanbench.benchmark.flow_settings import flow_settings_tag
from wanbench.dims.camera import CameraControl, PairMotion, classify_video, majority_label
from wanbench.dims.flow_dims import LargeMotion
from wanbench.dims.registry import get_dimension
from wanbench.prompts.suite import prompt_from_dict
from wanbench.run.options import flow_options
from wanbench.video import Video

FPS = 16.0
RAFT_SPAN = inspect.signature(RAFTFlow).parameters["span_seconds"].default
FAST = DISFlow(backward=False, span_seconds=RAFT_SPAN)  # RAFT's default sampling
ALL = DISFlow(backward=False, max_pairs=10_000)  # every consecutive pair


@pytest.mark.parametrize("frames", [2, 9, 17, 33, 81, 200])
@pytest.mark.parametrize("max_pairs,max_span", [(48, 1), (48, 8), (4, 8), (3, 1), (1, 1)])
def test_pairs_tile_the_clip(frames: int, max_pairs: int, max_span: int) -> None:
    starts, ends = pair_spans(frames, max_pairs, max_span)
    assert starts[0] == 0 and ends[-1] == frames - 1 and (starts[1:] == ends[:-1]).all()
    spans = ends - starts
    assert spans.min() >= 1 and spans.max() - spans.min() <= 1 and len(starts) <= max_pairs
    if len(starts) < max_pairs:  # the cap does not bind: spans keep to the limit, with as few pairs as that allows
        assert spans.max() <= max_span and len(starts) == int(np.ceil((frames - 1) / max_span))
    covered = np.zeros(frames - 1, int)
    for a, b in zip(starts, ends):
        covered[a:b] += 1
    assert (covered == 1).all()  # every interval in exactly one pair


def test_raft_default_sampling_is_half_second_pairs() -> None:
    assert span_frames(RAFT_SPAN, 16) == 8 and span_frames(RAFT_SPAN, 24) == 12 and span_frames(0.0, 16) == 1
    starts, ends = pair_spans(33, 48, span_frames(RAFT_SPAN, 16))
    assert starts.tolist() == [0, 8, 16, 24] and ends.tolist() == [8, 16, 24, 32]


def dims(frames: np.ndarray, flow, camera: str) -> tuple[float, float, str]:
    cache = FeatureCache(Video(frames, fps=FPS), {"flow": flow})
    prompt = prompt_from_dict({"id": "p", "text": "t", "dimensions": ["camera_control"], "camera": camera})
    motion = LargeMotion().score(cache.video, prompt, cache).value
    camera_score = CameraControl().score(cache.video, prompt, cache).value
    return motion, camera_score, classify_video(cache.get("flow"))[0]


@pytest.mark.parametrize("move,speed", [("pan_left", 2.0), ("lift_up", 2.0), ("zoom_in", 0.02)])
@pytest.mark.parametrize("burst", [(1, 7), (5, 13), (12, 20), (14, 18), (21, 30), (25, 32)])
def test_a_burst_anywhere_scores_as_all_pairs_do(move: str, speed: float, burst: tuple[int, int]) -> None:
    clip = camera_clip("astronaut", move, speed, frames=33, size=128, burst=burst)
    fast, every = dims(clip, FAST, move), dims(clip, ALL, move)
    assert len(FAST.compute(Video(clip, fps=FPS)).forward) == 4  # a quarter of the fields at most
    assert every[0] > 0.04  # the burst is real motion
    assert fast[0] == pytest.approx(every[0], abs=0.05)  # Large Motion
    assert fast[1] == pytest.approx(every[1], abs=0.05)  # Camera Control: the share of moving intervals
    assert fast[1] == pytest.approx((burst[1] - burst[0]) / 32, abs=0.05)


def test_the_camera_label_does_not_depend_on_where_a_short_move_falls() -> None:
    shares, labels = [], set()
    for start in range(0, 33 - 7):
        clip = camera_clip("coffee", "pan_left", 2.0, frames=33, size=128, burst=(start, start + 6))
        _, share, label = dims(clip, FAST, "pan_left")
        shares.append(share)
        labels.add(label)
    assert labels == {"static"}  # 6 of 32 intervals move, wherever they are
    assert max(shares) - min(shares) <= 2 / 32 and np.mean(shares) == pytest.approx(6 / 32, abs=1 / 32)


def test_a_half_moving_clip_is_not_labelled_by_whichever_half_comes_first() -> None:
    pan, still = PairMotion("pan_left", (1.0, 0.0), 0.0), PairMotion("static", (0.0, 0.0), 0.0)
    assert majority_label([pan, pan, still, still]) == majority_label([still, still, pan, pan]) == "pan_left"
    zoom = PairMotion("zoom_in", (0.0, 0.0), 2.0)
    assert majority_label([pan, zoom]) == majority_label([zoom, pan]) == "zoom_in"  # more motion wins the tie
    for first_move in (0, 16):  # the same 16-frame move early or late in a 33-frame clip
        clip = camera_clip("chelsea", "pan_right", 2.0, frames=33, size=128, burst=(first_move, first_move + 16))
        assert dims(clip, FAST, "pan_right")[2] == "pan_right"


def test_flow_sampling_settings_come_from_the_cli_option_family_and_change_the_version() -> None:
    options = flow_options(["span_seconds=0.25", "max_pairs=8", "backward=false"])
    assert options == {"flow": {"span_seconds": 0.25, "max_pairs": 8, "backward": False}}
    assert flow_options(None) == {} and flow_options([]) == {}
    dim = get_dimension("large_motion")
    assert dim.configured(options).version != dim.version
    assert flow_settings_tag(options) != flow_settings_tag({"flow-raft": {"span_seconds": 0.5}}) == flow_settings_tag()
    with pytest.raises(ValueError, match="no flow setting 'span_second'; did you mean span_seconds"):
        flow_options(["span_second=1"])
    with pytest.raises(ValueError, match="KEY=VALUE"):
        flow_options(["span_seconds"])


def test_the_cli_flow_option_reaches_the_flow_and_the_stored_version(tmp_path, tiny_suite) -> None:
    from typer.testing import CliRunner

    from wanbench.cli import app
    from wanbench.run.store import ResultStore

    out = tmp_path / "run"
    small = ["--option", "width=64", "--option", "height=48", "--option", "frames=9", "--flow", "dis", "-q"]
    common = ["eval", "--model", "procedural", "--suite", str(tiny_suite), "--dims", "large_motion", *small]
    done = CliRunner().invoke(app, [*common, "--out", str(out), "--flow-option", "span_seconds=0.25"])
    assert done.exit_code == 0, done.output
    with ResultStore(out / "results.sqlite") as store:
        rows = store.results()
    options = {"flow": {"span_seconds": 0.25}}
    assert rows and {r["metric_version"] for r in rows} == {get_dimension("large_motion").configured(options).version}
    assert all("tiles<=0.25s" in r["backend"] for r in rows)  # 4-frame pairs at 16 fps reached DIS
    for bad, says in (("span_second=1", "no flow setting 'span_second'"), ("span_seconds", "KEY=VALUE")):
        failed = CliRunner().invoke(app, [*common, "--out", str(tmp_path / "bad"), "--flow-option", bad])
        assert failed.exit_code == 2 and says in failed.output and not (tmp_path / "bad" / "results.sqlite").exists()
