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
With ``--artifacts-backend judge`` the score is instead 1 - P(yes) to the judge's question about
deformed bodies (templates file), recorded as that backend.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from wanbench.backbones.artifacts import ArtifactDetections
from wanbench.backbones.base import FeatureCache
from wanbench.dims.base import Dimension, Score
from wanbench.suite import Prompt
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
    name = "human_artifacts"
    version = "1"
    needs = ("artifacts", "vlm")
    description = "trained YOLO artifact detector: likelihood x box size, averaged over frames (duration)"

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        artifacts = features.backbones.get("artifacts")
        if artifacts is not None and getattr(artifacts, "kind", "yolo") == "judge":
            from wanbench.dims.judge_dims import questions

            (item,) = questions("human_artifacts")
            (p_yes,) = features.get("vlm").ask_clip([item["question"]])
            return Score(1.0 - float(p_yes), f"artifacts/judge: {features.backend('vlm')}",
                         {"p_deformed": float(p_yes), "judge_question": item["question"]})
        found: ArtifactDetections = features.get("artifacts")
        severity = frame_severities(found)
        return Score(
            value=float(np.clip(1.0 - severity.mean(), 0.0, 1.0)), backend=features.backend("artifacts"),
            details={"frames": int(len(severity)), "frames_with_artifacts": int((severity > 0).sum()),
                     "max_frame_severity": float(severity.max()), "detections": len(found.detections),
                     "classes": dict(Counter(d.name for d in found.detections))},
        )
