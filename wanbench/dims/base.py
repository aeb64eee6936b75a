"""The Dimension contract: which prompts it scores, which backbones it needs, how it scores.

A Score is in [0, 1], higher is better, and carries its sub-scores and raw values (``details``)
and the backend that produced it. A dimension that cannot run raises ``DimensionUnavailable``
(reported *missing* with the reason); a video it cannot score raises ``NotScorable`` (an error
row for that video), or ``NotApplicable`` when the video has nothing the metric measures. Neither ever
becomes a made-up number.
"""

from __future__ import annotations

import copy
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from wanbench.backbones.base import FeatureCache
from wanbench.benchmark.definition import DimensionSpec, Method, load_benchmark, packaged_benchmarks
from wanbench.benchmark.versions import metric_version
from wanbench.prompts.suite import Prompt
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


@lru_cache(maxsize=1)
def _packaged_class_keys() -> dict[str, tuple[str, DimensionSpec, Method]]:
    """ "module:Class" -> (key, spec, method) over the benchmarks that ship with wanbench (first wins)."""
    out: dict[str, tuple[str, DimensionSpec, Method]] = {}
    for name in packaged_benchmarks():
        for spec in load_benchmark(name).dimensions:
            for method in spec.methods:
                out.setdefault(method.implementation, (spec.key, spec, method))
    return out


class Dimension(ABC):
    """One method of one dimension. Its key, display name, group and metric version come from the
    benchmark definition (``wanbench.benchmark``): ``bind`` sets them, and a class that a packaged
    benchmark lists is bound to that entry when it is defined, so ``LargeMotion()`` is ready to use."""

    name: str = ""  # the dimension key
    spec: DimensionSpec | None = None
    method: Method | None = None
    backbone_options: Mapping[str, Mapping[str, Any]] = {}  # the run's, as ``configured`` set them
    needs: tuple[str, ...] = ()
    description: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A class a packaged benchmark lists takes its key and method from that declaration, the one
        place they are written; writing ``name`` or ``version`` in such a class is refused."""
        super().__init_subclass__(**kwargs)
        found = _packaged_class_keys().get(f"{cls.__module__}:{cls.__qualname__}")
        if found is None:
            return
        for attribute in ("name", "version"):
            if attribute in cls.__dict__:
                raise TypeError(
                    f"{cls.__qualname__} sets {attribute}; its key and metric version are declared in the "
                    "benchmark definition (wanbench/data/benchmarks/) only"
                )
        cls.name, cls.spec, cls.method = found

    def bind(self, spec: DimensionSpec, method: Method) -> Dimension:
        """This dimension as ``spec``/``method`` of a benchmark declare it."""
        self.name, self.spec, self.method = spec.key, spec, method
        return self

    @property
    def version(self) -> str:
        """The metric version its rows carry (``wanbench.benchmark.versions``): rows of another version
        are stale, never averaged."""
        if self.method is None:
            return "1"  # a class no benchmark declares, used on its own
        return metric_version(self.method, self.backbone_options)

    @property
    def display_name(self) -> str:
        return self.spec.display_name if self.spec else self.name

    @property
    def group(self) -> str:
        return self.spec.group if self.spec else ""

    def applies_to(self, prompt: Prompt) -> bool:
        """The declaration decides: prompts that list the dimension, or every prompt (``applies_to: all``)."""
        return self.spec.applies(prompt.dimensions) if self.spec else self.name in prompt.dimensions

    def configured(self, options: Mapping[str, Mapping[str, Any]]) -> Dimension:
        """The dimension under a run's backbone options (which enter its metric version where the
        method depends on them). Another method (a detector or a judge behind one dimension) is another
        class, chosen by ``get_dimension`` from the benchmark definition."""
        if dict(options) == dict(self.backbone_options):
            return self
        out = copy.copy(self)
        out.backbone_options = dict(options)
        return out

    def partial_needs(self) -> dict[str, str]:
        """Backbones among ``needs`` without which the dimension still scores part of its prompts:
        name -> which prompts go missing. Readiness (``wanbench dims``) is decided by the others."""
        return {}

    @abstractmethod
    def score(self, video: Video, prompt: Prompt, features: FeatureCache) -> Score:
        """Score one video for one prompt."""
