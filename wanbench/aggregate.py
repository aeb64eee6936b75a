"""Per-dimension means with bootstrap 95% CIs, and the weighted score over them.

Seeds of one prompt are averaged first, so the bootstrap resamples prompts (the unit the suite
samples). The weighted score's CI reuses the same bootstrap replicates of every dimension. When a
dimension that carries weight has no value, the score is renormalised over the dimensions present
and labelled partial: it is not comparable with a full score.
"""

from __future__ import annotations

import json

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wanbench.dims.names import DIMENSION_KEYS
from wanbench.store import RESULTS_FILE, ResultStore

BOOTSTRAP_SAMPLES = 1000
BOOTSTRAP_SEED = 0


@dataclass
class DimensionSummary:
    dimension: str
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    n_error: int
    n_missing: int
    missing_reason: str | None = None
    replicates: np.ndarray | None = field(default=None, repr=False)
    subdimensions: dict[str, tuple[float, int]] = field(default_factory=dict)  # name -> (mean, prompts)

    def subdimension_label(self) -> str:
        return ", ".join(f"{name} {mean:.3f} (n={n})" for name, (mean, n) in self.subdimensions.items())


def subdimension_means(ok: pd.DataFrame) -> dict[str, tuple[float, int]]:
    """Per-prompt means split by ``details.subdimension`` (ID consistency: human / animal / object)."""
    def sub(details: object) -> str | None:
        try:
            return json.loads(details).get("subdimension") if isinstance(details, str) else None
        except (ValueError, AttributeError):
            return None

    if "details" not in ok.columns:
        return {}
    labels = ok["details"].map(sub)
    if labels.isna().all():
        return {}
    per_prompt = ok.assign(sub=labels).dropna(subset=["sub"]).groupby(["sub", "prompt_id"])["value"].mean()
    return {name: (float(values.mean()), int(len(values))) for name, values in per_prompt.groupby(level=0)}


@dataclass
class WeightedScore:
    value: float | None
    ci_low: float | None
    ci_high: float | None
    dimensions_used: list[str]
    partial: bool
    weight_covered: float  # share of the weighting's mass that had values

    @property
    def label(self) -> str:
        if self.value is None:
            return "n/a"
        text = f"{self.value:.3f}"
        if self.partial:
            text += f" (partial: {len(self.dimensions_used)}/{len(DIMENSION_KEYS)} dims)"
        return text


@dataclass
class ModelSummary:
    run: str
    model: str
    dimensions: dict[str, DimensionSummary]
    weighted: WeightedScore
    failures: int = 0


def load_results(run_dirs: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All result rows and failures of the given run directories."""
    results, failures = [], []
    for run_dir in run_dirs:
        db = Path(run_dir) / RESULTS_FILE
        if not db.is_file():
            from wanbench.shards import shard_paths

            if shard_paths(run_dir):
                raise FileNotFoundError(f"no {RESULTS_FILE} in {run_dir} yet, only shards: wanbench merge {run_dir}")
            raise FileNotFoundError(f"no {RESULTS_FILE} in {run_dir}: is it a wanbench run directory?")
        with ResultStore(db) as store:
            results.extend(store.results())
            failures.extend(store.failures())
    columns = ["run", "model", "prompt_id", "seed", "dimension", "metric_version", "status", "value",
               "details", "backend", "video_sha256", "seconds", "error"]
    result_frame = pd.DataFrame(results, columns=columns + ["created"])
    failure_frame = pd.DataFrame(failures, columns=["run", "model", "prompt_id", "seed", "stage", "message", "created"])
    return result_frame, failure_frame


def bootstrap_means(values: np.ndarray, samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """Means of ``samples`` resamples (with replacement) of ``values``."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(values), size=(samples, len(values)))
    return values[picks].mean(axis=1)


def summarise_dimension(rows: pd.DataFrame, dimension: str) -> DimensionSummary:
    ok = rows[rows.status == "ok"]
    per_prompt = ok.groupby("prompt_id")["value"].mean().to_numpy(float)
    n_error = int((rows.status == "error").sum())
    missing = rows[rows.status == "missing"]
    reason = Counter(missing.error.dropna()).most_common(1)[0][0] if len(missing) else None
    if len(per_prompt) == 0:
        if reason is None and n_error == 0:
            reason = "no prompt of the suite applies to this dimension"
        elif reason is None:
            reason = "every video failed on this dimension"
        return DimensionSummary(dimension, None, None, None, 0, n_error, len(missing), reason)
    replicates = bootstrap_means(per_prompt)
    low, high = np.percentile(replicates, [2.5, 97.5])
    return DimensionSummary(dimension, float(per_prompt.mean()), float(low), float(high), len(per_prompt),
                            n_error, len(missing), None, replicates, subdimension_means(ok))


def weighted_score(dims: dict[str, DimensionSummary], weights: dict[str, float]) -> WeightedScore:
    used = [d for d in DIMENSION_KEYS if weights.get(d, 0) > 0 and dims.get(d) and dims[d].mean is not None]
    total_weight = sum(w for w in weights.values() if w > 0)
    covered = sum(weights[d] for d in used)
    if not used or covered <= 0:
        return WeightedScore(None, None, None, [], True, 0.0)
    w = np.array([weights[d] for d in used]) / covered
    value = float(sum(wi * dims[d].mean for wi, d in zip(w, used)))
    replicates = sum(wi * dims[d].replicates for wi, d in zip(w, used))
    low, high = np.percentile(replicates, [2.5, 97.5])
    partial = covered < total_weight - 1e-12
    return WeightedScore(value, float(low), float(high), used, partial, covered / total_weight)


def summarise(results: pd.DataFrame, failures: pd.DataFrame, weights: dict[str, float]) -> list[ModelSummary]:
    """One summary per (run, model), dimensions in the paper's order."""
    summaries = []
    keys = results[["run", "model"]].drop_duplicates().itertuples(index=False)
    for run, model in keys:
        rows = results[(results.run == run) & (results.model == model)]
        dims = {d: summarise_dimension(rows[rows.dimension == d], d) for d in DIMENSION_KEYS}
        n_fail = int(((failures.run == run) & (failures.model == model)).sum()) if len(failures) else 0
        summaries.append(ModelSummary(run, model, dims, weighted_score(dims, weights), n_fail))
    return summaries
