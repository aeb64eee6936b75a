"""Refit the ``paper`` weighting from the report's Table 2 and write it as versioned package data.

    python scripts/fit_paper_weighting.py            # writes wanbench/data/weightings/paper.json
    python scripts/fit_paper_weighting.py --check    # exit 1 if the shipped file differs from a refit

The weights are shipped, not refitted at every run: a different scipy could move the optimum in a
late digit and silently change every weighted score. tests/test_weighting.py refits and compares.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wanbench.benchmark.names import DIMENSION_KEYS  # noqa: E402
from wanbench.benchmark.weightings import (  # noqa: E402
    FIT_TOLERANCE,
    PAPER_FILE,
    PAPER_TABLE,
    fit_max_entropy_weights,
    load_reference,
)

VERSION = "1"


def paper_document() -> dict:
    table = load_reference("paper")
    scores, totals = table[list(DIMENSION_KEYS)].to_numpy(float), table["weighted_score"].to_numpy(float)
    weights = fit_max_entropy_weights(scores, totals)
    fitted = scores @ weights
    return {
        "name": "paper",
        "version": VERSION,
        "method": (
            "maximum-entropy non-negative weights summing to 1 whose weighted sums of the report's Table 2 "
            "dimension scores lie within fit_tolerance of its published weighted scores (scipy SLSQP)"
        ),
        "fit_tolerance": FIT_TOLERANCE,
        "reference_table": PAPER_TABLE.relative_to(ROOT).as_posix(),
        "reference_sha256": hashlib.sha256(PAPER_TABLE.read_bytes()).hexdigest(),
        "weights": {d: float(w) for d, w in zip(DIMENSION_KEYS, weights)},
        "fit": {
            str(model): {"published": float(t), "fitted": float(f), "residual": float(f - t)}
            for model, t, f in zip(table.index, totals, fitted)
        },
        "max_abs_residual": float(np.abs(fitted - totals).max()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing")
    args = parser.parse_args()
    document = paper_document()
    if args.check:
        shipped = json.loads(PAPER_FILE.read_text(encoding="utf-8"))
        worst = max(abs(shipped["weights"][d] - document["weights"][d]) for d in DIMENSION_KEYS)
        print(f"largest weight difference shipped vs refit: {worst:.2e}")
        return 0 if worst < 1e-6 else 1
    PAPER_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {PAPER_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
