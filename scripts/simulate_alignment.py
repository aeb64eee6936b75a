"""Simulated annotators with a known weighting: how well each fitting method recovers it.

Six models, 150 prompts, 14 dimension scores per video (uniform, plus a per-model offset); an
annotator prefers video a with probability sigmoid(25 * w . (s_a - s_b)). Prints, per method, the
cosine similarity of the fitted weights to w and the 5-fold held-out pairwise accuracy beside the
equal and paper weightings. The same set-up is the test in tests/test_alignment.py. With
``--correlation C`` the 14 scores of a video share a quality factor (dimensions correlate at about C),
where the Pearson method loses the true weights.

    PYTHONPATH=. python scripts/simulate_alignment.py [--votes 2000] [--seed 0] [--correlation 0.5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.votes_helpers import TRUE_WEIGHTS, scored_runs, simulated_votes
from wanbench.benchmark.weightings import load_weighting
from wanbench.people.alignment import (
    DIMS,
    METHODS,
    fit_weighting,
    load_video_scores,
    vote_data,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--correlation", type=float, default=0.0, help="shared quality factor of the 14 scores")
    args = parser.parse_args()
    models = [f"m{i}" for i in range(6)]
    with tempfile.TemporaryDirectory() as root:
        runs, table = scored_runs(Path(root), models, 150, seed=args.seed, correlation=args.correlation)
        votes = simulated_votes(table, models, 150, args.votes, TRUE_WEIGHTS, seed=args.seed + 1)
        data = vote_data(votes, load_video_scores(runs))
    pairs = np.corrcoef(data.diffs.T)[np.triu_indices(len(DIMS), 1)]
    print(f"correlation {args.correlation}: mean pairwise correlation of score differences {pairs.mean():.3f}")
    reference = {"equal": load_weighting("equal"), "paper": load_weighting("paper")}
    print(
        f"{len(data)} simulated votes; true weights: "
        + ", ".join(f"{d} {w:.2f}" for d, w in zip(DIMS, TRUE_WEIGHTS) if w > 0)
    )
    uniform = np.ones(len(DIMS))
    print(
        f"equal weights: cosine to the true weights "
        f"{uniform @ TRUE_WEIGHTS / np.linalg.norm(uniform) / np.linalg.norm(TRUE_WEIGHTS):.3f}"
    )
    for method in METHODS:
        result = fit_weighting(data, method, reference)
        fitted = np.array([result.weights[d] for d in DIMS])
        cosine = fitted @ TRUE_WEIGHTS / np.linalg.norm(fitted) / np.linalg.norm(TRUE_WEIGHTS)
        held = "; ".join(
            f"{name} {e['accuracy']:.3f} [{e['low']:.3f}, {e['high']:.3f}]" for name, e in result.held_out.items()
        )
        print(f"{method}: cosine to the true weights {cosine:.3f}; held-out accuracy: {held}")


if __name__ == "__main__":
    main()
