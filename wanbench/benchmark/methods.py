"""Which method produced a score row, and whether a cell's methods are the report's.

A fallback (DIS flow when RAFT weights are absent, whole frames when the subject detector is absent,
the VLM judge instead of the artifact detector) changes what a number means. Every row is labelled
with its method family; a (model, dimension) cell states its method, whether that is the one its
benchmark declares as the reference (``reference_methods`` in the definition), and never averages two
alternative methods together (aggregate.py keeps one and counts the rest). The flow methods and their
labels are one table, ``flow_settings.FLOW_METHODS``.
"""

from __future__ import annotations

import json
from functools import cache

from wanbench.benchmark.definition import Benchmark, load_benchmark
from wanbench.benchmark.flow_settings import FLOW_LABELS, flow_method_label

# Alternatives that measure the same thing differently: rows of two members of one group never mix.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "flow": FLOW_LABELS,
    "id": ("subject crop", "whole frame"),
    "artifacts": ("detector", "judge"),
}


@cache
def _default_benchmark() -> Benchmark:
    return load_benchmark()


def _measures_flow(dimension: str, bench: Benchmark) -> bool:
    """From the benchmark being read; a dimension it lacks (a Wan-Bench row read as VBench) is looked
    up in the default benchmark, so a row's label never depends on which benchmark reads it."""
    for source in (bench, _default_benchmark()):
        if dimension in source.keys:
            return source.dimension(dimension).measures_flow
    return False


def _details_method(details: object) -> str | None:
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            return None
    return details.get("method") if isinstance(details, dict) else None


def row_method(dimension: str, backend: str | None, details: object = None, benchmark: Benchmark | None = None) -> str:
    """The method family of one ok row ("" where the dimension has a single method): the label the row
    recorded in ``details["method"]``; for a row written before rows recorded it, read from its backend
    string. Which dimensions measure flow comes from the definitions (``benchmark``, then the default)."""
    text = (backend or "").lower()
    bench = benchmark or _default_benchmark()
    recorded = _details_method(details)
    if _measures_flow(dimension, bench):
        if recorded == "judge" or text.startswith("judge"):
            return "judge"  # camera control's aerial / tracking prompts
        return flow_method_label(recorded, backend) or "unknown flow"
    if dimension == "id_consistency":
        # the run's configuration (a subject detector or none), from the backend string: a row's own
        # details["method"] says how this one video was read (no dog found: the whole frame)
        if "whole frames" in text:
            return "whole frame"
        if "subject crops" in text:
            return "subject crop"
        return "unknown crop"
    if dimension == "human_artifacts":
        if recorded in ALTERNATIVES["artifacts"]:
            return str(recorded)
        if text.startswith("artifacts/judge") or text.startswith("judge"):
            return "judge"
        if "artifacts/yolo" in text or "ultralytics" in text:
            return "detector"
        return "unknown detector"
    return ""


def group_of(dimension: str, method: str) -> str:
    """Which alternatives group a method belongs to within a dimension (its own name if none)."""
    if dimension == "camera_control" and method == "judge":
        return "camera judge"  # a role of its own, not an alternative to flow
    for group, members in ALTERNATIVES.items():
        if method in members:
            return group
    return method


def reference_methods(dimension: str, benchmark: Benchmark | None = None) -> frozenset[str]:
    """The methods the benchmark's definition names as the report's for ``dimension`` (empty: any)."""
    bench = benchmark or _default_benchmark()
    return bench.dimension(dimension).reference_methods if dimension in bench.keys else frozenset()


def is_reference(dimension: str, methods: set[str], benchmark: Benchmark | None = None) -> bool:
    """True when every method of the cell is one its benchmark declares as the report's."""
    reference = reference_methods(dimension, benchmark)
    if not reference:
        return True
    return bool(methods) and methods <= reference
