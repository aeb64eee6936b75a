"""wanbench: an open implementation of Wan-Bench, the 14-dimension video-generation benchmark.

The Python API (docs/api.md): ``wanbench.evaluate(...)`` runs a model on a suite and returns a
``Run``; ``wanbench.load_run(path)`` reads a finished one. Both load lazily, so ``import wanbench``
stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "evaluate", "load_run", "Run"]


def __getattr__(name: str) -> Any:
    if name in ("evaluate", "load_run", "Run"):
        from wanbench import api

        return getattr(api, name)
    raise AttributeError(f"module 'wanbench' has no attribute {name!r}")
