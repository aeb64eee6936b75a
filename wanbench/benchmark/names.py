"""How reports name and order dimension keys they are handed: display names and groups as the
benchmark that declares them writes them (``wanbench/data/benchmarks/``, the one place they are
written), and wan-bench's keys (``DIMENSION_KEYS``), the default order."""

from __future__ import annotations

from collections.abc import Iterable

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, declared_dimension, load_benchmark

_WAN_BENCH = load_benchmark(DEFAULT_BENCHMARK)
DIMENSION_KEYS: tuple[str, ...] = _WAN_BENCH.keys


def display_name(key: str) -> str:
    """A dimension's display name, as the benchmark that declares it writes it (the key if none does)."""
    spec = declared_dimension(key)
    return spec.display_name if spec else key


def group(key: str) -> str:
    spec = declared_dimension(key)
    return spec.group if spec else ""


def ordered_keys(present: Iterable[str]) -> list[str]:
    """``present`` dimension keys in reporting order: wan-bench's first, then any others as given."""
    present = list(dict.fromkeys(present))
    return [k for k in DIMENSION_KEYS if k in present] + [k for k in present if k not in DIMENSION_KEYS]
