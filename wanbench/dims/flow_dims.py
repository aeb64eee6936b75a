"""Dimensions on the shared optical-flow field: Large Motion Generation and Pixel-level Stability.

Flow pairs tile the clip (``backbones/flow.py``): pair k spans ``span_k`` frame intervals, and every
interval lies in exactly one pair. Formulas (docs/dimensions.md has the reasoning):
- Large motion (v3): m = sum over pairs of (sum over pixels of |flow| * tracked / pixels that stay
  in the frame / frame diagonal) / sum of spans * fps, i.e. the share of the frame diagonal the
  content travels per second, counting only pixels whose flow is a real correspondence
  (FlowField.tracked), so flicker and noise are not motion, and not counting content that leaves
  the frame within a pair; score = 1 - exp(-m / MOTION_SCALE).
- Pixel stability (v2): only pairs in which the camera stands still (``camera_fit``: a zooming or
  panning camera has no static content, even where its flow is small) have static regions; there a
  pixel is static when both forward and backward flow are below STATIC_FLOW_PX over the pair
  (forward alone when the backend ran forward only; moving regions grown by a margin); d = mean
  |I(j) - I(i)| over static pixels (grey levels in [0, 1]), averaged over pairs weighted by span;
  score = exp(-d / STABILITY_SCALE). Not applicable unless the static pixels amount to
  MIN_STATIC_EVIDENCE of the clip's pixel-intervals.
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
from wanbench.dims.camera_fit import still_pairs
from wanbench.prompts.suite import Prompt
from wanbench.video import Video

MOTION_SCALE = 0.25  # diagonals per second at which the score reaches 1 - 1/e
STATIC_FLOW_PX = 0.5  # flow magnitude (working-resolution pixels) below which a pixel is static
MOVING_MARGIN_PX = 3  # grow moving regions by this much so their edges do not count as static
MIN_STATIC_SHARE = 0.01  # pairs with less static area than this are skipped
MIN_STATIC_EVIDENCE = 0.05  # static pixels x intervals needed, as a share of the clip's pixels x intervals
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
        magnitude, landed = flow.magnitude(), flow.landed()
        tracked = flow.tracked() & landed
        pixels = np.maximum(landed.sum(axis=(1, 2)), 1)
        per_pair = (magnitude * tracked).sum(axis=(1, 2)) / pixels / flow.diagonal  # diagonals per pair
        span = flow.span
        speed = float(per_pair.sum() / span.sum() * flow.fps)  # diagonals per second
        value = float(1.0 - np.exp(-speed / MOTION_SCALE))
        untracked = (magnitude * (landed & ~tracked)).sum(axis=(1, 2)) / pixels / flow.diagonal
        return Score(
            value=value,
            backend=features.backend("flow"),
            details={
                "method": flow.method,
                "diagonals_per_second": speed,
                "pairs": int(len(per_pair)),
                "intervals": int(span.sum()),
                "max_pair_diagonals_per_second": float((per_pair / span).max() * flow.fps),
                "tracked_share": float(tracked.sum() / landed.sum()) if landed.any() else 0.0,
                "untracked_diagonals_per_second": float(untracked.sum() / span.sum() * flow.fps),
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
    description = "frame differences inside static (low-flow) regions of a still camera"

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        flow: FlowField = features.get("flow")
        masks = static_masks(flow)
        camera_still = still_pairs(flow)
        shares = masks.mean(axis=(1, 2)) * camera_still
        used = shares >= MIN_STATIC_SHARE
        span = flow.span
        evidence = float((shares * span)[used].sum() / span.sum())
        if evidence < MIN_STATIC_EVIDENCE:
            reason = (
                "the camera moves in every pair"
                if not camera_still.any()
                else f"static pixels cover {evidence:.1%} of the clip (pixels x frame intervals)"
            )
            raise NotApplicable(
                f"no static region: {reason}, under the {MIN_STATIC_EVIDENCE:.0%} needed",
                backend=features.backend("flow"),
            )
        diffs = np.abs(flow.second - flow.first)
        per_pair = np.array([diffs[i][masks[i]].mean() for i in np.flatnonzero(used)])
        change = float((per_pair * span[used]).sum() / span[used].sum())
        return Score(
            value=float(np.exp(-change / STABILITY_SCALE)),
            backend=features.backend("flow"),
            details={
                "method": flow.method,
                "static_change": change,
                "static_share": float(shares[used].mean()),
                "static_evidence": evidence,
                "pairs_used": int(used.sum()),
                "pairs": int(len(shares)),
                "pairs_camera_moving": int((~camera_still).sum()),
            },
        )
