"""Vision backbones and their dimensions, on tiny random weights loaded through the weights registry."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import pan_clip, tiny_video
from wanbench.backbones.base import BACKBONES, BackboneUnavailable, FeatureCache
from wanbench.backbones.detector import Detection
from wanbench.backbones.dino import crop, subject_boxes
from wanbench.backbones.flow import pair_spans, span_frames
from wanbench.dims.base import NotScorable
from wanbench.dims.registry import get_dimension
from wanbench.dims.vision_dims import frame_consistency
from wanbench.model_weights import WEIGHTS, WeightsError, WeightSpec, fetch, require, weights_status
from wanbench.prompts.suite import Prompt

PROMPT = Prompt(id="p1", text="a red ball rolls across a wooden table", dimensions=("scene_quality",))


@pytest.fixture
def vision_home(tiny_vision_home, monkeypatch):
    home, options = tiny_vision_home
    monkeypatch.setenv("WANBENCH_HOME", str(home))
    return home, options


def make(name: str, options: dict):
    return BACKBONES.get(name)(**options.get(name, {}))


def shuffled(frames: np.ndarray, seed: int = 3) -> np.ndarray:
    order = np.random.default_rng(seed).permutation(len(frames))
    return frames[order]


# --- weights registry --------------------------------------------------------------------------


def test_every_vision_backbone_has_registry_entries_with_a_source_and_licence() -> None:
    for name in (
        "raft-large",
        "dino-vitb16",
        "clip-vit-l-14",
        "laion-aesthetic",
        "musiq-koniq",
        "maniqa-koniq",
        "yolo-coco",
        "yolo-artifacts",
    ):
        spec = WEIGHTS.get(name)
        assert spec.files and spec.licence and spec.used_by


def test_missing_weights_say_where_they_were_looked_for_and_how_to_fetch() -> None:
    status = weights_status("dino-vitb16")
    assert status.state == "missing"
    with pytest.raises(WeightsError) as info:
        require("dino-vitb16")
    message = str(info.value)
    assert "\n" not in message and "model.safetensors" in message and "wanbench weights fetch dino-vitb16" in message


def test_checksums_are_checked_and_the_verdict_remembered(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))
    folder = tmp_path / "weights" / "pinned-test"
    folder.mkdir(parents=True)
    (folder / "a.bin").write_bytes(b"hello")
    good = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"  # sha256("hello")
    spec = WeightSpec(
        name="pinned-test", description="", used_by="", files=("a.bin",), licence="x", sha256={"a.bin": good}
    )
    assert weights_status(spec).state == "present"
    assert (folder / "a.bin.sha256-ok").is_file()
    (folder / "a.bin").write_bytes(b"hellO")
    assert weights_status(spec).state == "checksum-failed"


def test_fetch_without_a_network_fails_with_one_line() -> None:
    with pytest.raises(WeightsError) as info:
        fetch("dino-vitb16")
    message = str(info.value)
    assert "\n" not in message and message.startswith(
        "cannot fetch config.json from huggingface.co/facebook/dino-vitb16"
    )


def test_weights_status_cli_lists_every_entry(vision_home) -> None:
    from typer.testing import CliRunner

    from wanbench.cli import app

    result = CliRunner().invoke(app, ["weights", "status", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows["dino-vitb16"]["state"] == "unverified"
    assert rows["yolo-artifacts"]["state"] == "missing"


# --- backbones through the registry ------------------------------------------------------------


def test_missing_weights_make_vision_dimensions_missing_with_the_reason() -> None:
    video = tiny_video(pan_clip(2.0))
    for dim_name in ("id_consistency", "scene_quality", "image_quality"):  # dino, clip, iqa
        dim = get_dimension(dim_name)
        cache = FeatureCache(video, {name: make(name, {}) for name in dim.needs})
        with pytest.raises(BackboneUnavailable) as info:
            dim.score(video, PROMPT, cache)
        assert "wanbench weights fetch" in str(info.value)


def test_flow_falls_back_to_dis_without_raft_weights_and_says_so() -> None:
    flow = make("flow", {})
    assert "opencv-dis" in flow.backend() and "fallback" in flow.backend()
    with pytest.raises(BackboneUnavailable):
        make("flow-raft", {}).check()


def test_raft_loads_from_the_registry_and_returns_forward_and_backward_flow(vision_home) -> None:
    _, options = vision_home
    flow = BACKBONES.get("flow-raft")(max_side=128, max_pairs=3, iterations=2, backward=True, **options["flow-raft"])
    field = flow.compute(tiny_video(pan_clip(2.0, frames=8, height=48, width=64)))
    starts, _ = pair_spans(8, 3, span_frames(flow.span_seconds, 8.0))  # pairs that tile the 8 frames
    assert field.forward.shape == field.backward.shape == (len(starts), 128, 168, 2)  # upscaled to RAFT's minimum
    assert np.isfinite(field.forward).all()
    assert "raft_large" in flow.backend()
    assert "raft_large" in make("flow", options).backend()  # auto picks RAFT once its weights exist


def test_dino_features_are_deterministic_and_shuffling_lowers_id_consistency(vision_home) -> None:
    _, options = vision_home
    dino = make("dino", options)
    frames = pan_clip(3.0, frames=16)
    one, two = dino.compute(tiny_video(frames)), dino.compute(tiny_video(frames))
    np.testing.assert_array_equal(one.features, two.features)
    assert np.allclose(np.linalg.norm(one.features, axis=1), 1.0, atol=1e-5)
    ordered = frame_consistency(one.features).mean()
    mixed = frame_consistency(dino.compute(tiny_video(shuffled(frames))).features).mean()
    assert ordered > mixed


def test_id_consistency_records_its_subdimension(vision_home) -> None:
    from wanbench.prompts.suite import Subject

    _, options = vision_home
    prompt = Prompt(id="p", text="a dog runs", dimensions=("id_consistency",), subject=Subject("dog", "animal"))
    video = tiny_video(pan_clip(2.0))
    score = get_dimension("id_consistency").score(video, prompt, FeatureCache(video, {"dino": make("dino", options)}))
    assert score.details["subdimension"] == "animal" and 0.0 <= score.value <= 1.0
    assert "dino-vitb16" in score.backend


def test_scene_quality_prefers_ordered_frames_and_records_both_parts(vision_home) -> None:
    _, options = vision_home
    frames = pan_clip(3.0, frames=16)
    scores = {}
    for label, clip_frames in (("ordered", frames), ("shuffled", shuffled(frames))):
        video = tiny_video(clip_frames)
        cache = FeatureCache(video, {"clip": make("clip", options)})
        scores[label] = get_dimension("scene_quality").score(video, PROMPT, cache)
    assert scores["ordered"].details["consistency"] > scores["shuffled"].details["consistency"]
    assert set(scores["ordered"].details) >= {"consistency", "alignment", "mean_text_cosine"}


def test_loaded_backbones_name_the_modules_that_do_their_work(vision_home) -> None:
    _, options = vision_home
    video = tiny_video(pan_clip(2.0, frames=3, height=48, width=64))
    for name in ("flow-raft", "dino", "clip", "iqa"):
        backbone = make(name, options)
        assert backbone.torch_modules() == []  # nothing loaded yet
        backbone.compute(video)
        calls = []
        modules = backbone.torch_modules()
        for module in modules:
            module.register_forward_hook(lambda *_, seen=calls: seen.append(1))
        backbone.compute(video)
        assert modules and calls, name


def test_image_quality_shares_clip_and_reads_three_models(vision_home) -> None:
    _, options = vision_home
    video = tiny_video(pan_clip(2.0, frames=6, height=48, width=64))
    cache = FeatureCache(video, {"iqa": make("iqa", options), "clip": make("clip", options)})
    score = get_dimension("image_quality").score(video, PROMPT, cache)
    assert set(score.details["normalised"]) == {"musiq", "maniqa", "aesthetic"}
    assert score.value == pytest.approx(np.mean(list(score.details["normalised"].values())))
    assert "musiq-koniq" in score.backend and "laion-aesthetic" in score.backend
    before = cache.seconds["clip"]
    get_dimension("scene_quality").score(video, PROMPT, cache)  # clip features reused, not recomputed
    assert cache.seconds["clip"] == before


def test_aesthetic_head_keys_match_the_released_state_dict() -> None:
    from wanbench.backbones.iqa import AestheticHead

    keys = set(AestheticHead().state_dict())
    assert keys == {f"layers.{i}.{p}" for i in (0, 2, 4, 6, 7) for p in ("weight", "bias")}


# --- detector and subject crops ----------------------------------------------------------------


def test_detector_round_trips_through_safetensors(vision_home, tmp_path) -> None:
    from wanbench.backbones.detector import YoloDetector, save_detector

    folder = require("yolo-coco")["model.safetensors"].parent
    first = YoloDetector(folder, conf=0.0)
    save_detector(first.model, first.names, tmp_path / "copy", imgsz=64)
    second = YoloDetector(tmp_path / "copy", conf=0.0)
    frames = pan_clip(2.0, frames=2, height=48, width=64)
    a, b = first.detect(frames), second.detect(frames)
    assert len(a) == len(b) > 0
    assert all(np.allclose(x.box, y.box) and x.label == y.label for x, y in zip(a, b))


def test_subject_is_the_most_confident_class_and_its_best_box_per_frame() -> None:
    dets = [
        Detection(0, (0, 0, 10, 10), 0.9, 0, "person"),
        Detection(0, (5, 5, 20, 20), 0.95, 0, "person"),
        Detection(1, (1, 1, 9, 9), 0.6, 0, "person"),
        Detection(1, (0, 0, 30, 30), 0.99, 16, "dog"),
        Detection(1, (0, 0, 40, 40), 0.99, 2, "car"),
        Detection(0, (0, 0, 40, 40), 0.99, 2, "car"),
    ]  # not a subject
    subject, boxes = subject_boxes(dets, 2)
    assert subject == "person"
    assert boxes == {0: (5, 5, 20, 20), 1: (1, 1, 9, 9)}
    frame = np.zeros((40, 40, 3), np.uint8)
    assert crop(frame, (10, 10, 20, 30)).shape == (24, 12, 3)  # box grown by 10% on each side
    assert subject_boxes([], 2) == (None, {})


def test_frame_consistency_needs_two_frames() -> None:
    with pytest.raises(NotScorable):
        frame_consistency(np.ones((1, 4)))


def test_a_file_under_a_pinned_name_with_other_bytes_fails_the_checksum(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))
    (name,) = WEIGHTS.get("raft-large").files
    path = tmp_path / "weights" / "raft-large" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not the released RAFT weights")
    assert weights_status("raft-large").state == "checksum-failed"
    assert "fallback" in make("flow", {}).backend()  # auto flow refuses it and uses DIS
