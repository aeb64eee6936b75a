"""Human Artifacts: train a small YOLO on drawn "artifact" marks, then score videos with and without them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import textured_canvas, tiny_video, write_suite
from wanbench.backbones.artifact_detections import ArtifactBackbone, ArtifactDetections
from wanbench.backbones.base import BackboneUnavailable, FeatureCache
from wanbench.backbones.detector import Detection
from wanbench.cli import app
from wanbench.dims.human_artifacts import FULL_AREA, frame_severities
from wanbench.dims.registry import get_dimension
from wanbench.prompts.suite import Prompt
from wanbench.video import write_video

SIZE = 64
HUMAN = Prompt(id="h1", text="a woman waves at the camera", dimensions=("human_artifacts",), has_human=True)


def draw_mark(image: np.ndarray, x: int, y: int, side: int) -> tuple[float, float, float, float]:
    """A magenta square with a black cross: our stand-in for a deformed hand. Returns the YOLO box."""
    cv2.rectangle(image, (x, y), (x + side, y + side), (255, 0, 255), -1)
    cv2.line(image, (x, y), (x + side, y + side), (0, 0, 0), 2)
    cv2.line(image, (x + side, y), (x, y + side), (0, 0, 0), 2)
    h, w = image.shape[:2]
    return (x + side / 2) / w, (y + side / 2) / h, side / w, side / h


def synthetic_dataset(root: Path, train: int = 96, val: int = 8, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for split, count in (("train", train), ("val", val)):
        (root / "images" / split).mkdir(parents=True)
        (root / "labels" / split).mkdir(parents=True)
        for i in range(count):
            image = textured_canvas(SIZE, SIZE, seed=int(rng.integers(1_000_000)))
            lines = []
            if i % 4:  # a quarter of the images are clean negatives
                side = int(rng.integers(10, 18))
                box = draw_mark(image, int(rng.integers(0, SIZE - side)), int(rng.integers(0, SIZE - side)), side)
                lines.append("0 " + " ".join(f"{v:.4f}" for v in box))
            cv2.imwrite(str(root / "images" / split / f"{i}.png"), image[..., ::-1])
            (root / "labels" / split / f"{i}.txt").write_text("\n".join(lines))
    data = root / "data.yaml"
    data.write_text(f"path: {root}\ntrain: images/train\nval: images/val\nnames:\n  0: deformed_hand\n")
    return data


@pytest.fixture(scope="module")
def trained_detector(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trained through the CLI, as a user would (about a minute on 2 CPU cores)."""
    root = tmp_path_factory.mktemp("artifact-data")
    data = synthetic_dataset(root)
    out = root / "detector"
    result = CliRunner().invoke(
        app, ["artifacts", "train", "--data", str(data), "--epochs", "60", "--imgsz", str(SIZE), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "model.safetensors").is_file() and (out / "model.json").is_file()
    return out


def clip_with_marks(marked_frames: set[int], frames: int = 12) -> np.ndarray:
    base = textured_canvas(SIZE, SIZE, seed=424242)
    out = []
    for t in range(frames):
        image = base.copy()
        if t in marked_frames:
            draw_mark(image, 20 + t, 24, 14)
        out.append(image)
    return np.stack(out)


def score(detector: Path, frames: np.ndarray) -> float:
    video = tiny_video(frames)
    cache = FeatureCache(video, {"artifacts": ArtifactBackbone(path=detector, frames=12)})
    return get_dimension("human_artifacts").score(video, HUMAN, cache).value


def test_marked_videos_score_lower_the_longer_the_artifact_lasts(trained_detector: Path) -> None:
    clean = score(trained_detector, clip_with_marks(set()))
    half = score(trained_detector, clip_with_marks(set(range(0, 12, 2))))
    full = score(trained_detector, clip_with_marks(set(range(12))))
    assert clean > 0.9
    assert clean > half > full
    assert full < 0.5


def test_eval_scores_human_artifacts_with_the_given_weights(trained_detector: Path, tmp_path: Path) -> None:
    from wanbench.run.runner import EvalConfig, run_eval
    from wanbench.run.store import ResultStore

    videos = tmp_path / "videos"
    write_video(videos / "clean.mp4", clip_with_marks(set()), fps=8)
    write_video(videos / "marked.mp4", clip_with_marks(set(range(12))), fps=8)
    suite = write_suite(
        tmp_path / "s.jsonl",
        [
            {"id": pid, "text": "a man waves", "dimensions": ["human_artifacts"], "has_human": True}
            for pid in ("clean", "marked")
        ],
    )
    config = EvalConfig(
        model="folder",
        suite=str(suite),
        out=tmp_path / "run",
        model_options={"videos": videos},
        backbone_options={"artifacts": {"path": trained_detector}},
    )
    assert run_eval(config).exit_code == 0
    with ResultStore(tmp_path / "run" / "results.sqlite") as store:
        got = {r["prompt_id"]: r for r in store.results()}
    assert got["clean"]["value"] > got["marked"]["value"]
    assert "deformed_hand" in got["marked"]["backend"]


def test_without_weights_the_dimension_is_missing_with_the_way_to_get_them() -> None:
    video = tiny_video(clip_with_marks(set()))
    cache = FeatureCache(video, {"artifacts": ArtifactBackbone()})
    with pytest.raises(BackboneUnavailable) as info:
        get_dimension("human_artifacts").score(video, HUMAN, cache)
    assert "wanbench artifacts train" in str(info.value)


def test_judge_backend_without_a_judge_is_missing_with_the_judge_reason() -> None:
    from wanbench.backbones.vlm import VLMBackbone

    video = tiny_video(clip_with_marks(set()))
    cache = FeatureCache(video, {"vlm": VLMBackbone()})
    judged = get_dimension("human_artifacts", backbone_options={"artifacts": {"backend": "judge"}})
    with pytest.raises(BackboneUnavailable, match="VLM judge"):
        judged.score(video, HUMAN, cache)
    with pytest.raises(ValueError):
        ArtifactBackbone(backend="oracle")


def test_severity_weighs_likelihood_size_and_duration() -> None:
    area = 100.0 * 100.0
    full_side = (FULL_AREA * area) ** 0.5

    def found(dets, frames=4):
        return ArtifactDetections(np.arange(frames), area, dets)

    big = Detection(0, (0, 0, full_side, full_side), 0.8, 0, "deformed_hand")
    small = Detection(0, (0, 0, full_side / 2, full_side / 2), 0.8, 0, "deformed_hand")  # a quarter of the area
    assert frame_severities(found([big]))[0] == pytest.approx(0.8)
    assert frame_severities(found([small]))[0] == pytest.approx(0.4)
    two = frame_severities(found([big, Detection(0, big.box, 0.5, 1, "deformed_face")]))[0]
    assert two == pytest.approx(1 - 0.2 * 0.5)
    lasting = frame_severities(found([Detection(t, big.box, 0.8, 0, "x") for t in range(4)]))
    assert lasting.mean() == pytest.approx(0.8) and frame_severities(found([big])).mean() == pytest.approx(0.2)


def test_extract_writes_a_yolo_dataset_and_keeps_existing_labels(tmp_path: Path) -> None:
    videos = tmp_path / "videos"
    for i in range(3):
        write_video(videos / f"v{i}.mp4", clip_with_marks(set(), frames=6), fps=8)
    (videos / "broken.mp4").write_bytes(b"not a video")
    out = tmp_path / "dataset"
    result = CliRunner().invoke(app, ["artifacts", "extract", str(videos), "--out", str(out), "--frames", "4"])
    assert result.exit_code == 0, result.output
    assert "12 frames from 3 videos" in result.output and "skipped" in result.output
    images = sorted(out.glob("images/*/*.jpg"))
    labels = sorted(out.glob("labels/*/*.txt"))
    assert len(images) == len(labels) == 12
    assert "deformed_hand" in (out / "data.yaml").read_text()
    labels[0].write_text("0 0.5 0.5 0.1 0.1")
    CliRunner().invoke(app, ["artifacts", "extract", str(videos), "--out", str(out), "--frames", "4"])
    assert labels[0].read_text() == "0 0.5 0.5 0.1 0.1"
