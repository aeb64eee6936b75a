"""Camera motion from the shared optical flow, and the Camera Control dimension built on it.

Per frame pair, the flow is fitted with a translation plus an isotropic scale about the frame
centre (least squares on the median-centred field): the translation says pan or lift, the scale
says zoom, little of either says static. Directions follow the camera: content moving right means
the camera pans left; content moving down means the camera lifts up; expanding content means
zoom in. A video's label is the majority over its pairs.

Camera Control (v2) scores a prompt asking for a pan, lift, zoom or a static shot by the share of
frame pairs classified as that motion. Aerial and tracking shots, which flow cannot tell, go to the
VLM judge as the report does (P(yes) to the shot's question; missing when there is no judge). The
dimension's mean is over all its prompts, whichever half scored them; ``details.method`` says which
and ``details.subdimension`` the shot family (pan / lift / zoom / aerial / tracking / static). The flow
half is ready without a judge; the judge half's questions carry the template version into the
metric version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from wanbench.backbones.base import FeatureCache
from wanbench.backbones.flow import FlowField
from wanbench.backbones.judge.backbone import JudgeAsk
from wanbench.dims.base import Score
from wanbench.dims.flow_dims import FlowDimension
from wanbench.dims.judge_dims import camera_question, judge_camera
from wanbench.prompts.suite import Prompt
from wanbench.video import Video

STATIC_PX = 0.25  # typical displacement (working-resolution px per frame) below which nothing moves
FLOW_MOTIONS = ("static", "pan_left", "pan_right", "lift_up", "lift_down", "zoom_in", "zoom_out")
JUDGE_MOTIONS = ("aerial", "tracking")


@dataclass(frozen=True)
class PairMotion:
    label: str
    translation: tuple[float, float]  # median content displacement (dx, dy), px per frame
    zoom: float  # displacement from scaling at the mean radius, px per frame (+ expanding)


@lru_cache(maxsize=8)
def centred_grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Pixel offsets from the frame centre (rx, ry), sum of rx^2 + ry^2 and the mean radius: the same
    for every pair of one working size, so built once (read-only)."""
    ys, xs = np.mgrid[0:h, 0:w]
    rx, ry = xs - (w - 1) / 2, ys - (h - 1) / 2
    rx.flags.writeable = ry.flags.writeable = False
    return rx, ry, float((rx**2 + ry**2).sum()), float(np.hypot(rx, ry).mean())


def classify_pair(flow: np.ndarray) -> PairMotion:
    """flow [h, w, 2] of one pair -> the camera motion that best explains it."""
    rx, ry, radius_squares, mean_radius = centred_grid(*flow.shape[:2])
    tx, ty = float(np.median(flow[..., 0])), float(np.median(flow[..., 1]))
    scale = float(((flow[..., 0] - tx) * rx + (flow[..., 1] - ty) * ry).sum() / radius_squares)
    zoom = scale * mean_radius
    translation = float(np.hypot(tx, ty))
    if max(translation, abs(zoom)) < STATIC_PX:
        label = "static"
    elif abs(zoom) > translation:
        label = "zoom_in" if zoom > 0 else "zoom_out"
    elif abs(tx) >= abs(ty):
        label = "pan_left" if tx > 0 else "pan_right"
    else:
        label = "lift_up" if ty > 0 else "lift_down"
    return PairMotion(label, (tx, ty), zoom)


def classify_video(flow: FlowField) -> tuple[str, list[PairMotion]]:
    pairs = [classify_pair(f) for f in flow.forward]
    label = Counter(p.label for p in pairs).most_common(1)[0][0]
    return label, pairs


def shot_family(camera: str | None) -> str:
    """The report's camera sub-dimension of an asked motion: pan, lift, zoom, aerial, tracking or static."""
    return (camera or "static").split("_")[0]


class CameraControl(FlowDimension):
    needs = ("flow", "vlm")
    description = "share of frame pairs whose flow shows the asked pan/lift/zoom/static; aerial, tracking: VLM judge"

    def partial_needs(self) -> dict[str, str]:
        return {"vlm": f"{' and '.join(JUDGE_MOTIONS)} prompts"}

    def judge_asks(self, prompt: Prompt) -> list[JudgeAsk]:
        return [JudgeAsk("clip", (camera_question(prompt)["question"],))] if prompt.camera in JUDGE_MOTIONS else []

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        if prompt.camera in JUDGE_MOTIONS:
            score = judge_camera(prompt, features)
            return Score(score.value, score.backend, score.details | {"subdimension": shot_family(prompt.camera)})
        flow: FlowField = features.get("flow")
        label, pairs = classify_video(flow)
        matches = sum(p.label == prompt.camera for p in pairs)
        return Score(
            value=matches / len(pairs),
            backend=features.backend("flow"),
            details={
                "method": "flow",
                "asked": prompt.camera,
                "subdimension": shot_family(prompt.camera),
                "predicted": label,
                "pairs": len(pairs),
                "pair_labels": dict(Counter(p.label for p in pairs)),
            },
        )
