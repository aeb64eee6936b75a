"""All 14 dimensions in one registry, each resolved lazily from the "module:Class" that
``wanbench.dims.names`` declares for it.

``wanbench dims`` lists this registry. A dimension whose backbone cannot run here is reported
missing with the reason, never scored.
"""

from __future__ import annotations

from wanbench.dims.base import Dimension
from wanbench.dims.names import DIMENSION_KEYS, DIMENSIONS
from wanbench.registry import Registry

DIMENSION_REGISTRY: Registry[type[Dimension] | Dimension] = Registry("dimension")
for _key, _entry in DIMENSIONS.items():  # each key's default method, from the one table of keys
    DIMENSION_REGISTRY.register(_key, _entry.implementation)


def get_dimension(name: str) -> Dimension:
    """The dimension instance for ``name`` (classes are instantiated with defaults)."""
    entry = DIMENSION_REGISTRY.get(name)
    return entry() if isinstance(entry, type) else entry


def all_dimensions() -> list[Dimension]:
    """Every dimension, in the paper's order."""
    return [get_dimension(name) for name in DIMENSION_KEYS]
