"""Backbone contract and the per-video feature cache that lets dimensions share one computation.

A backbone is a feature extractor (optical flow, DINO, CLIP, ...) built once per run. For each
video the runner makes one ``FeatureCache``; the first dimension that asks for ``"flow"`` pays for
it and every later one reuses it. A backbone that cannot run (weights missing, not implemented)
raises ``BackboneUnavailable`` with the reason, and every dimension that needs it is reported
missing with that reason.
"""

from __future__ import annotations

import inspect
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, overload

from wanbench.benchmark.flow_settings import AUTO_CLASS, FLOW_METHODS, FLOW_ROLE
from wanbench.model_weights import WeightsError, require
from wanbench.registry import Registry
from wanbench.video import Video


class BackboneUnavailable(RuntimeError):
    """A backbone that cannot run here; the message says why and how to fix it. ``weights`` names the
    weights entries it lacks, for callers that act on them (`wanbench dims`); empty for other causes."""

    def __init__(self, message: str, weights: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.weights = tuple(weights)


def require_weights(name: str, template: str = "{}") -> dict[str, Path]:
    """The checked files of weights entry ``name``; when they are missing or corrupt, a
    BackboneUnavailable whose message is ``template`` filled with the registry's one-line reason."""
    try:
        return require(name)
    except WeightsError as exc:
        raise BackboneUnavailable(template.format(exc), weights=(name,)) from None


class Backbone(ABC):
    name: str = ""

    @abstractmethod
    def backend(self) -> str:
        """What actually computes the features (library, model, weights hash): recorded in scores."""

    def check(self) -> None:
        """Raise BackboneUnavailable if this backbone cannot run here (cheap; no model loading)."""

    @abstractmethod
    def compute(self, video: Video) -> Any:
        """Features of one video."""

    def torch_modules(self) -> list[Any]:
        """The loaded ``torch.nn.Module``s whose forward does this backbone's work (for profiling and
        device checks); empty before the first load and for backbones without one."""
        return []


def accepted_options(cls: type) -> set[str] | None:
    """The keyword options ``cls`` takes (None: any, it has ``**kwargs``)."""
    parameters = inspect.signature(cls).parameters.values()  # the constructor's, without self
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}


def constructor_options(
    cls: type, registered: str, role: str, options: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Options for the backbone registered as ``registered`` filling ``role`` (e.g. "flow-dis" as "flow").

    An entry under the registered name was asked for that backbone: it is passed whole, and an option
    the backbone does not take is a ValueError naming it. An entry under the role serves whichever
    backbone fills the role, so only the options this one takes are passed (RAFT's weights never reach
    DIS when the run chose DIS)."""
    taken = accepted_options(cls)
    if registered in options:
        given = dict(options[registered])
        unknown = sorted(set(given) - taken) if taken is not None else []
        if unknown:
            raise ValueError(
                f"backbone {registered!r} takes no option {', '.join(map(repr, unknown))} "
                f"(it takes: {', '.join(sorted(taken or ())) or 'none'})"
            )
        return given
    given = dict(options.get(role, {}))
    return given if taken is None else {k: v for k, v in given.items() if k in taken}


BACKBONES: Registry[type[Backbone]] = Registry("backbone")
BACKBONES.register(FLOW_ROLE, AUTO_CLASS)
for _method in FLOW_METHODS:
    BACKBONES.register(_method.backbone, _method.cls)
BACKBONES.register("dino", "wanbench.backbones.dino:DinoBackbone")
BACKBONES.register("clip", "wanbench.backbones.clip:ClipBackbone")
BACKBONES.register("iqa", "wanbench.backbones.iqa:IQABackbone")
BACKBONES.register("artifacts", "wanbench.backbones.artifact_detections:ArtifactBackbone")
BACKBONES.register("vlm", "wanbench.backbones.vlm:VLMBackbone")


B = TypeVar("B", bound=Backbone)


class FeatureCache:
    """Features of one video, each backbone computed at most once (failures are cached too)."""

    def __init__(self, video: Video, backbones: dict[str, Backbone]) -> None:
        self.video = video
        self.backbones = backbones
        self._values: dict[str, Any] = {}
        self._errors: dict[str, Exception] = {}
        self.seconds: dict[str, float] = {}

    def get(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if name in self._errors:
            raise self._errors[name]
        backbone = self.backbones.get(name)
        if backbone is None:
            error = BackboneUnavailable(f"backbone {name!r} is not configured for this run")
            self._errors[name] = error
            raise error
        start = time.perf_counter()
        try:
            backbone.check()
            value = backbone.compute(self.video)
        except Exception as exc:  # cached so a second dimension does not retry a failed backbone
            self._errors[name] = exc
            raise
        finally:
            self.seconds[name] = time.perf_counter() - start
        self._values[name] = value
        return value

    def backend(self, name: str) -> str:
        return self.backbones[name].backend()

    @overload
    def backbone(self, name: str) -> Backbone: ...

    @overload
    def backbone(self, name: str, kind: type[B]) -> B: ...

    def backbone(self, name: str, kind: type[Backbone] = Backbone) -> Backbone:
        """The backbone instance itself, for per-prompt work on top of cached features (text embeddings);
        ``kind`` is the class the caller needs (a backbone of another class raises TypeError)."""
        self.get(name)
        found = self.backbones[name]
        if not isinstance(found, kind):
            raise TypeError(f"backbone {name!r} is a {type(found).__name__}, not a {kind.__name__}")
        return found
