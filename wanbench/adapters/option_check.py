"""Adapter options checked by name, type and range before any model is loaded.

``--option stepz=3`` used to reach the adapter's constructor as an unexpected keyword (a TypeError
reported as a wanbench bug), ``steps=ten`` loaded a pipeline and then failed every prompt, and
``use_dynamic_cfg=no`` stayed a string that Python reads as true. Each adapter declares its
options' types (its constructor's annotations, or its pipeline's ``__call__`` for the diffusers
baselines) and bounds; ``check`` returns the values converted to those types, or raises one
AdapterError line naming the option, what it must be, and the closest known names.
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wanbench.adapters.base import OptionError

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


@dataclass(frozen=True)
class OptionSpec:
    kind: Any  # a type, a Union of types, or Any
    low: float | None = None  # inclusive lower bound for numbers
    high: float | None = None


def unknown_option(key: str, known: typing.Iterable[str], what: str) -> OptionError:
    known = sorted(set(known))
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return OptionError(f"unknown option {key!r} for {what}{hint} (known: {', '.join(known)})")


def _alternatives(kind: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(kind)
    if origin is typing.Union or origin is types.UnionType:
        return tuple(a for a in typing.get_args(kind) if a is not type(None))
    if origin is not None and origin is not typing.Literal:
        return (origin,)  # list[int] -> list
    return (kind,)


def _convert(value: Any, kind: Any) -> Any:
    """``value`` as ``kind``, or raise ValueError/TypeError."""
    if kind is Any or kind is object:
        return value
    if typing.get_origin(kind) is typing.Literal:
        if value in typing.get_args(kind):
            return value
        raise ValueError
    if kind is bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError
    if kind is int:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        return int(str(value).strip())
    if kind is float:
        if isinstance(value, bool):
            raise TypeError
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError
        return number
    if kind in (str, Path):
        if isinstance(value, (dict, list, tuple)):
            raise TypeError
        return kind(value)
    if isinstance(kind, type) and isinstance(value, kind):
        return value
    raise TypeError


def _kind_name(kind: Any) -> str:
    names = {bool: "true or false", int: "an integer", float: "a number", str: "text", Path: "a path"}
    if typing.get_origin(kind) is typing.Literal:
        return "one of " + ", ".join(map(str, typing.get_args(kind)))
    return " or ".join(names.get(k, getattr(k, "__name__", str(k))) for k in _alternatives(kind))


def convert_option(key: str, value: Any, spec: OptionSpec, what: str) -> Any:
    """One option's value converted to its declared type and checked against its bounds."""
    converted, done = value, False
    # text tries bool first (``no`` for a str|bool option is false); a number tries the numbers first
    alternatives = sorted(
        _alternatives(spec.kind), key=lambda k: (k is not bool) if isinstance(value, str) else (k is bool)
    )
    for kind in alternatives:
        try:
            converted, done = _convert(value, kind), True
            break
        except (TypeError, ValueError):
            continue
    if not done:
        raise OptionError(f"{what}: option {key} must be {_kind_name(spec.kind)}, got {value!r}")
    if isinstance(converted, (int, float)) and not isinstance(converted, bool):
        if spec.low is not None and converted < spec.low:
            raise OptionError(f"{what}: option {key} must be at least {spec.low:g}, got {converted!r}")
        if spec.high is not None and converted > spec.high:
            raise OptionError(f"{what}: option {key} must be at most {spec.high:g}, got {converted!r}")
    return converted


def check_against(specs: dict[str, OptionSpec], options: dict[str, Any], what: str) -> dict[str, Any]:
    """Every option known to ``specs`` and of its declared type; returns the converted values."""
    checked = {}
    for key, value in options.items():
        if key not in specs:
            raise unknown_option(key, specs, what)
        checked[key] = convert_option(key, value, specs[key], what)
    return checked


def signature_specs(function: Any, bounds: dict[str, tuple[float | None, float | None]]) -> dict[str, OptionSpec]:
    """The keyword parameters of ``function`` with their annotated types (Any when unannotated or
    unresolvable; the type of the default when the annotation is missing), bounded by ``bounds``."""
    import inspect

    try:
        hints = typing.get_type_hints(function)
    except Exception:  # a forward reference the module cannot resolve: fall back to the defaults' types
        hints = {}
    specs = {}
    for name, param in inspect.signature(function).parameters.items():
        if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        kind = hints.get(name, Any)
        if kind is Any and param.default not in (None, inspect.Parameter.empty):
            kind = type(param.default)
        low, high = bounds.get(name, (None, None))
        specs[name] = OptionSpec(kind, low, high)
    return specs
