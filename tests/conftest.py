"""Shared fixtures: synthetic videos with known answers and small suites."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest


def textured_canvas(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A smooth random colour texture that optical flow can track."""
    import cv2

    rng = np.random.default_rng(seed)
    out = np.zeros((height, width, 3), np.float32)
    for cells, weight in ((8, 0.5), (32, 0.5)):
        small = rng.random((cells, cells, 3)).astype(np.float32)
        out += weight * cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(out * 255, 0, 255).astype(np.uint8)


def frozen_clip(frames: int = 12, height: int = 96, width: int = 128) -> np.ndarray:
    return np.repeat(textured_canvas(height, width)[None], frames, axis=0)


def pan_clip(speed_px: float, frames: int = 12, height: int = 96, width: int = 128) -> np.ndarray:
    """Content moving right by ``speed_px`` pixels per frame (a camera panning left)."""
    import cv2

    canvas = textured_canvas(height, width * 3)
    out = []
    for t in range(frames):
        shift = width - speed_px * t
        matrix = np.float32([[1, 0, shift], [0, 1, 0]])
        out.append(cv2.warpAffine(canvas, matrix, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP))
    return np.stack(out)


def flicker_clip(amplitude: int, frames: int = 12, seed: int = 1) -> np.ndarray:
    """A frozen clip whose brightness jumps by up to ``amplitude`` grey levels every frame."""
    rng = np.random.default_rng(seed)
    base = frozen_clip(frames).astype(np.int16)
    offsets = rng.integers(-amplitude, amplitude + 1, size=(frames, 1, 1, 1))
    return np.clip(base + offsets, 0, 255).astype(np.uint8)


def write_suite(path: Path, prompts: list[dict], extra_lines: list[str] = ()) -> Path:
    lines = [json.dumps(p, ensure_ascii=False) for p in prompts] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SMALL = {"width": 64, "height": 48, "frames": 9}  # procedural options that keep tests fast


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Path:
    prompts = [
        {
            "id": "static-1",
            "text": "a still lake",
            "dimensions": ["pixel_stability", "image_quality"],
            "camera": "static",
            "scene": "mountain",
        },
        {
            "id": "pan-1",
            "text": "camera pans left over a forest",
            "dimensions": ["large_motion", "camera_control"],
            "camera": "pan_left",
            "scene": "forest",
        },
        {
            "id": "run-1",
            "text": "a horse gallops past a still camera",
            "dimensions": ["large_motion", "pixel_stability"],
            "subject": {"name": "brown horse", "kind": "animal"},
            "action": "galloping",
            "motion": "large",
            "camera": "static",  # the oracle follows a large-motion subject unless a camera is asked
        },
    ]
    return write_suite(tmp_path / "tiny.jsonl", prompts)


@pytest.fixture(autouse=True)
def _isolated_wanbench_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees a developer's real weights: WANBENCH_HOME is an empty folder unless a test sets it."""
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path_factory.mktemp("wanbench-home")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("YOLO_CONFIG_DIR", str(tmp_path_factory.getbasetemp() / "ultralytics"))


@pytest.fixture(scope="session")
def tiny_vision_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A WANBENCH_HOME holding tiny random weights for every vision backbone, and their options."""
    from tests.tiny_backbones import install_tiny_weights

    home = tmp_path_factory.mktemp("tiny-vision-home")
    return home, install_tiny_weights(home)


def tiny_video(frames: np.ndarray, fps: float = 8.0):
    from wanbench.video import Video

    return Video(frames=frames, fps=fps, path=None)
