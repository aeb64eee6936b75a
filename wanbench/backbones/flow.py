"""Optical-flow backbone: dense flow between consecutive frames, forward and backward.

One flow field serves large motion, pixel stability and the camera classifier. This file has the
OpenCV DIS backend, which needs no weights; RAFT plugs in behind the same ``FlowField`` result.
Flow is computed at a working resolution (longer side at most ``max_side``) on at most
``max_pairs`` consecutive pairs spread evenly over the clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from wanbench.backbones.base import Backbone
from wanbench.video import Video


@dataclass(frozen=True)
class FlowField:
    """Flow of ``P`` consecutive pairs (i, i+1) at the working resolution, in pixels."""

    forward: np.ndarray  # [P, h, w, 2] where each pixel of frame i moves to in frame i+1 (dx, dy)
    backward: np.ndarray  # [P, h, w, 2] the same from frame i+1 back to frame i
    first: np.ndarray  # [P, h, w] float32 grey levels of frame i in [0, 1]
    second: np.ndarray  # [P, h, w] float32 grey levels of frame i+1 in [0, 1]
    pair_index: np.ndarray  # [P] the index i of each pair in the original video
    fps: float  # frame rate of the original video (pairs are one frame apart)

    @property
    def diagonal(self) -> float:
        h, w = self.forward.shape[1:3]
        return float(np.hypot(h, w))

    def magnitude(self) -> np.ndarray:
        return np.linalg.norm(self.forward, axis=-1)


def pair_indices(num_frames: int, max_pairs: int) -> np.ndarray:
    """Indices i of the pairs (i, i+1) to use: all of them, or ``max_pairs`` spread evenly."""
    count = num_frames - 1
    if count <= max_pairs:
        return np.arange(count)
    return np.unique(np.round(np.linspace(0, count - 1, max_pairs)).astype(int))


def to_working_grey(frames: np.ndarray, max_side: int) -> np.ndarray:
    """uint8 RGB [T, H, W, 3] -> uint8 grey [T, h, w], downscaled so max(h, w) <= max_side."""
    t, h, w, _ = frames.shape
    scale = min(1.0, max_side / max(h, w))
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    out = np.empty((t, size[1], size[0]), dtype=np.uint8)
    for i, frame in enumerate(frames):
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        out[i] = grey if scale == 1.0 else cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return out


class DISFlow(Backbone):
    """OpenCV DIS optical flow (Kroeger et al. 2016): fast, weight-free, CPU."""

    name = "flow"

    def __init__(self, max_side: int = 256, max_pairs: int = 48, preset: str = "medium") -> None:
        presets = {
            "ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
            "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
            "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
        }
        if preset not in presets:
            raise ValueError(f"unknown DIS preset {preset!r}; choose {', '.join(presets)}")
        self.max_side, self.max_pairs, self.preset = max_side, max_pairs, preset
        self._dis = cv2.DISOpticalFlow_create(presets[preset])

    def backend(self) -> str:
        return f"opencv-dis/{self.preset} (cv2 {cv2.__version__}, side<={self.max_side}, pairs<={self.max_pairs})"

    def compute(self, video: Video) -> FlowField:
        pairs = pair_indices(video.num_frames, self.max_pairs)
        needed = np.unique(np.concatenate([pairs, pairs + 1]))
        grey = dict(zip(needed.tolist(), to_working_grey(video.frames[needed], self.max_side)))
        forward, backward = [], []
        for i in pairs.tolist():
            a, b = grey[i], grey[i + 1]
            forward.append(self._dis.calc(a, b, None))
            backward.append(self._dis.calc(b, a, None))
        first = np.stack([grey[i] for i in pairs.tolist()]).astype(np.float32) / 255.0
        second = np.stack([grey[i + 1] for i in pairs.tolist()]).astype(np.float32) / 255.0
        return FlowField(
            forward=np.stack(forward), backward=np.stack(backward), first=first, second=second,
            pair_index=pairs, fps=video.fps,
        )
