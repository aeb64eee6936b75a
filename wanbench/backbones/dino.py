"""DINO ViT-B/16 frame features for ID consistency, and crops of the asked subject.

Per video the backbone computes whole-frame features of the sampled frames and, with the COCO YOLO
detector (``yolo-coco`` weights), every detection in them. Which subject to follow is the prompt's
business (``wanbench.dims.subjects``): ``subject_features`` crops the asked class's most confident
box per frame (grown by 10%) and embeds it; frames where that class is not found stay whole, and a
class that is never found (or no detector) means whole frames throughout. Another class in frame is
never cropped. Features are the CLS token of the last layer, L2-normalised.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from wanbench.backbones.base import Backbone, require_weights
from wanbench.backbones.images import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    l2_normalise,
    normalise,
    pick_device,
    resize_square,
    to_tensor,
)
from wanbench.hashing import file_sha256
from wanbench.model_weights import WeightsError, require
from wanbench.video import Video

if TYPE_CHECKING:
    from transformers import ViTModel

    from wanbench.backbones.detector import YoloDetector

BOX_MARGIN = 0.10
# COCO's person and animal classes: the subjects whose identity ID consistency follows
SUBJECT_CLASSES = frozenset(
    {"person", "bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe"}
)


@dataclass(frozen=True)
class DinoFeatures:
    features: np.ndarray  # [N, D] L2-normalised CLS features of the sampled whole frames
    frame_index: np.ndarray  # [N] which video frame each row is
    frames: np.ndarray  # [N, H, W, 3] the sampled frames (for subject crops)
    detections: tuple = ()  # every detection in the sampled frames (all classes); empty without a detector
    detector: bool = False  # whether a detector looked at all


@dataclass(frozen=True)
class SubjectFeatures:
    features: np.ndarray  # [N, D]: the subject's crop where found, else the whole frame
    cropped: np.ndarray  # [N] bool
    subject: str | None  # the class followed, None when it was never found (whole frames)


def subject_boxes(
    detections: list, frames: int, classes: frozenset[str] = SUBJECT_CLASSES
) -> tuple[str | None, dict[int, tuple[float, ...]]]:
    """Among ``classes``, the clip's subject class (highest summed confidence) and its best box per frame."""
    detections = [d for d in detections if d.name in classes]
    totals: dict[str, float] = defaultdict(float)
    for det in detections:
        totals[det.name] += det.confidence
    if not totals:
        return None, {}
    subject = max(totals, key=totals.__getitem__)
    best: dict[int, tuple[float, tuple[float, ...]]] = {}
    for det in detections:
        if det.name == subject and det.confidence > best.get(det.frame, (-1.0, ()))[0]:
            best[det.frame] = (det.confidence, det.box)
    return subject, {frame: box for frame, (_, box) in best.items()}


def crop(frame: np.ndarray, box: tuple[float, ...], margin: float = BOX_MARGIN) -> np.ndarray:
    h, w = frame.shape[:2]
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    left, top = max(0, math.floor(x1 - dx)), max(0, math.floor(y1 - dy))
    right, bottom = min(w, math.ceil(x2 + dx)), min(h, math.ceil(y2 + dy))
    return frame[top:bottom, left:right] if right - left >= 4 and bottom - top >= 4 else frame


class DinoBackbone(Backbone):
    name = "dino"

    def __init__(
        self,
        weights: str = "dino-vitb16",
        detector_weights: str | None = "yolo-coco",
        frames: int = 16,
        size: int = 224,
        device: str | None = None,
    ) -> None:
        self.weights, self.detector_weights = weights, detector_weights
        self.frames, self.size, self.device = frames, size, pick_device(device)
        self._model: ViTModel | None = None
        self._detector: YoloDetector | None = None
        self._detector_note = ""

    def check(self) -> None:
        require_weights(self.weights, "DINO: {}")

    def _load(self) -> ViTModel:
        if self._model is not None:
            return self._model
        from transformers import ViTModel

        paths = require(self.weights)
        folder = paths["config.json"].parent
        model = ViTModel.from_pretrained(folder, add_pooling_layer=False, use_safetensors=True)
        # transformers' wrapped PreTrainedModel.to reads to type checkers as taking the model as its argument
        self._model = model.to(self.device).eval()  # type: ignore[arg-type]
        self._sha = file_sha256(paths["model.safetensors"])
        if self.detector_weights:
            try:
                from wanbench.backbones.detector import YoloDetector

                folder = require(self.detector_weights)["model.safetensors"].parent
                self._detector = YoloDetector(folder, device=self.device)
            except WeightsError as exc:
                self._detector_note = f" [whole frames: {exc}]"
        return self._model

    def torch_modules(self) -> list:
        found: list[torch.nn.Module] = [self._model] if self._model is not None else []
        return found + ([self._detector.model] if self._detector is not None else [])

    def backend(self) -> str:
        self._load()
        crops = f"subject crops by {self._detector.describe()}" if self._detector else "whole frames"
        return f"transformers ViT DINO {self.weights} sha256:{self._sha[:12]}, {crops}{self._detector_note}"

    @torch.inference_mode()
    def embed(self, images: list[np.ndarray]) -> np.ndarray:
        """L2-normalised CLS features of uint8 RGB images (any sizes)."""
        model = self._load()
        batch = torch.cat([resize_square(to_tensor(im[None]), self.size) for im in images])
        pixels = normalise(batch, IMAGENET_MEAN, IMAGENET_STD).to(self.device)
        out = model(pixel_values=pixels).last_hidden_state[:, 0]
        return l2_normalise(out.float()).cpu().numpy()

    def compute(self, video: Video) -> DinoFeatures:
        self._load()
        index = video.sample_indices(count=min(self.frames, video.num_frames))
        frames = video.frames[index]
        found = tuple(self._detector.detect(frames, index.tolist())) if self._detector is not None else ()
        return DinoFeatures(self.embed(list(frames)), index, frames, found, self._detector is not None)

    def subject_features(self, dino: DinoFeatures, subject_class: str | None) -> SubjectFeatures:
        """Features following ``subject_class`` only: its crops where found, whole frames elsewhere."""
        if subject_class is None:
            return SubjectFeatures(dino.features, np.zeros(len(dino.features), bool), None)
        subject, boxes = subject_boxes(list(dino.detections), len(dino.frame_index), frozenset({subject_class}))
        index = dino.frame_index.tolist()
        cropped = np.array([i in boxes for i in index])
        if not cropped.any():
            return SubjectFeatures(dino.features, cropped, None)
        crops = self.embed([crop(f, boxes[i]) for i, f in zip(index, dino.frames) if i in boxes])
        features = dino.features.copy()
        features[cropped] = crops
        return SubjectFeatures(features, cropped, subject)
