"""results.json: the machine-readable run (schema: docs/results.schema.json).

Per model and dimension: mean, 95% CI, counts by status, coverage, method and metric version; the
weighted score with its coverage and rank; the weighting's name and values; paired comparisons;
reference rows with their comparability; and the provenance of every invocation. Written with
sorted keys and no clock of its own, so the same runs give the same bytes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, SupportsFloat

import pandas as pd

from wanbench.evaluation.aggregate import ModelSummary
from wanbench.evaluation.read import Evaluation
from wanbench.report.tables import reference_comparability

SCHEMA_VERSION = "2"  # 2: the benchmark read, its dimension keys; metric versions per (run, model)


def _num(value: SupportsFloat | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _weighting_version(name: str) -> str | None:
    """The shipped weighting's version (``paper``); None for ``equal`` and user files."""
    if name != "paper":
        return None
    from wanbench.benchmark.weightings import paper_weighting

    return str(paper_weighting()["version"])


def _dimension(summary: ModelSummary, d: str, version: str) -> dict[str, Any]:
    x = summary.dimensions[d]
    return {
        "mean": _num(x.mean),
        "ci_low": _num(x.ci_low),
        "ci_high": _num(x.ci_high),
        "ci_draws": x.ci_draws if x.mean is not None else None,
        "ci_note": x.ci_note,
        "coverage": {
            "scored_prompts": x.n,
            "applicable_prompts": x.applicable,
            "partial": x.partial,
            "complete": x.complete,
        },
        "counts": {
            "error": x.n_error,
            "missing": x.n_missing,
            "not_applicable": x.n_not_applicable,
            "stale": x.n_stale,
            "other_method": x.n_other_method,
        },
        "method": x.method,
        "reference_method": x.reference_method,
        "method_note": x.method_note,
        "metric_version": version,
        "missing_reason": x.missing_reason,
        "subdimensions": {name: {"mean": mean, "prompts": n} for name, (mean, n) in x.subdimensions.items()},
    }


def _common_versions(evaluation: Evaluation) -> dict[str, str]:
    """dimension -> the current metric version, or every version joined by " | " when models differ."""
    out: dict[str, str] = {}
    for d in evaluation.benchmark.keys:
        seen = sorted({v[d] for v in evaluation.versions.values() if d in v})
        if seen:
            out[d] = " | ".join(seen)
    return out


def results_document(evaluation: Evaluation, frame: pd.DataFrame) -> dict[str, Any]:
    """The machine-readable document of ``evaluation``; ``frame`` is its leaderboard (ranks)."""
    keys = evaluation.benchmark.keys
    summaries, weights, pairs = evaluation.summaries, evaluation.weights, evaluation.pairs
    reference, reference_name, invocations = evaluation.reference, evaluation.reference_name, evaluation.invocations
    model_versions = evaluation.versions
    ranks = {
        (r.run, r.model): (None if pd.isna(r.rank) else int(r.rank))
        for r in frame[frame.source == "measured"].itertuples(index=False)
    }
    models = []
    for s in summaries:
        w = s.weighted
        models.append(
            {
                "run": s.run,
                "model": s.model,
                "label": s.label,
                "prompts_scored": len(s.prompts),
                "failures": s.failures,
                "bootstrap_seed": s.bootstrap_seed,
                "weighted": {
                    "value": _num(w.value),
                    "ci_low": _num(w.ci_low),
                    "ci_high": _num(w.ci_high),
                    "ci_draws": w.ci_draws if w.ci_low is not None else None,
                    "ci_note": w.ci_note,
                    "partial": w.partial,
                    "rank": ranks.get((s.run, s.model)),
                    "weight_covered": w.weight_covered,
                    "weight_complete": w.weight_complete,
                    "dimensions_used": list(w.dimensions_used),
                },
                "dimensions": {d: _dimension(s, d, model_versions.get((s.run, s.model), {}).get(d, "")) for d in keys},
            }
        )
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "benchmark": {
            "name": evaluation.benchmark.name,
            "version": evaluation.benchmark.version,
            "title": evaluation.benchmark.title,
            "dimensions": list(keys),
        },
        "weighting": {
            "name": evaluation.weighting_label,
            "version": _weighting_version(evaluation.weighting),
            "values": {d: float(weights.get(d, 0.0)) for d in keys},
        },
        "bootstrap": {
            "samples": evaluation.samples,
            "confidence": 0.95,
            "method": "percentile bootstrap over prompts, one joint draw per replicate for every "
            "dimension and the weighted score, seeded from run, model and prompt ids",
        },
        "metric_versions": _common_versions(evaluation),
        "models": models,
        "paired_comparisons": [
            {
                "a": p.a,
                "b": p.b,
                "difference": p.difference,
                "ci_low": _num(p.ci_low),
                "ci_high": _num(p.ci_high),
                "prompts": p.prompts,
                "dimensions": p.dimensions,
                "left_out": p.left_out,
                "weight_share": p.weight_share,
                "verdict": p.verdict,
            }
            for p in pairs
        ],
        "reference": None,
        "provenance": [
            {
                "run": i["run"],
                "model": i["model"],
                "started": i["started"],
                "finished": i["finished"],
                "status": i["status"],
                "suite_sha256": i["suite_sha256"],
                "config": i["config"],
                "provenance": i["provenance"],
            }
            for i in invocations
        ],
    }
    if reference is not None:
        comparable = reference_comparability()
        document["reference"] = {
            "name": reference_name or "paper",
            "ranked_with_measured": False,
            "comparable": {
                d: {
                    "comparable": bool(comparable.get(d, {}).get("comparable", False)),
                    "note": comparable.get(d, {}).get("note", "no comparability recorded"),
                }
                for d in keys
            },
            "rows": [
                {
                    "model": str(model),
                    "weighted_score": float(row["weighted_score"]),
                    "dimensions": {d: _num(row[d]) for d in keys},
                }
                for model, row in reference.iterrows()
            ],
        }
    return document


def write_results_json(path: Path, document: dict[str, Any]) -> Path:
    from wanbench.safe_write import write_text

    write_text(path, json.dumps(document, indent=2, sort_keys=True, default=str, allow_nan=False) + "\n")
    return path
