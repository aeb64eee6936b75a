"""Large motion and pixel stability on synthetic clips whose right answer is known."""

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import flicker_clip, frozen_clip, pan_clip, textured_canvas
from tests.flow_clips import camera_clip, with_crossing_object
from wanbench.backbones.base import FeatureCache
from wanbench.backbones.flow import DISFlow, pair_indices
from wanbench.benchmark.methods import row_method
from wanbench.dims.base import NotApplicable, NotScorable
from wanbench.dims.flow_dims import MIN_STATIC_SHARE, LargeMotion, PixelStability, static_masks
from wanbench.prompts.suite import prompt_from_dict
from wanbench.run.scoring import score_row
from wanbench.video import Video, read_video, write_video

PROMPT = prompt_from_dict({"id": "p", "text": "t", "dimensions": ["large_motion", "pixel_stability"]})


def scores(frames: np.ndarray, fps: float = 16.0) -> tuple[float, float | None]:
    cache = FeatureCache(Video(frames, fps=fps), {"flow": DISFlow()})
    motion = LargeMotion().score(cache.video, PROMPT, cache).value
    try:
        stability = PixelStability().score(cache.video, PROMPT, cache).value
    except NotScorable:
        stability = None
    return motion, stability


def test_frozen_clip_is_perfectly_stable_and_still() -> None:
    motion, stability = scores(frozen_clip())
    assert stability == 1.0
    assert motion < 0.01


def test_flicker_lowers_stability_monotonically() -> None:
    _, calm = scores(flicker_clip(2))
    _, strong = scores(flicker_clip(12))
    assert 1.0 > calm > strong
    assert strong < 0.9


def test_faster_pan_scores_more_motion() -> None:
    slow, _ = scores(pan_clip(1.0))
    fast, _ = scores(pan_clip(4.0))
    assert 0.05 < slow < fast < 1.0


def test_unrelated_frames_are_not_large_motion() -> None:
    """Every frame a new texture: flow still finds displacements, but none of them track."""
    noise = np.stack([textured_canvas(96, 128, seed=t) for t in range(12)])
    cache = FeatureCache(Video(noise, fps=16), {"flow": DISFlow()})
    score = LargeMotion().score(cache.video, PROMPT, cache)
    pan = FeatureCache(Video(pan_clip(4.0), fps=16), {"flow": DISFlow()})
    panned = LargeMotion().score(pan.video, PROMPT, pan)
    assert score.details["untracked_diagonals_per_second"] > score.details["diagonals_per_second"]
    assert score.details["tracked_share"] < 0.3 < 0.9 < panned.details["tracked_share"]
    assert score.value < 0.5 * panned.value


def test_motion_is_per_second_so_frame_rate_counts() -> None:
    at_8, _ = scores(pan_clip(2.0), fps=8)
    at_24, _ = scores(pan_clip(2.0), fps=24)
    assert at_24 > at_8


def test_whole_frame_motion_has_no_static_region() -> None:
    cache = FeatureCache(Video(pan_clip(3.0), fps=16), {"flow": DISFlow()})
    with pytest.raises(NotScorable, match="no static region"):
        PixelStability().score(cache.video, PROMPT, cache)


def test_moving_object_over_still_background_stays_stable() -> None:
    frames = frozen_clip(frames=12).copy()
    for t in range(12):  # a white square crossing the frame: a real motion, not an instability
        frames[t, 30:50, 10 + 6 * t : 30 + 6 * t] = 255
    motion, stability = scores(frames)
    assert stability > 0.97
    assert motion > scores(frozen_clip())[0]


def test_flow_is_computed_once_and_shared() -> None:
    calls = []

    class CountingFlow(DISFlow):
        def compute(self, video):
            calls.append(1)
            return super().compute(video)

    cache = FeatureCache(Video(frozen_clip(), fps=16), {"flow": CountingFlow()})
    LargeMotion().score(cache.video, PROMPT, cache)
    PixelStability().score(cache.video, PROMPT, cache)
    assert len(calls) == 1


def test_pan_direction_signs_in_flow() -> None:
    flow = DISFlow().compute(Video(pan_clip(3.0), fps=16))
    dx, dy = flow.forward.mean(axis=(0, 1, 2))
    assert dx == pytest.approx(3.0, abs=0.5) and abs(dy) < 0.3
    bx, _ = flow.backward.mean(axis=(0, 1, 2))
    assert bx == pytest.approx(-3.0, abs=0.5)


def test_pairs_are_capped_and_spread() -> None:
    assert pair_indices(10, 48).tolist() == list(range(9))
    picked = pair_indices(200, 10)
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] == 198


def test_scores_survive_an_mp4_roundtrip(tmp_path: Path) -> None:
    video = read_video(write_video(tmp_path / "still.mp4", frozen_clip(), fps=16))
    cache = FeatureCache(video, {"flow": DISFlow()})
    assert PixelStability().score(video, PROMPT, cache).value > 0.99


FORWARD_ONLY = {"backward": False, "max_pairs": 4}  # RAFT's defaults: no backward pass, 4 pairs


def forward_only_scores(frames: np.ndarray) -> tuple:
    cache = FeatureCache(Video(frames, fps=16), {"flow": DISFlow(**FORWARD_ONLY)})
    assert cache.get("flow").backward is None
    motion = LargeMotion().score(cache.video, PROMPT, cache)
    try:
        stability = PixelStability().score(cache.video, PROMPT, cache).value
    except NotScorable:
        stability = None
    return motion, stability


def test_forward_only_flow_keeps_the_known_answers() -> None:
    """Without backward flow the photometric window check replaces forward-backward consistency:
    frozen clips stay perfectly stable, flicker still costs stability, faster pans score more, and
    unrelated noise frames still do not track while a pan does."""
    frozen_motion, frozen_stability = forward_only_scores(frozen_clip())
    assert frozen_stability == 1.0 and frozen_motion.value < 0.01
    _, calm = forward_only_scores(flicker_clip(2))
    _, strong = forward_only_scores(flicker_clip(12))
    assert 1.0 > calm > strong and strong < 0.9
    slow, _ = forward_only_scores(pan_clip(1.0))
    fast, _ = forward_only_scores(pan_clip(4.0))
    assert 0.05 < slow.value < fast.value < 1.0
    noise, _ = forward_only_scores(np.stack([textured_canvas(96, 128, seed=t) for t in range(12)]))
    assert noise.details["tracked_share"] < 0.3 < 0.9 < fast.details["tracked_share"]
    assert noise.value < 0.5 * fast.value


def test_flow_field_caches_its_masks() -> None:
    field = DISFlow().compute(Video(pan_clip(2.0), fps=16))
    assert field.tracked() is field.tracked() and field.magnitude() is field.magnitude()


# --- Pixel Stability: static means a still camera, and enough of it ---------------------------------


@pytest.mark.parametrize("flow", [DISFlow(), DISFlow(**FORWARD_ONLY), DISFlow(backward=False, span_seconds=0.5)])
@pytest.mark.parametrize("rate", [0.008, 0.012])
def test_a_zoom_has_no_static_region_even_where_its_flow_is_small(flow: DISFlow, rate: float) -> None:
    """Near a zoom's centre pixels move under 0.5 px a frame though their content grows: v1 scored
    such clips 0.64-0.97; a zooming camera has no static content. (0.8% a frame moves the mean radius
    of a 128 px frame 0.4 px a frame; a zoom under the camera classifier's 0.25 px is a still camera.)"""
    cache = FeatureCache(Video(camera_clip("astronaut", "zoom_in", rate, frames=17, size=128), fps=16), {"flow": flow})
    if (
        cache.get("flow").span == 1
    ).all():  # consecutive pairs: some have the low-flow area v1 took for a static region
        assert (static_masks(cache.get("flow")).mean(axis=(1, 2)) >= MIN_STATIC_SHARE).any()
    with pytest.raises(NotApplicable, match="camera moves"):
        PixelStability().score(cache.video, PROMPT, cache)


def test_one_still_pair_in_a_pan_is_not_enough_evidence() -> None:
    """Still over the first interval, then a pan: 1 of 32 pairs is static (v1 scored such a pan
    from one pair); the static pixels must cover 5% of the clip's pixel-intervals."""
    clip = camera_clip("coffee", "pan_left", 2.0, frames=33, size=128, burst=(1, 32))
    cache = FeatureCache(Video(clip, fps=16), {"flow": DISFlow()})
    with pytest.raises(NotApplicable, match=r"static pixels cover 3\.\d% of the clip"):
        PixelStability().score(cache.video, PROMPT, cache)
    still = camera_clip("coffee", "pan_left", 2.0, frames=33, size=128, burst=(4, 32))  # 4 of 32: 12%
    cache = FeatureCache(Video(still, fps=16), {"flow": DISFlow()})
    score = PixelStability().score(cache.video, PROMPT, cache)
    assert score.value > 0.95 and score.details["pairs_used"] == 4 and score.details["static_evidence"] > 0.1


def test_a_not_applicable_row_names_the_flow_that_found_nothing() -> None:
    cache = FeatureCache(Video(pan_clip(3.0), fps=16), {"flow": DISFlow()})
    status, score, message, backend = score_row(PixelStability(), cache.video, PROMPT, cache)
    assert status.value == "not_applicable" and score is None and "no static region" in message
    assert backend.startswith("opencv-dis") and row_method("pixel_stability", backend) == "DIS"


def test_a_static_camera_with_a_crossing_object_keeps_its_static_region() -> None:
    still = camera_clip("chelsea", "static", 0.0, frames=17, size=128)
    cache = FeatureCache(Video(with_crossing_object(still, "rocket", side=0.35), fps=16), {"flow": DISFlow()})
    score = PixelStability().score(cache.video, PROMPT, cache)
    assert score.value > 0.97 and score.details["pairs_camera_moving"] == 0
