"""Dimensions on the DINO, CLIP and image-quality backbones (formulas: docs/dimensions.md).

- ID Consistency: over the sampled frames' DINO features f_0..f_{N-1} (crops of the asked subject's
  detector class where it is found: ``wanbench.dims.subjects``), s_i = (cos(f_i, f_0) + cos(f_i,
  f_{i-1})) / 2 for i >= 1, score = mean s_i clipped to [0, 1]. ``details.method`` is "subject crop"
  or "whole frame" (with the reason); the sub-dimension (human / animal / object) is the prompt's
  subject kind, recorded in ``details["subdimension"]`` so reports can split by it.
- Scene Generation Quality: consistency c = mean cos(e_i, e_{i+1}) of consecutive CLIP frame
  embeddings (clipped at 0); alignment a = mean over frames of clip(2.5 * cos(e_i, t), 0, 1), the
  CLIPScore scaling of Hessel et al. 2021 for the prompt's text embedding t; score =
  SCENE_CONSISTENCY_WEIGHT * c + (1 - SCENE_CONSISTENCY_WEIGHT) * a.
- Comprehensive Image Quality: the mean of MANIQA, MUSIQ and LAION aesthetic, each averaged over
  the sampled frames and normalised to [0, 1] (wanbench.backbones.iqa.normalised_quality).
"""

from __future__ import annotations

import numpy as np

from wanbench.backbones.base import FeatureCache
from wanbench.backbones.clip import ClipBackbone, ClipFeatures
from wanbench.backbones.dino import DinoBackbone, DinoFeatures
from wanbench.backbones.iqa import IQABackbone, IQAScores, normalised_quality
from wanbench.dims.base import Dimension, NotScorable, Score
from wanbench.dims.subjects import coco_class
from wanbench.prompts.suite import Prompt
from wanbench.video import Video

CLIPSCORE_W = 2.5  # Hessel et al. 2021: CLIP-S = w * max(cos, 0) with w = 2.5
SCENE_CONSISTENCY_WEIGHT = 0.5  # the report says "weighted mean" without the weights: equal


def frame_consistency(features: np.ndarray) -> np.ndarray:
    """s_i for i >= 1: mean of the cosine to the first frame and to the previous one."""
    if len(features) < 2:
        raise NotScorable("needs at least two sampled frames")
    to_first = features[1:] @ features[0]
    to_previous = np.sum(features[1:] * features[:-1], axis=1)
    return (to_first + to_previous) / 2.0


class IDConsistency(Dimension):
    needs = ("dino",)
    description = "DINO similarity of the asked subject across frames (to the first and the previous frame)"

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        dino: DinoFeatures = features.get("dino")
        asked = coco_class(prompt.subject)
        subject = features.backbone("dino", DinoBackbone).subject_features(dino, asked)
        per_frame = frame_consistency(subject.features)
        kind = prompt.subject.kind if prompt.subject else "object"
        if subject.cropped.any():
            method, why = "subject crop", None
        elif not dino.detector:
            method, why = "whole frame", "no subject detector"
        elif asked is None:
            method, why = "whole frame", "the asked subject has no detector class"
        else:
            method, why = "whole frame", f"no {asked} detected"
        return Score(
            value=float(np.clip(per_frame.mean(), 0.0, 1.0)),
            backend=features.backend("dino"),
            details={
                "subdimension": kind,
                "method": method,
                "whole_frame_reason": why,
                "crop_class": asked,
                "subject_detected": subject.subject,
                "cropped_frames": int(subject.cropped.sum()),
                "frames": int(len(subject.features)),
                "min_frame_similarity": float(per_frame.min()),
            },
        )


class SceneQuality(Dimension):
    needs = ("clip",)
    description = "CLIP frame-to-frame consistency and frame-to-prompt alignment, equally weighted"

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        clip: ClipFeatures = features.get("clip")
        if len(clip.image) < 2:
            raise NotScorable("needs at least two sampled frames")
        text = features.backbone("clip", ClipBackbone).embed_text(prompt.text)
        consistency = float(np.clip(np.sum(clip.image[1:] * clip.image[:-1], axis=1), 0.0, 1.0).mean())
        cosines = clip.image @ text
        alignment = float(np.clip(CLIPSCORE_W * cosines, 0.0, 1.0).mean())
        value = SCENE_CONSISTENCY_WEIGHT * consistency + (1 - SCENE_CONSISTENCY_WEIGHT) * alignment
        return Score(
            value=float(value),
            backend=features.backend("clip"),
            details={
                "consistency": consistency,
                "alignment": alignment,
                "mean_text_cosine": float(cosines.mean()),
                "frames": int(len(clip.image)),
            },
        )


class ImageQuality(Dimension):
    needs = ("iqa", "clip")
    description = "mean of MANIQA, MUSIQ and LAION aesthetic (CLIP ViT-L/14), each normalised to [0, 1]"

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        iqa: IQAScores = features.get("iqa")
        clip: ClipFeatures = features.get("clip")
        aesthetic = features.backbone("iqa", IQABackbone).aesthetic(clip.image)
        raw = {
            "musiq": float(iqa.musiq.mean()),
            "maniqa": float(iqa.maniqa.mean()),
            "aesthetic": float(aesthetic.mean()),
        }
        parts = normalised_quality(**raw)
        if not all(np.isfinite(list(raw.values()))):
            raise NotScorable(f"an image-quality model returned a non-finite score: {raw}")
        return Score(
            value=float(np.mean(list(parts.values()))),
            backend=f"{features.backend('iqa')}; aesthetic on {features.backend('clip')}",
            details={
                "normalised": parts,
                "raw": raw,
                "iqa_frames": int(len(iqa.frame_index)),
                "aesthetic_frames": int(len(aesthetic)),
            },
        )
