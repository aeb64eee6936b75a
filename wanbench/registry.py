"""One typed registry shape for dimensions, backbones and model adapters.

Entries are either registered objects/factories or lazy ``"module:attr"`` strings, so a heavy
import (torch models, transformers) happens only when that entry is asked for. Unknown names get
a did-you-mean answer instead of a KeyError.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, overload

T = TypeVar("T")


class UnknownNameError(KeyError):
    """A registry lookup for a name that is not registered."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0])


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T | str] = {}

    @overload
    def register(self, name: str, entry: None = None) -> Callable[[T], T]: ...

    @overload
    def register(self, name: str, entry: T | str) -> T | str: ...

    def register(self, name: str, entry: T | str | None = None) -> Callable[[T], T] | T | str:
        """Register ``entry`` under ``name``; without an entry, acts as a decorator."""
        if entry is not None:
            self._add(name, entry)
            return entry

        def decorator(obj: T) -> T:
            self._add(name, obj)
            return obj

        return decorator

    def _add(self, name: str, entry: T | str) -> None:
        if name in self._entries and self._entries[name] is not entry:
            existing = self._entries[name]
            # A lazy string being replaced by the object it points to is the normal import path.
            if not isinstance(existing, str):
                raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._entries[name] = entry

    def get(self, name: str) -> T:
        if name not in self._entries:
            close = difflib.get_close_matches(name, list(self._entries), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            known = ", ".join(sorted(self._entries))
            raise UnknownNameError(f"unknown {self.kind} {name!r}{hint} (known: {known})")
        entry = self._entries[name]
        if not isinstance(entry, str):
            return entry
        module_name, _, attr = entry.partition(":")
        loaded: T = getattr(importlib.import_module(module_name), attr)
        self._entries[name] = loaded
        return loaded

    def names(self) -> list[str]:
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)
