"""Scored run directories without videos, and simulated annotators with a known weighting."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wanbench.dims.names import DIMENSION_KEYS
from wanbench.runner import RESULTS_FILE
from wanbench.store import ResultRow, ResultStore
from wanbench.votes import Vote

TRUE_WEIGHTS = np.array([0.30, 0.0, 0.20, 0.0, 0.15, 0.0, 0.12, 0.0, 0.08, 0.0, 0.0, 0.10, 0.05, 0.0])


def scored_runs(root: Path, models: list[str], prompts: int, seed: int = 0) -> tuple[list[Path], dict]:
    """One run directory per model; every video scored on all 14 dimensions (uniform random values,
    with a per-model offset so models differ). Returns the run dirs and {(model, prompt, seed): scores}."""
    rng = np.random.default_rng(seed)
    runs, table = [], {}
    for m, model in enumerate(models):
        run = root / model
        offset = rng.uniform(-0.15, 0.15, len(DIMENSION_KEYS))
        rows = []
        for p in range(prompts):
            values = np.clip(rng.uniform(0.2, 0.8, len(DIMENSION_KEYS)) + offset, 0, 1)
            table[(model, f"p{p:04d}", 0)] = values
            rows += [ResultRow(run.name, model, f"p{p:04d}", 0, d, "1", "ok", float(v))
                     for d, v in zip(DIMENSION_KEYS, values)]
        with ResultStore(run / RESULTS_FILE) as store:
            store.write_results(rows)
        runs.append(run)
    return runs, table


def simulated_votes(table: dict, models: list[str], prompts: int, n_votes: int, weights: np.ndarray,
                    sharpness: float = 25.0, annotators: int = 4, seed: int = 1) -> list[Vote]:
    """Annotators prefer a with probability sigmoid(sharpness * w . (s_a - s_b)): a logistic link, whose
    draws are the noise. Each vote is a distinct (prompt, pair, annotator)."""
    rng = np.random.default_rng(seed)
    votes, seen = [], set()
    while len(votes) < n_votes:
        p = f"p{rng.integers(prompts):04d}"
        i, j = rng.choice(len(models), 2, replace=False)
        a, b = sorted((models[i], models[j]))
        annotator = f"sim{rng.integers(annotators)}"
        if (p, a, b, annotator) in seen:
            continue
        seen.add((p, a, b, annotator))
        z = sharpness * weights @ (table[(a, p, 0)] - table[(b, p, 0)])
        winner = "a" if rng.random() < 1 / (1 + np.exp(-z)) else "b"
        votes.append(Vote(p, 0, a, b, annotator, winner, source="simulated"))
    return votes
