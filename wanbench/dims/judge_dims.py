"""The dimensions the report scores with a multimodal LLM, on one judge backbone (formulas: docs/dimensions.md).

Questions live in ``wanbench/data/judge_templates.json`` (versioned; the version is part of each
metric version). Every answer is a probability read by the judge protocol
(``wanbench.backbones.judge.protocol``); a question whose good answer is "No" contributes 1 - P(yes).

- Physical Plausibility, Smoothness: mean over their clip-level questions.
- Stylization: mean over keyframes of P(yes) to "in the style of {style}?"; the CLIP similarity of
  the frames to "a {style} style image" is recorded as a sub-score when CLIP is available.
- Single Object: mean over keyframes of P(the object is there): the expected share of frames that
  match the prompt, which is what the report counts.
- Multiple Object: per keyframe, the product over the prompt's objects of P(count == asked count)
  from the distribution over whole-number answers 0..20; mean over keyframes.
- Spatial Position: per keyframe, P(subject) * P(object) * P(relation); mean over keyframes.
- Action Instruction Following: mean of alignment, completion and (1 - artifacts) on the clip;
  sub-dimension: the subject's kind (human / animal / object).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from wanbench.backbones.base import BackboneUnavailable, FeatureCache
from wanbench.backbones.judge.backbone import JudgeAsk, VideoJudge
from wanbench.backbones.judge.protocol import JudgeError, check_user_text
from wanbench.dims.base import Dimension, NotScorable, Score
from wanbench.prompts.suite import Prompt
from wanbench.video import Video

RELATION_WORDS = {"left_of": "to the left of", "right_of": "to the right of", "above": "above", "below": "below"}


@lru_cache(maxsize=1)
def templates() -> dict[str, Any]:
    return json.loads(resources.files("wanbench").joinpath("data/judge_templates.json").read_text(encoding="utf-8"))


def questions(dimension: str, **fields: str) -> list[dict[str, Any]]:
    """The dimension's templates with the prompt's fields filled in."""
    out = []
    for item in templates()[dimension]:
        try:
            out.append(item | {"question": check_user_text(item["question"].format(**fields))})
        except KeyError as exc:
            raise NotScorable(f"prompt lacks {exc.args[0]!r}, which the {dimension} questions need") from None
        except JudgeError as exc:
            raise NotScorable(str(exc)) from None
    return out


def goodness(p_yes: float, expect: str) -> float:
    return float(p_yes) if expect == "Yes" else 1.0 - float(p_yes)


class JudgeDimension(Dimension):
    needs: tuple[str, ...] = ("vlm",)

    def judge(self, features: FeatureCache) -> VideoJudge:
        return features.get("vlm")

    def judge_asks(self, prompt: Prompt) -> list[JudgeAsk]:
        """The questions ``score`` will ask the judge about a video of ``prompt`` (none when it will
        not score it); tests/test_judge_batching.py holds every dimension to what it really asks."""
        return []

    def clip_scores(self, features: FeatureCache, dimension: str, **fields: str) -> tuple[float, dict[str, float]]:
        items = questions(dimension, **fields)
        answers = self.judge(features).ask_clip([i["question"] for i in items])
        parts = {i["name"]: goodness(a, i["expect"]) for i, a in zip(items, answers)}
        return float(np.mean(list(parts.values()))), parts

    def frame_scores(self, features: FeatureCache, dimension: str, **fields: str) -> dict[str, np.ndarray]:
        """name -> [keyframes] goodness for yes/no templates (counts are handled by their dimension)."""
        return self.frame_scores_each(features, dimension, [fields])[0]

    def frame_scores_each(
        self, features: FeatureCache, dimension: str, field_sets: list[dict[str, str]]
    ) -> list[dict[str, np.ndarray]]:
        """``frame_scores`` for several fillings of the templates (one per object, say), asked in one
        request so the judge shares each keyframe's prefix across all of them."""
        filled = [questions(dimension, **fields) for fields in field_sets]
        answers = iter(self.judge(features).ask_frames([i["question"] for items in filled for i in items]))
        return [
            {i["name"]: np.array([goodness(a, i["expect"]) for a in next(answers)]) for i in items} for items in filled
        ]


class ClipQuestionsDimension(JudgeDimension):
    """The mean goodness of the dimension's clip-level questions, which need no prompt fields."""

    def judge_asks(self, prompt: Prompt) -> list[JudgeAsk]:
        return [JudgeAsk("clip", tuple(i["question"] for i in questions(self.name)))]

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        value, parts = self.clip_scores(features, self.name)
        return Score(value, features.backend("vlm"), {"parts": parts})


class PhysicalPlausibility(ClipQuestionsDimension):
    description = "judge: no clipping, impossible collisions or gravity violations"


class Smoothness(ClipQuestionsDimension):
    description = "judge: smooth, natural motion without jitter"


class Stylization(JudgeDimension):
    needs = ("vlm", "clip")
    description = "judge, frame level: is each keyframe in the asked style (CLIP style similarity recorded)"

    def partial_needs(self) -> dict[str, str]:
        return {"clip": "the recorded CLIP style similarity (not the score)"}

    def judge_asks(self, prompt: Prompt) -> list[JudgeAsk]:
        if not prompt.style:
            return []
        return [JudgeAsk("frames", tuple(i["question"] for i in questions(self.name, style=prompt.style)))]

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        if not prompt.style:
            raise NotScorable("prompt has no style")
        per_frame = self.frame_scores(features, self.name, style=prompt.style)["style"]
        details: dict[str, Any] = {"frames": per_frame.round(4).tolist()}
        try:  # a recorded sub-score only: the judge decides the value
            from wanbench.backbones.clip import ClipBackbone

            clip = features.get("clip")
            text = features.backbone("clip", ClipBackbone).embed_text(f"a {prompt.style} style image")
            details["clip_style_similarity"] = float((clip.image @ text).mean())
        except BackboneUnavailable as exc:
            details["clip_style_similarity"] = None
            details["clip_missing"] = str(exc)
        return Score(float(per_frame.mean()), features.backend("vlm"), details)


class SingleObject(JudgeDimension):
    description = "judge, frame level: share of keyframes showing the asked object"

    def judge_asks(self, prompt: Prompt) -> list[JudgeAsk]:
        return (
            [
                JudgeAsk(
                    "frames", tuple(i["question"] for o in prompt.objects for i in questions(self.name, name=o.name))
                )
            ]
            if prompt.objects
            else []
        )

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        if not prompt.objects:
            raise NotScorable("prompt lists no object")
        scores = self.frame_scores_each(features, self.name, [{"name": o.name} for o in prompt.objects])
        per_frame = np.prod([s["present"] for s in scores], axis=0)
        return Score(float(per_frame.mean()), features.backend("vlm"), {"frames": per_frame.round(4).tolist()})


class MultipleObject(JudgeDimension):
    description = "judge, frame level: every asked object present in the asked count"

    def judge_asks(self, prompt: Prompt) -> list[JudgeAsk]:
        return (
            [
                JudgeAsk(
                    "frames", tuple(questions(self.name, name=o.name)[0]["question"] for o in prompt.objects), "count"
                )
            ]
            if prompt.objects
            else []
        )

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        if not prompt.objects:
            raise NotScorable("prompt lists no objects")
        judge = self.judge(features)
        items = [questions(self.name, name=o.name)[0]["question"] for o in prompt.objects]
        answers = judge.ask_frames(items, kind="count")  # [objects][keyframes] -> digit distribution
        match = np.ones(len(judge.keyframes))
        expected = {}
        for obj, per_frame in zip(prompt.objects, answers):
            count = int(obj.count)
            if count >= len(per_frame[0]):
                raise NotScorable(
                    f"asked count {count} of {obj.name}: the judge's answers go to {len(per_frame[0]) - 1}"
                )
            probs = np.array([dist[count] for dist in per_frame])
            match *= probs
            expected[obj.name] = float(np.mean([np.dot(np.arange(len(dist)), dist) for dist in per_frame]))
        return Score(
            float(match.mean()),
            features.backend("vlm"),
            {
                "frames": match.round(4).tolist(),
                "expected_counts": expected,
                "asked": {o.name: o.count for o in prompt.objects},
            },
        )


class SpatialPosition(JudgeDimension):
    description = "judge, frame level: both objects present and in the asked relation"

    @staticmethod
    def fields(prompt: Prompt) -> dict[str, str]:
        s = prompt.spatial
        assert s is not None
        return {
            "subject": s.subject,
            "object": s.object,
            "relation": RELATION_WORDS.get(s.relation, s.relation.replace("_", " ")),
        }

    def judge_asks(self, prompt: Prompt) -> list[JudgeAsk]:
        if prompt.spatial is None:
            return []
        return [JudgeAsk("frames", tuple(i["question"] for i in questions(self.name, **self.fields(prompt))))]

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        if prompt.spatial is None:
            raise NotScorable("prompt has no spatial relation")
        parts = self.frame_scores(features, self.name, **self.fields(prompt))
        per_frame = parts["subject"] * parts["object"] * parts["relation"]
        return Score(
            float(per_frame.mean()),
            features.backend("vlm"),
            {"frames": per_frame.round(4).tolist(), **{k: float(v.mean()) for k, v in parts.items()}},
        )


class ActionFollowing(JudgeDimension):
    description = "judge on the clip: action alignment, completion and no artifacts"

    @staticmethod
    def fields(prompt: Prompt) -> dict[str, str]:
        return {"subject": prompt.subject.name if prompt.subject else "main subject", "action": prompt.action or ""}

    def judge_asks(self, prompt: Prompt) -> list[JudgeAsk]:
        if not prompt.action:
            return []
        return [JudgeAsk("clip", tuple(i["question"] for i in questions(self.name, **self.fields(prompt))))]

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        if not prompt.action:
            raise NotScorable("prompt has no action")
        value, parts = self.clip_scores(features, self.name, **self.fields(prompt))
        kind = prompt.subject.kind if prompt.subject else "object"
        return Score(value, features.backend("vlm"), {"parts": parts, "subdimension": kind, "method": "judge"})


def camera_question(prompt: Prompt) -> dict[str, Any]:
    """The judge's template for an aerial or tracking prompt's shot."""
    (item,) = [i for i in questions("camera_control") if i["name"] == prompt.camera]
    return item


def judge_asks(dimensions: Iterable[Any], prompt: Prompt) -> list[JudgeAsk]:
    """Every question the judge will be asked about a video of ``prompt`` by these dimensions (those
    without ``judge_asks`` ask none; one whose questions cannot be filled asks none ahead and reports
    that itself when it scores)."""
    asks: list[JudgeAsk] = []
    for dim in dimensions:
        planned = getattr(dim, "judge_asks", None)
        if planned is None:
            continue
        try:
            asks += planned(prompt)
        except (NotScorable, ValueError):
            continue
    return asks


def judge_camera(prompt: Prompt, features: FeatureCache) -> Score:
    """Camera Control for aerial and tracking prompts: P(yes) to the shot's question."""
    item = camera_question(prompt)
    (p_yes,) = features.get("vlm").ask_clip([item["question"]])
    return Score(
        goodness(p_yes, item["expect"]),
        features.backend("vlm"),
        {"method": "judge", "asked": prompt.camera, "judge_question": item["question"], "p_yes": float(p_yes)},
    )
