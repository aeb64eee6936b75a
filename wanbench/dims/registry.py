"""Dimensions resolved from a benchmark definition: the class its selected method names, bound to the
declaration's key, names and formula version. Classes are imported only here, when a run scores.

``wanbench dims`` lists a benchmark's dimensions through this. A dimension whose backbone cannot run
here is reported missing with the reason, never scored.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, Benchmark, load_benchmark
from wanbench.dims.base import Dimension


def get_dimension(
    name: str,
    benchmark: str | Benchmark = DEFAULT_BENCHMARK,
    backbone_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Dimension:
    """The dimension ``name`` of ``benchmark``, by the method ``backbone_options`` select (the default
    method without them), configured by those options."""
    spec = load_benchmark(benchmark).dimension(name)
    method = spec.method(backbone_options)
    module_name, _, attr = method.implementation.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    dimension: Dimension = cls().bind(spec, method)
    return dimension.configured(backbone_options or {})  # the options enter its metric version


def all_dimensions(benchmark: str | Benchmark = DEFAULT_BENCHMARK) -> list[Dimension]:
    """Every dimension of ``benchmark`` by its default method, in the benchmark's order."""
    bench = load_benchmark(benchmark)
    return [get_dimension(key, bench) for key in bench.keys]
