"""Artifact detections for Human Artifacts: our trained YOLO over sampled frames.

The weights come from the ``yolo-artifacts`` registry entry (written by ``wanbench artifacts
train``) or from a folder given with ``--artifacts-weights``. The other backend, ``judge``, is a
different method of the dimension (``HumanArtifactsByJudge``, on the ``vlm`` backbone): with it the
run builds no artifact detector at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wanbench.backbones.base import Backbone, BackboneUnavailable, require_weights
from wanbench.backbones.detector import Detection, YoloDetector
from wanbench.backbones.images import pick_device
from wanbench.video import Video

BACKENDS = ("yolo", "judge")


@dataclass(frozen=True)
class ArtifactDetections:
    frame_index: np.ndarray  # [N] sampled frames
    frame_area: float  # pixels per frame
    detections: list[Detection]


class ArtifactBackbone(Backbone):
    name = "artifacts"

    def __init__(
        self,
        backend: str = "yolo",
        weights: str = "yolo-artifacts",
        path: str | Path | None = None,
        frames: int = 16,
        conf: float = 0.05,
        imgsz: int | None = None,
        device: str | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown artifacts backend {backend!r}; choose {', '.join(BACKENDS)}")
        self.kind, self.weights, self.path = backend, weights, Path(path) if path else None
        self.frames, self.conf, self.imgsz, self.device = frames, conf, imgsz, pick_device(device)
        self._detector: YoloDetector | None = None

    def _folder(self) -> Path:
        if self.path is not None:
            if not (self.path / "model.safetensors").is_file() or not (self.path / "model.json").is_file():
                raise BackboneUnavailable(
                    f"--artifacts-weights {self.path}: expected model.safetensors and model.json "
                    "there (what `wanbench artifacts train --out` writes)"
                )
            return self.path
        return require_weights(
            self.weights,
            "no artifact detector: the report's was never released; train one with "
            "`wanbench artifacts train` or pass --artifacts-weights ({})",
        )["model.safetensors"].parent

    def check(self) -> None:
        if self.kind == "judge":
            raise BackboneUnavailable("the judge backend scores through the vlm backbone, not detections")
        self._folder()

    def torch_modules(self) -> list:
        return [self._detector.model] if self._detector is not None else []

    def detector(self) -> YoloDetector:
        if self._detector is None:
            self._detector = YoloDetector(self._folder(), conf=self.conf, imgsz=self.imgsz, device=self.device)
        return self._detector

    def backend(self) -> str:
        return f"artifacts/yolo: {self.detector().describe()} classes {sorted(self.detector().names.values())}"

    def compute(self, video: Video) -> ArtifactDetections:
        index = video.sample_indices(count=min(self.frames, video.num_frames))
        found = self.detector().detect(video.frames[index], index.tolist())
        return ArtifactDetections(index, float(video.height * video.width), found)
