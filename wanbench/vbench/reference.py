"""The Wan 2.1 report's Table 4: VBench Quality / Semantic / Total (percent) of published models."""

from __future__ import annotations

import csv

from wanbench.benchmark.definition import load_benchmark
from wanbench.vbench.scores import QUALITY_WEIGHT, SEMANTIC_WEIGHT


def paper_table4() -> dict[str, dict[str, float]]:
    """{model: {"quality", "semantic", "total"}} as printed (percent, two decimals); the file is the
    ``paper_table4`` reference the vbench benchmark definition names."""
    text = load_benchmark("vbench").references["paper_table4"].path().read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    models = rows[0][1:]
    table: dict[str, dict[str, float]] = {m: {} for m in models}
    for row in rows[1:]:
        for model, value in zip(models, row[1:], strict=True):
            table[model][row[0]] = float(value)
    return table


def total_from(quality: float, semantic: float) -> float:
    """VBench's Total of a Quality and a Semantic score (any unit)."""
    return (QUALITY_WEIGHT * quality + SEMANTIC_WEIGHT * semantic) / (QUALITY_WEIGHT + SEMANTIC_WEIGHT)
