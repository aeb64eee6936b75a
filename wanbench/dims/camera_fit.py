"""The camera's own motion in one flow field, robust to objects that move on their own.

Model: every background pixel moves by a translation t plus an isotropic scale s about the frame
centre, f(r) = t + s r. A least-squares fit over all pixels lets an object crossing the frame pull s
away from zero (a static camera read as part zoom). The fit here starts from robust estimates (the
median flow for t, the median of each pixel's radial ratio for s), keeps the pixels that model
explains within a tolerance (the background), and refits t and s by least squares on those alone.
An object covering under half of the frame cannot move the medians far, and is then left out.

Camera Control (``camera.py``) labels motions with this fit; Pixel Stability (``flow_dims.py``)
looks for static regions only where it says the camera stood still.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from wanbench.backbones.flow import FlowField

STATIC_PX = 0.25  # typical displacement (working-resolution px per frame) below which nothing moves
INLIER_PX = 0.25  # a pixel is background when the model explains its flow within this (px per frame)
INLIER_SPREAD = 2.5  # ... or within this many times the median residual, whichever is larger
INNER_RADIUS = 0.25  # radial ratios nearer the centre than this share of the mean radius are too noisy
MIN_INLIER_SHARE = 0.05  # with fewer background pixels than this the robust start is kept as it is


@dataclass(frozen=True)
class CameraFit:
    translation: tuple[float, float]  # content displacement (dx, dy), px per frame
    zoom: float  # displacement from scaling at the mean radius, px per frame (+ expanding)
    background_share: float  # share of pixels the fit kept as background

    @property
    def label(self) -> str:
        return motion_label(*self.translation, self.zoom)


def motion_label(tx: float, ty: float, zoom: float) -> str:
    """The camera motion a content displacement (px per frame) says, named after the camera: content
    moving right means the camera pans left, content moving down means it lifts up, expanding content
    means zoom in."""
    translation = float(np.hypot(tx, ty))
    if max(translation, abs(zoom)) < STATIC_PX:
        return "static"
    if abs(zoom) > translation:
        return "zoom_in" if zoom > 0 else "zoom_out"
    if abs(tx) >= abs(ty):
        return "pan_left" if tx > 0 else "pan_right"
    return "lift_up" if ty > 0 else "lift_down"


@lru_cache(maxsize=8)
def centred_grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Pixel offsets from the frame centre (rx, ry), sum of rx^2 + ry^2 and the mean radius: the same
    for every pair of one working size, so built once (read-only)."""
    ys, xs = np.mgrid[0:h, 0:w]
    rx, ry = xs - (w - 1) / 2, ys - (h - 1) / 2
    rx.flags.writeable = ry.flags.writeable = False
    return rx, ry, float((rx**2 + ry**2).sum()), float(np.hypot(rx, ry).mean())


def fit_camera(flow: np.ndarray, span: float = 1.0) -> CameraFit:
    """flow [h, w, 2] of one pair ``span`` frames apart -> the camera's motion per frame."""
    rx, ry, _, mean_radius = centred_grid(*flow.shape[:2])
    fx, fy = flow[..., 0] / span, flow[..., 1] / span
    tx, ty = float(np.median(fx)), float(np.median(fy))
    radius_squared = rx * rx + ry * ry
    outer = radius_squared >= (INNER_RADIUS * mean_radius) ** 2
    scale = float(np.median(((fx - tx) * rx + (fy - ty) * ry)[outer] / radius_squared[outer]))
    residual = np.hypot(fx - tx - scale * rx, fy - ty - scale * ry)
    background = residual < max(INLIER_PX, INLIER_SPREAD * float(np.median(residual)))
    share = float(background.mean())
    if share >= MIN_INLIER_SHARE:
        tx, ty, scale = least_squares(fx[background], fy[background], rx[background], ry[background])
    return CameraFit((tx, ty), scale * mean_radius, share)


def least_squares(fx: np.ndarray, fy: np.ndarray, rx: np.ndarray, ry: np.ndarray) -> tuple[float, float, float]:
    """(tx, ty, s) minimising sum |(fx, fy) - (tx, ty) - s (rx, ry)|^2 (the 3x3 normal equations)."""
    n, sx, sy, sr = float(len(fx)), float(rx.sum()), float(ry.sum()), float((rx * rx + ry * ry).sum())
    normal = np.array([[n, 0.0, sx], [0.0, n, sy], [sx, sy, sr]])
    rhs = np.array([fx.sum(), fy.sum(), (fx * rx + fy * ry).sum()], dtype=np.float64)
    tx, ty, s = np.linalg.solve(normal, rhs)
    return float(tx), float(ty), float(s)


def interval_weights(flow: FlowField, pair: int) -> np.ndarray:
    """[span] how much of pair ``pair``'s motion falls in each of its frame intervals (summing to the
    span; all ones for an even change): the share of the pair's grey-level change each interval had
    (``FlowField.interval_change``, every interval of the clip), so a move over 4 frames of an
    8-frame pair is put on those 4 intervals at full speed, not on all 8 at half speed."""
    start, steps = int(flow.pair_index[pair]), int(round(flow.span[pair]))
    if flow.interval_change is None or steps == 1:
        return np.ones(steps)
    change = np.asarray(flow.interval_change[start : start + steps], dtype=np.float64)
    total = change.sum()
    return change / total * steps if total > 0 else np.ones(steps)


def still_pairs(flow: FlowField) -> np.ndarray:
    """[P] bool: pairs in which the camera stood still in every interval (its fastest interval's
    share of the pair's motion still under STATIC_PX)."""
    out = np.empty(len(flow.forward), dtype=bool)
    for k, (field, span) in enumerate(zip(flow.forward, flow.span.tolist())):
        fit, peak = fit_camera(field, span), float(interval_weights(flow, k).max())
        out[k] = motion_label(fit.translation[0] * peak, fit.translation[1] * peak, fit.zoom * peak) == "static"
    return out
