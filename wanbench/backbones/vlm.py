"""The ``vlm`` backbone's registered path; the judge itself lives in ``wanbench.backbones.judge``."""

from wanbench.backbones.judge.backbone import VideoJudge, VLMBackbone
from wanbench.backbones.judge.backends import JUDGES, Judge, JudgeBackend, judge_backend
from wanbench.backbones.judge.cache import AnswerCache
from wanbench.backbones.judge.plan import JudgeAnswers, JudgePlan, JudgeRequest, Question
from wanbench.backbones.judge.protocol import JudgeError, JudgeSettings, Query, fit_pixels

__all__ = [
    "JUDGES",
    "AnswerCache",
    "Judge",
    "JudgeAnswers",
    "JudgeBackend",
    "JudgeError",
    "JudgePlan",
    "JudgeRequest",
    "JudgeSettings",
    "Query",
    "Question",
    "VLMBackbone",
    "VideoJudge",
    "fit_pixels",
    "judge_backend",
]
