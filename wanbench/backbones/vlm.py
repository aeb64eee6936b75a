"""The ``vlm`` backbone's registered path; the judge itself lives in ``wanbench.backbones.judge``."""

from wanbench.backbones.judge.backbone import VideoJudge, VLMBackbone
from wanbench.backbones.judge.cache import AnswerCache
from wanbench.backbones.judge.protocol import JudgeError, JudgeSettings, Query, fit_pixels

__all__ = ["AnswerCache", "JudgeError", "JudgeSettings", "Query", "VLMBackbone", "VideoJudge", "fit_pixels"]
