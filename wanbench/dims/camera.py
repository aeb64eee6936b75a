"""Camera motion from the shared optical flow, and the Camera Control dimension built on it.

Per flow pair, ``camera_fit.fit_camera`` fits a translation plus an isotropic scale about the frame
centre, robustly, so an object moving on its own does not read as camera motion: the translation
says pan or lift, the scale says zoom, little of either says static. Directions follow the camera:
content moving right means the camera pans left; content moving down means the camera lifts up;
expanding content means zoom in.

Pairs tile the clip and may span several frames. A pair's motion is spread over its frame intervals
in proportion to how much each interval's content changed (``FlowField.interval_change``, a cheap
pass over every interval), so a move over 4 frames of an 8-frame pair is 4 moving intervals, not 8
half-speed ones; each interval is then labelled. A video's label is the label of most intervals;
a tie goes to the label with more motion, then to the first name in alphabetical order, never to
whichever came first in time.

Camera Control (v4) scores a prompt asking for a pan, lift, zoom or a static shot by the share of
frame intervals classified as that motion. Aerial and tracking shots, which flow cannot tell, go to
the VLM judge as the report does (P(yes) to the shot's question; missing when there is no judge). The
dimension's mean is over all its prompts, whichever half scored them; ``details.method`` says which
and ``details.subdimension`` the shot family (pan / lift / zoom / aerial / tracking / static). The flow
half is ready without a judge; the judge half's questions carry the template version into the
metric version.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from wanbench.backbones.base import FeatureCache
from wanbench.backbones.flow import FlowField
from wanbench.backbones.judge.plan import JudgePlan
from wanbench.dims.base import Score
from wanbench.dims.camera_fit import STATIC_PX, centred_grid, fit_camera, interval_weights, motion_label
from wanbench.dims.flow_dims import FlowDimension
from wanbench.dims.judge_dims import ask_judge, camera_plan, camera_score, template_of
from wanbench.prompts.suite import Prompt
from wanbench.video import Video

FLOW_MOTIONS = ("static", "pan_left", "pan_right", "lift_up", "lift_down", "zoom_in", "zoom_out")
JUDGE_MOTIONS = ("aerial", "tracking")
__all__ = ["STATIC_PX", "centred_grid", "classify_pair", "classify_video", "PairMotion", "CameraControl"]


@dataclass(frozen=True)
class PairMotion:
    label: str
    translation: tuple[float, float]  # content displacement (dx, dy), px per frame
    zoom: float  # displacement from scaling at the mean radius, px per frame (+ expanding)

    @property
    def amount(self) -> float:
        return max(float(np.hypot(*self.translation)), abs(self.zoom))


def classify_pair(flow: np.ndarray, span: float = 1.0) -> PairMotion:
    """flow [h, w, 2] of one pair ``span`` frames apart -> the camera motion per frame that best explains it."""
    fit = fit_camera(flow, span)
    return PairMotion(fit.label, fit.translation, fit.zoom)


def interval_motions(flow: FlowField) -> list[PairMotion]:
    """One motion per frame interval the pairs cover: each pair's motion (its total over the span)
    shared out over its intervals by ``interval_weights``."""
    out: list[PairMotion] = []
    for k, (field, span) in enumerate(zip(flow.forward, flow.span.tolist())):
        pair = classify_pair(field, span)
        if span == 1:
            out.append(pair)
            continue
        for weight in interval_weights(flow, k).tolist():
            tx, ty, zoom = pair.translation[0] * weight, pair.translation[1] * weight, pair.zoom * weight
            out.append(PairMotion(motion_label(tx, ty, zoom), (tx, ty), zoom))
    return out


def majority_label(motions: list[PairMotion]) -> str:
    """The label of most intervals; ties to more total motion, then to the alphabetically first name."""
    counts = Counter(m.label for m in motions)
    amounts: dict[str, float] = {}
    for m in motions:
        amounts[m.label] = amounts.get(m.label, 0.0) + m.amount
    return min(counts, key=lambda label: (-counts[label], -amounts[label], label))


def classify_video(flow: FlowField) -> tuple[str, list[PairMotion]]:
    """(the video's label, one motion per frame interval)."""
    motions = interval_motions(flow)
    return majority_label(motions), motions


def shot_family(camera: str | None) -> str:
    """The report's camera sub-dimension of an asked motion: pan, lift, zoom, aerial, tracking or static."""
    return (camera or "static").split("_")[0]


class CameraControl(FlowDimension):
    needs = ("flow", "vlm")
    description = (
        "share of frame intervals whose flow shows the asked pan/lift/zoom/static; aerial, tracking: VLM judge"
    )

    def partial_needs(self) -> dict[str, str]:
        return {"vlm": f"{' and '.join(JUDGE_MOTIONS)} prompts"}

    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        """The judge half's question for an aerial or tracking prompt; nothing for the flow half."""
        return camera_plan(prompt, template_of(self)) if prompt.camera in JUDGE_MOTIONS else JudgePlan()

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        if prompt.camera in JUDGE_MOTIONS:
            score = camera_score(prompt, ask_judge(features, self.judge_plan(prompt)))
            return Score(score.value, score.backend, score.details | {"subdimension": shot_family(prompt.camera)})
        flow: FlowField = features.get("flow")
        label, intervals = classify_video(flow)
        matches = sum(m.label == prompt.camera for m in intervals)
        return Score(
            value=matches / len(intervals),
            backend=features.backend("flow"),
            details={
                "method": flow.method,  # the flow method that ran ("RAFT", "DIS"); the judge's rows say "judge"
                "asked": prompt.camera,
                "subdimension": shot_family(prompt.camera),
                "predicted": label,
                "pairs": len(flow.forward),
                "intervals": len(intervals),
                "interval_labels": dict(sorted(Counter(m.label for m in intervals).items())),
            },
        )
