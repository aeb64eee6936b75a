"""The Dimension contract: which prompts it scores, which backbones it needs, how it scores.

A Score is in [0, 1], higher is better, and carries its sub-scores and raw values (``details``)
and the backend that produced it. A dimension that cannot run raises ``DimensionUnavailable``
(reported *missing* with the reason); a video it cannot score raises ``NotScorable`` (an error
row for that video), or ``NotApplicable`` when the video has nothing the metric measures. Neither ever
becomes a made-up number.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wanbench.backbones.base import FeatureCache
from wanbench.dims.names import DIMENSIONS, KEY_OF_CLASS
from wanbench.suite import Prompt
from wanbench.video import Video


class DimensionUnavailable(RuntimeError):
    """The dimension cannot run at all here (weights missing, backbone unavailable)."""


class NotScorable(ValueError):
    """This video cannot be scored on this dimension (the reason is the message)."""


class NotApplicable(NotScorable):
    """The metric has nothing to measure in this video (e.g. no static region for pixel stability):
    a *not_applicable* row, neither an error nor a score. ``backend`` names the method that looked
    (the row carries it, so a not-applicable flow row says which flow found nothing)."""

    def __init__(self, message: str, backend: str = "") -> None:
        super().__init__(message)
        self.backend = backend


@dataclass(frozen=True)
class Score:
    value: float
    backend: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.value, (int, float)) or not math.isfinite(self.value):
            raise NotScorable(f"score is not a finite number ({self.value!r})")
        if not 0.0 <= self.value <= 1.0:
            raise ValueError(f"score {self.value} is outside [0, 1]")


class Dimension(ABC):
    name: str = ""  # the dimension key; classes listed in wanbench.dims.names get it from there
    version: str = "1"
    needs: tuple[str, ...] = ()
    description: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A class listed in ``wanbench.dims.names.DIMENSIONS`` takes its key from that table, the one
        place keys are written; writing ``name`` in such a class again is refused."""
        super().__init_subclass__(**kwargs)
        key = KEY_OF_CLASS.get(f"{cls.__module__}:{cls.__qualname__}")
        if key is None:
            return
        if "name" in cls.__dict__:
            raise TypeError(
                f"{cls.__qualname__} sets name = {cls.__dict__['name']!r}; its key ({key!r}) is "
                "declared in wanbench.dims.names only"
            )
        cls.name = key

    @property
    def display_name(self) -> str:
        return DIMENSIONS[self.name].display_name

    @property
    def group(self) -> str:
        return DIMENSIONS[self.name].group

    def applies_to(self, prompt: Prompt) -> bool:
        return self.name in prompt.dimensions

    def configured(self, options: Mapping[str, Mapping[str, Any]]) -> Dimension:
        """The dimension as a run's backbone options configure it. A different method (a detector or
        a judge behind one dimension) is a different Dimension, with its own needs and metric version."""
        return self

    def partial_needs(self) -> dict[str, str]:
        """Backbones among ``needs`` without which the dimension still scores part of its prompts:
        name -> which prompts go missing. Readiness (``wanbench dims``) is decided by the others."""
        return {}

    @abstractmethod
    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        """Score one video for one prompt."""
