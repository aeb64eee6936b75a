"""Clips of known camera motion made from real photos (scikit-image's), for the flow dimensions.

A virtual camera looks at a photo: it pans, lifts or zooms at a constant speed during a burst of
frames [start, end) and stands still outside it (the whole clip by default). An object (a patch of
another photo) may cross the frame on its own. Shared by the tests and benchmarks/flow_sampling.py.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")
MOVES = ("pan_left", "pan_right", "lift_up", "lift_down", "zoom_in", "zoom_out", "static")


@lru_cache(maxsize=8)
def photo(name: str) -> np.ndarray:
    """A scikit-image sample photo, RGB uint8 (read-only)."""
    import skimage.data

    image = np.ascontiguousarray(getattr(skimage.data, name)()[..., :3])
    image.flags.writeable = False
    return image


def travelled(t: int, start: int, end: int) -> float:
    """Frames of motion done by frame t when the camera moves during frames [start, end)."""
    return float(min(max(t, start), end) - start)


def camera_clip(
    name: str,
    move: str,
    speed: float,
    frames: int = 33,
    size: int = 128,
    burst: tuple[int, int] | None = None,
) -> np.ndarray:
    """[frames, size, size, 3]: the camera's view of photo ``name``. ``speed`` is px per frame of the
    output for pans and lifts, and the relative scale change per frame for zooms; the camera moves
    during ``burst`` = [start, end) frames (default: the whole clip). Camera directions as in
    camera.py: the camera panning left makes the content move right."""
    image = photo(name)
    h, w = image.shape[:2]
    start, end = burst or (0, frames - 1)
    base = 0.45 * min(h, w) / size  # photo pixels per output pixel at the start: room to move and zoom
    out = []
    for t in range(frames):
        done = travelled(t, start, end)
        scale, cx, cy = base, w / 2, h / 2
        if move.startswith("zoom"):
            scale = base * (1 - speed) ** done if move == "zoom_in" else base * (1 + speed) ** done
        elif move == "pan_left":
            cx -= speed * done * base
        elif move == "pan_right":
            cx += speed * done * base
        elif move == "lift_up":
            cy -= speed * done * base
        elif move == "lift_down":
            cy += speed * done * base
        # output pixel (x, y) shows photo point (cx + (x - c) * scale, cy + (y - c) * scale)
        c = (size - 1) / 2
        matrix = np.float32([[scale, 0, cx - c * scale], [0, scale, cy - c * scale]])
        out.append(
            cv2.warpAffine(
                image, matrix, (size, size), flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT
            )
        )
    return np.stack(out)


def with_crossing_object(clip: np.ndarray, name: str = "coffee", side: float = 0.3, seed: int = 0) -> np.ndarray:
    """``clip`` with a square patch of photo ``name`` (``side`` of the frame) crossing it left to
    right at mid height over the clip's duration: an object moving on its own."""
    frames, h, w = clip.shape[:3]
    size = max(4, int(side * min(h, w)))
    source = photo(name)
    rng = np.random.default_rng(seed)
    y0 = int(rng.integers(0, source.shape[0] - size * 3))
    x0 = int(rng.integers(0, source.shape[1] - size * 3))
    patch = cv2.resize(
        np.ascontiguousarray(source[y0 : y0 + size * 3, x0 : x0 + size * 3]), (size, size), interpolation=cv2.INTER_AREA
    )
    out = clip.copy()
    top = (h - size) // 2
    for t in range(frames):
        left = int(round(-size + (w + size) * t / max(1, frames - 1)))
        a, b = max(0, left), min(w, left + size)
        if b > a:
            out[t, top : top + size, a:b] = patch[:, a - left : b - left]
    return out
