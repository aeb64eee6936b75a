"""Human Artifacts from artifact detections (formula also in docs/dimensions.md).

The report weighs "the predicted likelihood, the box size and how long the artifact lasts". Ours:
- each detection d counts as c_d * a_d, its confidence times a size factor
  a_d = min(1, sqrt(area_d / (FULL_AREA * frame area))): boxes of at least FULL_AREA of the frame
  count fully, smaller ones by the square root of their share (a quarter of the size, half the weight);
- a sampled frame's severity is 1 - prod_d (1 - c_d a_d): the chance that at least one artifact is
  real, detections taken as independent;
- duration enters through the mean over the sampled frames: an artifact seen in k of N frames adds
  k/N of its severity;
- score = 1 - mean severity, in [0, 1]; a clean video scores 1.
With ``--artifacts-backend judge`` the run's dimension is ``HumanArtifactsByJudge``: 1 - P(yes) to the
judge's question about deformed bodies (templates file). It is its own method ("judge") and metric
version ("j2.t<template version>"), needs only the judge, and never shares rows with the detector's.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from wanbench.backbones.artifact_detections import ArtifactDetections
from wanbench.backbones.base import FeatureCache
from wanbench.backbones.judge.plan import JudgeAnswers, JudgePlan
from wanbench.dims.base import Dimension, Score
from wanbench.dims.judge_dims import JudgeDimension, plan, questions, request
from wanbench.prompts.suite import Prompt
from wanbench.video import Video

FULL_AREA = 0.01  # share of the frame from which an artifact box counts at full size


def frame_severities(found: ArtifactDetections) -> np.ndarray:
    """Severity in [0, 1] of each sampled frame."""
    clean = {int(i): 1.0 for i in found.frame_index}
    for det in found.detections:
        size = min(1.0, float(np.sqrt(det.area / (FULL_AREA * found.frame_area))))
        clean[det.frame] *= 1.0 - min(1.0, max(0.0, det.confidence)) * size
    return 1.0 - np.array([clean[int(i)] for i in found.frame_index])


class HumanArtifacts(Dimension):
    needs = ("artifacts",)
    description = "trained YOLO artifact detector: likelihood x box size, averaged over frames (duration)"

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        found: ArtifactDetections = features.get("artifacts")
        severity = frame_severities(found)
        return Score(
            value=float(np.clip(1.0 - severity.mean(), 0.0, 1.0)),
            backend=features.backend("artifacts"),
            details={
                "method": "detector",
                "frames": int(len(severity)),
                "frames_with_artifacts": int((severity > 0).sum()),
                "max_frame_severity": float(severity.max()),
                "detections": len(found.detections),
                "classes": dict(Counter(d.name for d in found.detections)),
            },
        )


class HumanArtifactsByJudge(JudgeDimension):
    """Human Artifacts asked of the VLM judge (``--artifacts-backend judge``): 1 - P(a person looks deformed)."""

    description = "VLM judge: 1 - P(any person has deformed hands, face, limbs or body)"

    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        return plan(request("deformed", "clip", questions(self.template)))

    def judge_score(self, prompt: Prompt, answers: JudgeAnswers) -> Score:
        ((question, p_yes),) = answers.paired("deformed")
        return Score(
            1.0 - float(p_yes),
            f"artifacts/judge: {answers.backend}",
            {"method": "judge", "p_deformed": float(p_yes), "judge_question": question.text},
        )
