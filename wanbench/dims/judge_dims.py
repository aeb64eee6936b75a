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

Each dimension writes its questions once, as a plan (``judge_plan``: named requests built from the
templates); the runner asks every plan of a video as one batch, and the dimension's ``judge_score``
is a pure function of the answers to its plan.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from wanbench.backbones.base import BackboneUnavailable, FeatureCache
from wanbench.backbones.judge.plan import JudgeAnswers, JudgePlan, JudgeRequest, PlansJudge, Question, Scope
from wanbench.backbones.judge.protocol import JudgeError, check_user_text
from wanbench.benchmark.versions import judge_template_version
from wanbench.dims.base import Dimension, NotScorable, Score
from wanbench.prompts.suite import Prompt
from wanbench.video import Video

# Depth relations say which way they mean, since the relation question is framed for left and right.
RELATION_WORDS = {
    "left_of": "to the left of",
    "right_of": "to the right of",
    "above": "above",
    "below": "below",
    "in_front_of": "in front of (nearer to the camera than)",
    "behind": "behind (farther from the camera than)",
}


@lru_cache(maxsize=1)
def templates() -> dict[str, Any]:
    return json.loads(resources.files("wanbench").joinpath("data/judge_templates.json").read_text(encoding="utf-8"))


def questions(dimension: str, **fields: str) -> tuple[Question, ...]:
    """The dimension's templates with the prompt's fields filled in."""
    out = []
    for item in templates()[dimension]:
        try:
            text = check_user_text(item["question"].format(**fields))
        except KeyError as exc:
            raise NotScorable(f"prompt lacks {exc.args[0]!r}, which the {dimension} questions need") from None
        except JudgeError as exc:
            raise NotScorable(str(exc)) from None
        out.append(Question(item["name"], text, item.get("expect")))
    return tuple(out)


def request(name: str, scope: Scope, asked: Iterable[Question], kind: str = "yes") -> JudgeRequest:
    return JudgeRequest(name, scope, tuple(asked), kind)


def plan(*requests: JudgeRequest) -> JudgePlan:
    """A plan of ``requests``, stamped with the template version their questions came from."""
    return JudgePlan(requests, judge_template_version())


def template_of(dimension: Dimension) -> str:
    """The templates a dimension's questions come from: its benchmark definition's ``judge_template``
    (its key when none is declared)."""
    return (dimension.spec.judge_template if dimension.spec else None) or dimension.name


def goodness(p_yes: float, expect: str | None) -> float:
    return float(p_yes) if expect == "Yes" else 1.0 - float(p_yes)


def clip_goodness(answers: JudgeAnswers, request: str) -> dict[str, float]:
    """Question name -> goodness of its answer about the clip."""
    return {q.name: goodness(a, q.expect) for q, a in answers.paired(request)}


def frame_goodness(answers: JudgeAnswers, request: str) -> dict[str, np.ndarray]:
    """Question name -> [keyframes] goodness of its yes/no answers (counts are read by their dimension)."""
    return {q.name: np.array([goodness(a, q.expect) for a in per_frame]) for q, per_frame in answers.paired(request)}


def ask_judge(features: FeatureCache, asked: JudgePlan) -> JudgeAnswers:
    """The answers to ``asked`` from the video's judge: read from its cache when the runner asked the
    video's plans ahead as one batch, asked in one call otherwise."""
    return features.get("vlm").answer(asked, features.backend("vlm"))


class JudgeDimension(Dimension):
    """A dimension scored by the judge: ``judge_plan`` says what it asks about a video of a prompt
    (raising NotScorable when the prompt lacks what the questions need), ``judge_score`` turns the
    answers to that plan into the score and reads nothing else."""

    needs: tuple[str, ...] = ("vlm",)

    @property
    def template(self) -> str:
        return template_of(self)

    @abstractmethod
    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        """The requests ``judge_score`` reads, for a video of ``prompt``."""

    @abstractmethod
    def judge_score(self, prompt: Prompt, answers: JudgeAnswers) -> Score:
        """The score from the answers to ``judge_plan(prompt)``."""

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        return self.judge_score(prompt, ask_judge(features, self.judge_plan(prompt)))


class ClipQuestionsDimension(JudgeDimension):
    """The mean goodness of the dimension's clip-level questions, which need no prompt fields."""

    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        return plan(request("clip", "clip", questions(self.template)))

    def judge_score(self, prompt: Prompt, answers: JudgeAnswers) -> Score:
        parts = clip_goodness(answers, "clip")
        return Score(float(np.mean(list(parts.values()))), answers.backend, {"parts": parts})


class PhysicalPlausibility(ClipQuestionsDimension):
    description = "judge: no clipping, impossible collisions or gravity violations"


class Smoothness(ClipQuestionsDimension):
    description = "judge: smooth, natural motion without jitter"


class Stylization(JudgeDimension):
    needs = ("vlm", "clip")
    description = "judge, frame level: is each keyframe in the asked style (CLIP style similarity recorded)"

    def partial_needs(self) -> dict[str, str]:
        return {"clip": "the recorded CLIP style similarity (not the score)"}

    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        if not prompt.style:
            raise NotScorable("prompt has no style")
        return plan(request("style", "frames", questions(self.template, style=prompt.style)))

    def judge_score(self, prompt: Prompt, answers: JudgeAnswers) -> Score:
        per_frame = frame_goodness(answers, "style")["style"]
        return Score(float(per_frame.mean()), answers.backend, {"frames": per_frame.round(4).tolist()})

    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        judged = super().score(video, prompt, features)
        details = dict(judged.details)
        try:  # a recorded sub-score only: the judge decides the value
            from wanbench.backbones.clip import ClipBackbone

            clip = features.get("clip")
            text = features.backbone("clip", ClipBackbone).embed_text(f"a {prompt.style} style image")
            details["clip_style_similarity"] = float((clip.image @ text).mean())
        except BackboneUnavailable as exc:
            details["clip_style_similarity"] = None
            details["clip_missing"] = str(exc)
        return Score(judged.value, judged.backend, details)


class SingleObject(JudgeDimension):
    description = "judge, frame level: share of keyframes showing the asked object"

    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        if not prompt.objects:
            raise NotScorable("prompt lists no object")
        asked = (questions(self.template, name=o.name) for o in prompt.objects)
        return plan(*(request(f"object{i}", "frames", each) for i, each in enumerate(asked)))

    def judge_score(self, prompt: Prompt, answers: JudgeAnswers) -> Score:
        per_frame = np.prod([frame_goodness(answers, r.name)["present"] for r in answers.plan], axis=0)
        return Score(float(per_frame.mean()), answers.backend, {"frames": per_frame.round(4).tolist()})


class MultipleObject(JudgeDimension):
    description = "judge, frame level: every asked object present in the asked count"

    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        if not prompt.objects:
            raise NotScorable("prompt lists no objects")
        counts = (questions(self.template, name=o.name)[0] for o in prompt.objects)
        return plan(request("counts", "frames", counts, kind="count"))

    def judge_score(self, prompt: Prompt, answers: JudgeAnswers) -> Score:
        counts = answers["counts"]  # [objects][keyframes] -> distribution over 0..max_count
        match = np.ones(len(counts[0]))
        expected = {}
        for obj, per_frame in zip(prompt.objects, counts):
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
            answers.backend,
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
            "relation": RELATION_WORDS[s.relation],
        }

    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        if prompt.spatial is None:
            raise NotScorable("prompt has no spatial relation")
        return plan(request("spatial", "frames", questions(self.template, **self.fields(prompt))))

    def judge_score(self, prompt: Prompt, answers: JudgeAnswers) -> Score:
        parts = frame_goodness(answers, "spatial")
        per_frame = parts["subject"] * parts["object"] * parts["relation"]
        return Score(
            float(per_frame.mean()),
            answers.backend,
            {"frames": per_frame.round(4).tolist(), **{k: float(v.mean()) for k, v in parts.items()}},
        )


class ActionFollowing(JudgeDimension):
    description = "judge on the clip: action alignment, completion and no artifacts"

    @staticmethod
    def fields(prompt: Prompt) -> dict[str, str]:
        return {"subject": prompt.subject.name if prompt.subject else "main subject", "action": prompt.action or ""}

    def judge_plan(self, prompt: Prompt) -> JudgePlan:
        if not prompt.action:
            raise NotScorable("prompt has no action")
        return plan(request("action", "clip", questions(self.template, **self.fields(prompt))))

    def judge_score(self, prompt: Prompt, answers: JudgeAnswers) -> Score:
        parts = clip_goodness(answers, "action")
        kind = prompt.subject.kind if prompt.subject else "object"
        return Score(
            float(np.mean(list(parts.values()))),
            answers.backend,
            {"parts": parts, "subdimension": kind, "method": "judge"},
        )


def camera_plan(prompt: Prompt, template: str = "camera_control") -> JudgePlan:
    """Camera Control's judge half: the one question about an aerial or tracking prompt's shot."""
    (shot,) = [q for q in questions(template) if q.name == prompt.camera]
    return plan(request("shot", "clip", (shot,)))


def camera_score(prompt: Prompt, answers: JudgeAnswers) -> Score:
    """Camera Control for aerial and tracking prompts: P(yes) to the shot's question."""
    ((shot, p_yes),) = answers.paired("shot")
    return Score(
        goodness(p_yes, shot.expect),
        answers.backend,
        {"method": "judge", "asked": prompt.camera, "judge_question": shot.text, "p_yes": float(p_yes)},
    )


def judge_plans(dimensions: Iterable[Any], prompt: Prompt) -> list[JudgePlan]:
    """The non-empty plans these dimensions make for a video of ``prompt``, to be asked as one batch
    (a dimension that does not ask the judge plans nothing; one whose plan cannot be made for this
    prompt plans nothing ahead and reports why itself when it scores)."""
    plans = []
    for dim in dimensions:
        if not isinstance(dim, PlansJudge):
            continue
        try:
            made = dim.judge_plan(prompt)
        except ValueError:  # NotScorable included
            continue
        if made:
            plans.append(made)
    return plans
