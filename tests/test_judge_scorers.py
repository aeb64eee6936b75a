"""Scorers that say what they need: Camera Control ready on flow alone, Human Artifacts by the judge as
its own method and version, ID Consistency cropping only the asked subject."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import pan_clip, tiny_video
from wanbench.backbones.base import FeatureCache
from wanbench.backbones.detector import Detection
from wanbench.dims.registry import get_dimension
from wanbench.dims.subjects import coco_class
from wanbench.prompts.suite import Prompt, Subject
from wanbench.run.runner import build_backbones


def test_camera_control_is_ready_on_flow_alone_and_names_what_the_judge_half_lacks() -> None:
    from typer.testing import CliRunner

    from wanbench.cli import app

    result = CliRunner().invoke(app, ["dims", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    camera = rows["camera_control"]
    assert camera["ready"] and "aerial and tracking prompts missing" in camera["partly_missing"]
    assert "qwen2-vl-7b" in camera["partly_missing"] and not rows["smoothness"]["ready"]


def test_human_artifacts_by_judge_is_its_own_method_and_version(tmp_path, monkeypatch) -> None:
    from tests.tiny_backbones import install_tiny_judge
    from wanbench.backbones.vlm import JudgeSettings, VLMBackbone

    detector = get_dimension("human_artifacts")
    judged = get_dimension("human_artifacts", backbone_options={"artifacts": {"backend": "judge"}})
    assert type(get_dimension("human_artifacts", backbone_options={"artifacts": {"backend": "yolo"}})) is type(detector)
    assert judged.name == detector.name and judged.version != detector.version and judged.version.startswith("j")
    assert judged.needs == ("vlm",) and "vlm" not in detector.needs
    assert set(build_backbones([judged])) == {"vlm"}  # no artifact detector is built for the judge method

    install_tiny_judge(tmp_path, "qwen2-vl-2b")
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))
    video = tiny_video(pan_clip(2.0, frames=8))
    vlm = VLMBackbone(
        weights="qwen2-vl-2b",
        settings=JudgeSettings(frames=4, keyframes=2, max_pixels=112 * 112),
        cache_path=tmp_path / "c.sqlite",
    )
    prompt = Prompt(id="h", text="a man", dimensions=("human_artifacts",), has_human=True)
    score = judged.score(video, prompt, FeatureCache(video, {"vlm": vlm}))
    assert score.details["method"] == "judge" and 0.0 < score.value < 1.0
    assert score.value == pytest.approx(1.0 - score.details["p_deformed"])


@pytest.mark.parametrize(
    "name,kind,expected",
    [
        ("red sports car", "object", "car"),
        ("teddy bear", "object", "teddy bear"),
        ("brown horses", "animal", "horse"),
        ("golden retriever puppy", "animal", "dog"),
        ("old fisherman", "human", "person"),
        ("lion", "animal", None),
        ("desk lamp", "object", None),
    ],
)
def test_the_asked_subject_maps_to_a_detector_class_or_to_none(name, kind, expected) -> None:
    assert coco_class(Subject(name, kind)) == expected


@pytest.fixture(scope="module")
def dino(tmp_path_factory):
    from tests.tiny_backbones import install_tiny_weights
    from wanbench.backbones.dino import DinoBackbone

    home = tmp_path_factory.mktemp("dino-home")
    install_tiny_weights(home, which=("dino-vitb16",))
    mp = pytest.MonkeyPatch()
    mp.setenv("WANBENCH_HOME", str(home))
    backbone = DinoBackbone(detector_weights=None)
    backbone._load()
    yield backbone
    mp.undo()


def scored(dino, subject: Subject, detections: list[Detection]) -> tuple[dict, list[tuple[int, int]]]:
    """ID Consistency details for a clip with the given detections, and the sizes of the crops embedded."""
    from wanbench.backbones.dino import DinoFeatures

    video = tiny_video(pan_clip(1.0, frames=4, height=96, width=128))
    index = np.arange(4)
    features = DinoFeatures(dino.embed(list(video.frames)), index, video.frames, tuple(detections), True)
    embedded: list[tuple[int, int]] = []
    original = dino.embed
    dino.embed = lambda images: embedded.extend(im.shape[:2] for im in images) or original(images)
    cache = FeatureCache(video, {"dino": dino})
    cache._values["dino"] = features  # the detections of this test, not of a detector's random weights
    try:
        prompt = Prompt(id="p", text="x", dimensions=("id_consistency",), subject=subject)
        return get_dimension("id_consistency").score(video, prompt, cache).details, embedded
    finally:
        del dino.embed


def test_id_consistency_crops_the_asked_object_and_never_an_unrelated_subject(dino) -> None:
    person = [Detection(f, (0, 0, 40, 90), 0.9, 0, "person") for f in range(4)]
    car = [Detection(f, (60, 40, 120, 80), 0.6, 2, "car") for f in range(4)]
    details, crops = scored(dino, Subject("red car", "object"), person + car)
    assert details["method"] == "subject crop" and details["subject_detected"] == "car"
    assert details["cropped_frames"] == 4 and set(crops) == {(48, 72)}  # the car's box grown by 10% per side
    details, crops = scored(dino, Subject("red car", "object"), person)  # only a person in frame
    assert details["method"] == "whole frame" and details["whole_frame_reason"] == "no car detected" and not crops
    details, crops = scored(dino, Subject("lion", "animal"), person + car)
    assert details["method"] == "whole frame" and "no detector class" in details["whole_frame_reason"] and not crops
    details, _ = scored(dino, Subject("woman", "human"), person + car)
    assert details["subject_detected"] == "person" and details["subdimension"] == "human"
