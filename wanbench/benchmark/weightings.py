"""Weight vectors over a benchmark's dimensions, by name (``equal``, or one the benchmark declares, such
as wan-bench's ``paper``) or from a json/csv file; and the benchmark's published reference tables.

The paper never published its weights. ``paper`` is *fitted*, not published: the maximum-entropy
non-negative vector summing to 1 whose weighted sums reproduce all seven weighted scores of the
report's Table 2 to within half a unit of their third decimal (so they round to the published
values). Maximum entropy picks, among the many vectors that fit, the one that assumes least.
The fit ships as versioned data (``wanbench/data/weightings/paper.json``, full precision, with its
residuals; written by scripts/fit_paper_weighting.py) so a scipy upgrade cannot move it silently.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, Benchmark, load_benchmark
from wanbench.resources import data_dir, reference_dir

REFERENCE_DIR = reference_dir()
PAPER_TABLE = REFERENCE_DIR / "paper_table2.csv"
PAPER_FILE = data_dir("weightings", "paper.json")
WAN_BENCH_KEYS = load_benchmark(DEFAULT_BENCHMARK).keys  # the report's 14, which the paper fit covers
FIT_TOLERANCE = 0.00049  # strictly inside the 0.0005 rounding band of a 3-decimal figure


class WeightingError(ValueError):
    pass


def _did_you_mean(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=2)
    return f"; did you mean {', '.join(close)}?" if close else ""


def load_reference(name: str = "paper", benchmark: str | Benchmark = DEFAULT_BENCHMARK) -> pd.DataFrame:
    """A published table as rows = models, columns = the benchmark's dimensions (NaN where the table has
    no figure for one) + ``weighted_score``: a table the benchmark names, or a csv file in its layout."""
    bench = load_benchmark(benchmark)
    declared = bench.references.get(name)
    path = declared.path() if declared is not None and declared.file else Path(name)
    if not path.is_file():
        known = list(bench.references)
        raise WeightingError(
            f"reference table not found: {path}{_did_you_mean(name, known)} "
            f"(use {', '.join(known) or 'a csv file'} for {bench.name}, or a csv file in the paper_table2.csv layout)"
        )
    table = pd.read_csv(path, index_col="dimension").T
    present = [d for d in bench.keys if d in table.columns]
    if not present:
        raise WeightingError(f"{path}: reference table has none of {bench.name}'s dimensions")
    for d in bench.keys:
        if d not in table.columns:
            table[d] = np.nan  # a dimension the table never measured: shown as absent, never guessed
    return table


def fit_max_entropy_weights(scores: np.ndarray, totals: np.ndarray, tolerance: float = FIT_TOLERANCE) -> np.ndarray:
    """argmax -sum w log w  s.t.  w >= 0, sum w = 1, |scores @ w - totals| <= tolerance."""
    n = scores.shape[1]

    def neg_entropy(w: np.ndarray) -> float:
        w = np.clip(w, 1e-15, None)
        return float(np.sum(w * np.log(w)))

    def gradient(w: np.ndarray) -> np.ndarray:
        return np.log(np.clip(w, 1e-15, None)) + 1.0

    constraints = [
        {"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones(n)},
        {"type": "ineq", "fun": lambda w: tolerance - (scores @ w - totals), "jac": lambda w: -scores},
        {"type": "ineq", "fun": lambda w: tolerance + (scores @ w - totals), "jac": lambda w: scores},
    ]
    result = minimize(
        neg_entropy,
        np.full(n, 1.0 / n),
        jac=gradient,
        bounds=[(0.0, 1.0)] * n,
        constraints=constraints,
        method="SLSQP",
        options={"maxiter": 2000, "ftol": 1e-14},
    )
    weights = np.clip(result.x, 0.0, None)
    weights /= weights.sum()
    if not result.success or np.abs(scores @ weights - totals).max() > tolerance + 1e-9:
        raise WeightingError(f"no weight vector reproduces the table within {tolerance}: {result.message}")
    return weights


@lru_cache(maxsize=1)
def paper_weighting() -> dict:
    """The shipped fit: name, version, weights, residuals (see PAPER_FILE)."""
    document = json.loads(PAPER_FILE.read_text(encoding="utf-8"))
    weights = document.get("weights", {})
    if set(weights) != set(WAN_BENCH_KEYS) or abs(sum(weights.values()) - 1.0) > 1e-9 or min(weights.values()) < 0:
        raise WeightingError(f"{PAPER_FILE}: weights must cover the 14 dimensions, be non-negative and sum to 1")
    return document


def paper_weights() -> dict[str, float]:
    weights = paper_weighting()["weights"]
    return {d: float(weights[d]) for d in WAN_BENCH_KEYS}


def load_weighting(name: str, benchmark: str | Benchmark = DEFAULT_BENCHMARK) -> dict[str, float]:
    """Weights over ``benchmark``'s dimensions, summing to 1: by name (``equal``, or a weighting the
    benchmark declares) or from a json ``{dim: w}`` (or ``{"weights": {dim: w}, ...}``, as
    ``weighting fit`` writes) / csv ``dimension,weight`` file. A dimension a weighting does not name
    weighs 0: a weighting fitted to 14 dimensions keeps its numbers in a benchmark that adds a 15th."""
    bench = load_benchmark(benchmark)
    declared = bench.weightings.get(name)
    if declared is not None and declared.kind == "equal":
        return {d: 1.0 / len(bench.keys) for d in bench.keys}
    if declared is not None:
        path = declared.path()
        if path == PAPER_FILE:
            raw: dict = paper_weights()  # validated against the 14 it was fitted to
        else:
            raw = _read_weights(path)
    else:
        path = Path(name)
        if not path.is_file():
            known = list(bench.weightings)
            raise WeightingError(
                f"unknown weighting {name!r}{_did_you_mean(name, known)}: use {', '.join(known)} "
                f"(the weightings of {bench.name}), or a json/csv file"
            )
        raw = _read_weights(path)
    unknown = sorted(set(raw) - set(bench.keys))
    if unknown:
        raise WeightingError(f"{path}: unknown dimensions {', '.join(unknown)} for benchmark {bench.name}")
    weights = {d: float(raw.get(d, 0.0)) for d in bench.keys}
    if any(w < 0 or not np.isfinite(w) for w in weights.values()) or sum(weights.values()) <= 0:
        raise WeightingError(f"{path}: weights must be finite, non-negative and not all zero")
    total = sum(weights.values())
    return {d: w / total for d, w in weights.items()}


def _read_weights(path: Path) -> dict:
    if path.suffix == ".json":
        try:
            raw = json.loads(path.read_text())
        except ValueError as exc:
            raise WeightingError(f"{path}: not valid JSON ({exc})") from None
        if isinstance(raw, dict) and isinstance(raw.get("weights"), dict):  # a `weighting fit` file
            raw = raw["weights"]
        if not isinstance(raw, dict):
            raise WeightingError(f"{path}: a json weighting is an object {{dimension: weight}}")
        return raw
    frame = pd.read_csv(path)
    if not {"dimension", "weight"} <= set(frame.columns):
        raise WeightingError(f"{path}: csv weighting needs the columns dimension,weight")
    return dict(zip(frame["dimension"], frame["weight"]))
