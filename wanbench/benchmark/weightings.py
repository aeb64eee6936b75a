"""Weight vectors over the 14 dimensions, by name: ``equal``, ``paper``, or a json/csv file.

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

from wanbench.dims.names import DIMENSION_KEYS
from wanbench.resources import data_dir, reference_dir

REFERENCE_DIR = reference_dir()
PAPER_TABLE = REFERENCE_DIR / "paper_table2.csv"
PAPER_FILE = data_dir("weightings", "paper.json")
FIT_TOLERANCE = 0.00049  # strictly inside the 0.0005 rounding band of a 3-decimal figure


class WeightingError(ValueError):
    pass


def _did_you_mean(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=2)
    return f"; did you mean {', '.join(close)}?" if close else ""


def load_reference(name: str = "paper") -> pd.DataFrame:
    """A published table as rows = models, columns = 14 dimensions + ``weighted_score``."""
    path = PAPER_TABLE if name == "paper" else Path(name)
    if not path.is_file():
        raise WeightingError(
            f"reference table not found: {path}{_did_you_mean(name, ['paper'])} "
            "(use paper, or a csv file in the paper_table2.csv layout)"
        )
    table = pd.read_csv(path, index_col="dimension").T
    missing = [d for d in DIMENSION_KEYS if d not in table.columns]
    if missing:
        raise WeightingError(f"{path}: reference table lacks dimensions {', '.join(missing)}")
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
    if set(weights) != set(DIMENSION_KEYS) or abs(sum(weights.values()) - 1.0) > 1e-9 or min(weights.values()) < 0:
        raise WeightingError(f"{PAPER_FILE}: weights must cover the 14 dimensions, be non-negative and sum to 1")
    return document


def paper_weights() -> dict[str, float]:
    weights = paper_weighting()["weights"]
    return {d: float(weights[d]) for d in DIMENSION_KEYS}


def load_weighting(name: str) -> dict[str, float]:
    """Weights by name (``equal``, ``paper``) or from a json ``{dim: w}`` (or ``{"weights": {dim: w}, ...}``,
    as ``weighting fit`` writes) / csv ``dimension,weight`` file."""
    if name == "equal":
        return {d: 1.0 / len(DIMENSION_KEYS) for d in DIMENSION_KEYS}
    if name == "paper":
        return paper_weights()
    path = Path(name)
    if not path.is_file():
        raise WeightingError(
            f"unknown weighting {name!r}{_did_you_mean(name, ['equal', 'paper'])}: use equal, paper, or a json/csv file"
        )
    if path.suffix == ".json":
        raw = json.loads(path.read_text())
        if isinstance(raw, dict) and isinstance(raw.get("weights"), dict):  # a `weighting fit` file
            raw = raw["weights"]
    else:
        frame = pd.read_csv(path)
        if not {"dimension", "weight"} <= set(frame.columns):
            raise WeightingError(f"{path}: csv weighting needs the columns dimension,weight")
        raw = dict(zip(frame["dimension"], frame["weight"]))
    unknown = sorted(set(raw) - set(DIMENSION_KEYS))
    if unknown:
        raise WeightingError(f"{path}: unknown dimensions {', '.join(unknown)}")
    weights = {d: float(raw.get(d, 0.0)) for d in DIMENSION_KEYS}
    if any(w < 0 or not np.isfinite(w) for w in weights.values()) or sum(weights.values()) <= 0:
        raise WeightingError(f"{path}: weights must be finite, non-negative and not all zero")
    total = sum(weights.values())
    return {d: w / total for d, w in weights.items()}
