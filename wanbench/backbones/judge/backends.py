"""Judge backends: the ``Judge`` protocol every backend's judge follows, and the registry that picks one.

A backend is a frozen dataclass of its own options (the local judge's weights and batch, a server's
url and timeouts), registered by name as a lazy ``"module:attr"`` path. ``judge_backend(name,
options)`` builds one, refusing an unknown backend (with a did-you-mean), an option it does not take
and a value of the wrong type, before anything loads.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Protocol, Union

from wanbench.backbones.judge.protocol import JudgeSettings, Query
from wanbench.registry import Registry, UnknownNameError


class Judge(Protocol):
    """What answers queries: ``judge_id`` names the model (part of every cache key); ``answer`` gives
    one answer per query, P(yes) for yes/no and the distribution over 0..max_count for counts."""

    judge_id: str

    def answer(self, queries: list[Query]) -> list[Any]: ...


class JudgeBackend(Protocol):
    """A backend's options, and how to open its judge. ``overlaps``: whether a video's questions may
    be asked from a worker thread while another video scores (a server waits on the network; a local
    model would compete with scoring for the same compute)."""

    overlaps: ClassVar[bool]

    def check(self) -> None:
        """Raise BackboneUnavailable when the judge cannot run here (cheap: nothing loads)."""

    def open(self, settings: JudgeSettings) -> Judge:
        """The judge itself (loads the model or reads the server's tokenizer lazily)."""


JUDGES: Registry[type[JudgeBackend]] = Registry("judge backend")
JUDGES.register("local", "wanbench.backbones.judge.local:LocalBackend")
JUDGES.register("openai", "wanbench.backbones.judge.remote:OpenAIBackend")
# ``--judge remote``, the name runs recorded before the registry, is the OpenAI-compatible backend
JUDGES.register("remote", "wanbench.backbones.judge.remote:OpenAIBackend")


def registered(name: str) -> type[JudgeBackend]:
    """The backend class registered as ``name`` (ValueError with a did-you-mean when there is none)."""
    try:
        return JUDGES.get(name)
    except UnknownNameError as exc:
        raise ValueError(str(exc)) from None


def option_names(cls: type) -> set[str]:
    """The options a backend (a dataclass of them) takes."""
    return {f.name for f in dataclasses.fields(cls) if f.init}


def judge_backend(name: str, options: Mapping[str, Any]) -> JudgeBackend:
    """The backend registered as ``name``, built from ``options`` (ValueError: unknown backend, an
    option it does not take, or a value of the wrong type)."""
    return build_options(registered(name), options, f"judge {name!r}")


def check_vlm_options(options: Mapping[str, Any]) -> JudgeBackend:
    """The ``vlm`` backbone's options checked before anything is built: ``judge`` (a registered
    backend), ``settings`` (a JudgeSettings), ``cache_path`` and the chosen backend's own options.
    Returns the backend; ValueError (one line) for anything it cannot take."""
    given = dict(options)
    judge = given.pop("judge", "local")
    if not isinstance(judge, str):
        raise ValueError(f"vlm option 'judge' must name a judge backend, got {type(judge).__name__} {judge!r}")
    settings = given.pop("settings", None)
    if settings is not None and not isinstance(settings, JudgeSettings):
        raise ValueError(f"vlm option 'settings' must be a JudgeSettings, got {type(settings).__name__}")
    cache_path = given.pop("cache_path", None)
    if cache_path is not None and not isinstance(cache_path, (str, Path)):
        raise ValueError(f"vlm option 'cache_path' must be a path, got {type(cache_path).__name__} {cache_path!r}")
    return judge_backend(judge, given)


def build_options(cls: type, options: Mapping[str, Any], what: str) -> Any:
    """``cls(**options)`` for a dataclass of options, after checking each name and value type
    (a str is taken for a Path, an int for a float)."""
    fields = option_names(cls)
    unknown = sorted(set(options) - fields)
    if unknown:
        raise ValueError(
            f"{what} takes no option {', '.join(map(repr, unknown))} (it takes: {', '.join(sorted(fields)) or 'none'})"
        )
    hints = typing.get_type_hints(cls)
    return cls(**{name: _checked(value, hints[name], f"{what} option {name!r}") for name, value in options.items()})


def _checked(value: Any, hint: Any, what: str) -> Any:
    allowed = typing.get_args(hint) if typing.get_origin(hint) in (Union, types.UnionType) else (hint,)
    for kind in allowed:
        if kind is type(None) and value is None:
            return None
        if kind is bool and isinstance(value, bool):
            return value
        if kind in (int, float) and isinstance(value, int) and not isinstance(value, bool):
            return kind(value)
        if kind is float and isinstance(value, float):
            return value
        if kind is str and isinstance(value, str):
            return value
        if kind is Path and isinstance(value, (str, Path)):
            return Path(value)
    names = " or ".join("None" if k is type(None) else getattr(k, "__name__", str(k)) for k in allowed)
    raise ValueError(f"{what} must be {names}, got {type(value).__name__} {value!r}")
