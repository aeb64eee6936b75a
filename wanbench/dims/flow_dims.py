"""Dimensions on the shared optical-flow field: Large Motion Generation and Pixel-level Stability.

Formulas (docs/dimensions.md has the reasoning):
- Large motion: m = mean over pairs of (mean over pixels of |flow| * tracked / frame diagonal) * fps,
  i.e. the share of the frame diagonal the content travels per second, counting only pixels whose
  flow is a real correspondence (FlowField.tracked: forward-backward consistent and of unchanged
  brightness), so flicker and noise are not motion; score = 1 - exp(-m / MOTION_SCALE).
- Pixel stability: a pixel is static in a pair when both forward and backward flow there are below
  STATIC_FLOW_PX (forward alone when the flow backend ran forward only; moving regions grown by a
  margin); d = mean |I(t+1) - I(t)| over static pixels (grey levels in [0, 1]), averaged over pairs;
  score = exp(-d / STABILITY_SCALE).
"""

from __future__ import annotations

import cv2
import numpy as np

from wanbench.backbones.base import FeatureCache
from wanbench.backbones.flow import (
    FlowField,
    vector_length,
)
from wanbench.dims.base import Dimension, NotApplicable, Score
from wanbench.prompts.suite import Prompt
from wanbench.video import Video

MOTION_SCALE = 0.25  # diagonals per second at which the score reaches 1 - 1/e
STATIC_FLOW_PX = 0.5  # flow magnitude (working-resolution pixels) below which a pixel is static
MOVING_MARGIN_PX = 3  # grow moving regions by this much so their edges do not count as static
MIN_STATIC_SHARE = 0.01  # pairs with less static area than this are skipped
STABILITY_SCALE = 0.05  # mean grey-level change at which the score reaches 1/e


class FlowDimension(Dimension):
    """A dimension scored on the shared flow field. Its metric version carries a hash of the flow
    settings its numbers depend on (declared ``depends_on: flow_settings``; both backends' defaults and
    the run's flow options), so rows scored under other settings are stale and never averaged with these."""


class LargeMotion(FlowDimension):
    needs = ("flow",)
    description = "tracked flow magnitude per second, normalised by the frame diagonal"

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        flow: FlowField = features.get("flow")
        magnitude, tracked = flow.magnitude(), flow.tracked()
        per_pair = (magnitude * tracked).mean(axis=(1, 2)) / flow.diagonal  # diagonals per frame
        speed = float(per_pair.mean() * flow.fps)  # diagonals per second
        value = float(1.0 - np.exp(-speed / MOTION_SCALE))
        return Score(
            value=value,
            backend=features.backend("flow"),
            details={
                "diagonals_per_second": speed,
                "pairs": int(len(per_pair)),
                "max_pair_diagonals_per_second": float(per_pair.max() * flow.fps),
                "tracked_share": float(tracked.mean()),
                "untracked_diagonals_per_second": float(
                    (magnitude * ~tracked).mean(axis=(1, 2)).mean() / flow.diagonal * flow.fps
                ),
            },
        )


def static_masks(flow: FlowField) -> np.ndarray:
    """[P, h, w] bool: pixels whose forward (and, when computed, backward) flow is near zero."""
    still = flow.magnitude() < STATIC_FLOW_PX
    if flow.backward is not None:
        still &= vector_length(flow.backward) < STATIC_FLOW_PX  # as v1 computed it, to the bit
    kernel = np.ones((2 * MOVING_MARGIN_PX + 1,) * 2, np.uint8)
    return np.stack([cv2.erode(m, kernel) for m in still.view(np.uint8)]).astype(bool)


class PixelStability(FlowDimension):
    needs = ("flow",)
    description = "frame differences inside static (low-flow) regions"

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        flow: FlowField = features.get("flow")
        masks = static_masks(flow)
        shares = masks.mean(axis=(1, 2))
        used = shares >= MIN_STATIC_SHARE
        if not used.any():
            raise NotApplicable(f"no static region: every frame pair has under {MIN_STATIC_SHARE:.0%} static pixels")
        diffs = np.abs(flow.second - flow.first)
        per_pair = np.array([diffs[i][masks[i]].mean() for i in np.flatnonzero(used)])
        change = float(per_pair.mean())
        return Score(
            value=float(np.exp(-change / STABILITY_SCALE)),
            backend=features.backend("flow"),
            details={
                "static_change": change,
                "static_share": float(shares[used].mean()),
                "pairs_used": int(used.sum()),
                "pairs": int(len(shares)),
            },
        )
