"""The class the vbench benchmark definition names for its dimensions.

VBench's dimensions are not scored video by video in wanbench's process: they run in VBench's own
environment, chunk by chunk, through ``wanbench.vbench.runner.score_vbench`` (what ``wanbench
score/eval --benchmark vbench`` call). Anything that tries to build one as an in-process dimension
gets this one-line error instead of a number.
"""

from __future__ import annotations

from typing import Any


class VBenchEvaluator:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "VBench's dimensions run through VBench's own evaluators in their own environment: "
            "use `wanbench score --benchmark vbench` or `wanbench eval --benchmark vbench`"
        )
