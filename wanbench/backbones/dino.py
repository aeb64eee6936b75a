"""DINO ViT-B/16 frame features for ID consistency, on the subject's region where one is found.

The subject is found by the COCO YOLO detector (``yolo-coco`` weights) on the sampled frames: among
the person and animal classes, the one with the highest summed confidence over the clip is the subject, and in each frame its most
confident box (grown by 10%) is the crop. Frames where it is not found fall back to the whole
frame. Without detector weights every frame is used whole, and the backend string says so.
Features are the CLS token of the last layer, L2-normalised.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import torch

from wanbench.backbones.base import Backbone, require_weights
from wanbench.backbones.images import (IMAGENET_MEAN, IMAGENET_STD, l2_normalise, normalise, pick_device,
                                       resize_square, to_tensor)
from wanbench.video import Video
from wanbench.weights import WeightsError, file_sha256, require

BOX_MARGIN = 0.10
# COCO's person and animal classes: the subjects whose identity ID consistency follows
SUBJECT_CLASSES = frozenset({"person", "bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra",
                             "giraffe"})


@dataclass(frozen=True)
class DinoFeatures:
    features: np.ndarray  # [N, D] L2-normalised CLS features of the sampled frames (or their crops)
    frame_index: np.ndarray  # [N] which video frame each row is
    cropped: np.ndarray  # [N] bool: feature is of the subject's box (else of the whole frame)
    subject: str | None  # detector class name of the subject, None if none was found


def subject_boxes(detections: list, frames: int) -> tuple[str | None, dict[int, tuple[float, ...]]]:
    """The clip's subject class (person or animal, highest summed confidence) and its best box per frame."""
    detections = [d for d in detections if d.name in SUBJECT_CLASSES]
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

    def __init__(self, weights: str = "dino-vitb16", detector_weights: str | None = "yolo-coco",
                 frames: int = 16, size: int = 224, device: str | None = None) -> None:
        self.weights, self.detector_weights = weights, detector_weights
        self.frames, self.size, self.device = frames, size, pick_device(device)
        self._model = None
        self._detector = None
        self._detector_note = ""

    def check(self) -> None:
        require_weights(self.weights, "DINO: {}")

    def _load(self) -> None:
        if self._model is not None:
            return
        from transformers import ViTModel

        paths = require(self.weights)
        folder = paths["config.json"].parent
        model = ViTModel.from_pretrained(folder, add_pooling_layer=False, use_safetensors=True)
        self._model = model.to(self.device).eval()
        self._sha = file_sha256(paths["model.safetensors"])
        if self.detector_weights:
            try:
                from wanbench.backbones.detector import YoloDetector

                folder = require(self.detector_weights)["model.safetensors"].parent
                self._detector = YoloDetector(folder, device=self.device)
            except WeightsError as exc:
                self._detector_note = f" [whole frames: {exc}]"

    def torch_modules(self) -> list:
        found = [self._model] if self._model is not None else []
        return found + ([self._detector.model] if self._detector is not None else [])

    def backend(self) -> str:
        self._load()
        crops = f"subject crops by {self._detector.describe()}" if self._detector else "whole frames"
        return f"transformers ViT DINO {self.weights} sha256:{self._sha[:12]}, {crops}{self._detector_note}"

    @torch.inference_mode()
    def embed(self, images: list[np.ndarray]) -> np.ndarray:
        """L2-normalised CLS features of uint8 RGB images (any sizes)."""
        self._load()
        batch = torch.cat([resize_square(to_tensor(im[None]), self.size) for im in images])
        pixels = normalise(batch, IMAGENET_MEAN, IMAGENET_STD).to(self.device)
        out = self._model(pixel_values=pixels).last_hidden_state[:, 0]
        return l2_normalise(out.float()).cpu().numpy()

    def compute(self, video: Video) -> DinoFeatures:
        self._load()
        index = video.sample_indices(count=min(self.frames, video.num_frames))
        frames = video.frames[index]
        subject, boxes = None, {}
        if self._detector is not None:
            subject, boxes = subject_boxes(self._detector.detect(frames, index.tolist()), len(index))
        images = [crop(f, boxes[i]) if i in boxes else f for i, f in zip(index.tolist(), frames)]
        return DinoFeatures(self.embed(images), index, np.array([i in boxes for i in index.tolist()]), subject)
