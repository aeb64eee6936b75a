"""Scored run directories without videos, and simulated annotators with a known weighting."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wanbench.benchmark.definition import load_benchmark
from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.benchmark.versions import benchmark_versions
from wanbench.people.votes import Vote
from wanbench.run.runner import RESULTS_FILE
from wanbench.run.store import ResultRow, ResultStore

TRUE_WEIGHTS = np.array([0.30, 0.0, 0.20, 0.0, 0.15, 0.0, 0.12, 0.0, 0.08, 0.0, 0.0, 0.10, 0.05, 0.0])


CURRENT = benchmark_versions(load_benchmark())  # rows of today's metric versions, read as current


def scored_runs(
    root: Path, models: list[str], prompts: int, seed: int = 0, correlation: float = 0.0
) -> tuple[list[Path], dict]:
    """One run directory per model; every video scored on all 14 dimensions (uniform random values,
    with a per-model offset so models differ). Returns the run dirs and {(model, prompt, seed): scores}.

    With ``correlation`` c > 0 a video's 14 scores share one quality factor: each is 0.5 plus 0.15 times
    sqrt(c) * shared + sqrt(1 - c) * own (standard normals), plus the model offset, so any two
    dimensions correlate at about c (as real dimensions do: a sharp video tends to be stable too)."""
    rng = np.random.default_rng(seed)
    runs, table = [], {}
    for model in models:
        run = root / model
        offset = rng.uniform(-0.15, 0.15, len(DIMENSION_KEYS))
        rows = []
        for p in range(prompts):
            if correlation > 0:
                mixed = np.sqrt(correlation) * rng.normal() + np.sqrt(1 - correlation) * rng.normal(size=14)
                values = np.clip(0.5 + 0.15 * mixed + offset, 0, 1)
            else:
                values = np.clip(rng.uniform(0.2, 0.8, len(DIMENSION_KEYS)) + offset, 0, 1)
            table[(model, f"p{p:04d}", 0)] = values
            rows += [
                ResultRow(run.name, model, f"p{p:04d}", 0, d, CURRENT[d], "ok", float(v))
                for d, v in zip(DIMENSION_KEYS, values)
            ]
        with ResultStore(run / RESULTS_FILE) as store:
            store.write_results(rows)
        runs.append(run)
    return runs, table


def simulated_votes(
    table: dict,
    models: list[str],
    prompts: int,
    n_votes: int,
    weights: np.ndarray,
    sharpness: float = 25.0,
    annotators: int = 4,
    seed: int = 1,
) -> list[Vote]:
    """Annotators prefer a with probability sigmoid(sharpness * w . (s_a - s_b)): a logistic link, whose
    draws are the noise. Each vote is a distinct (prompt, pair, annotator)."""
    possible = prompts * len(models) * (len(models) - 1) // 2 * annotators
    assert n_votes <= possible // 2, f"{n_votes} distinct votes asked of {possible} possible: too close to all"
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


def video_runs(
    root: Path,
    models: list[str],
    prompts: list[tuple[str, str]],
    identical: tuple[str, str] | None = None,
    seed: int = 0,
    frames: dict[str, int] | None = None,
) -> list[Path]:
    """One run directory per model with real H.264 files (distinct per model) and two scored dimensions.

    ``prompts`` are (id, text) pairs, written to a suite file the runs' invocations name. With
    ``identical=(model, prompt_id)`` that model's video of that prompt is a byte copy of the first model's.
    ``frames`` gives a model's videos that many frames at 8 fps (default 8: one second)."""
    import json
    import shutil

    from wanbench.hashing import file_sha256
    from wanbench.video import write_video

    suite = root / "arena-suite.jsonl"
    suite.write_text(
        "".join(json.dumps({"id": pid, "text": text, "dimensions": ["image_quality"]}) + "\n" for pid, text in prompts),
        encoding="utf-8",
    )
    rng = np.random.default_rng(seed)
    runs = []
    for m, model in enumerate(models):
        run = root / model
        with ResultStore(run / RESULTS_FILE) as store:
            store.start_invocation(run.name, model, {"suite_path": str(suite)}, {}, "")
            for pid, _ in prompts:
                path = run / "videos" / model / f"{pid}-s0.mp4"
                if identical == (model, pid):
                    path.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(root / models[0] / "videos" / models[0] / f"{pid}-s0.mp4", path)
                else:
                    t = np.arange((frames or {}).get(model, 8))[:, None, None, None]
                    base = rng.integers(0, 255, (1, 48, 64, 3))
                    write_video(path, ((base + 12 * t * (m + 1)) % 256).astype(np.uint8), fps=8)
                sha = file_sha256(path)
                store.record_video(run.name, model, pid, 0, str(path), sha, 0.1)
                store.write_results(
                    [
                        ResultRow(
                            run.name, model, pid, 0, d, CURRENT[d], "ok", float(rng.uniform(0.3, 0.7)), video_sha256=sha
                        )
                        for d in ("image_quality", "smoothness")
                    ]
                )
        runs.append(run)
    return runs
