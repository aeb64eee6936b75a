"""Wan-Bench's dimension keys and display names, read from its benchmark definition
(``wanbench/data/benchmarks/wan-bench.json``, the one place they are written), for the modules that
have not yet been handed a benchmark. New code takes the keys from the benchmark it is given.
"""

from __future__ import annotations

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, load_benchmark

_WAN_BENCH = load_benchmark(DEFAULT_BENCHMARK)
DIMENSION_KEYS: tuple[str, ...] = _WAN_BENCH.keys


def display_name(key: str) -> str:
    return _WAN_BENCH.dimension_name(key)


def group(key: str) -> str:
    return _WAN_BENCH.dimension(key).group
