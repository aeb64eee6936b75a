"""The Python API: what the CLI does, as two calls that return data.

    import wanbench
    run = wanbench.evaluate(model="procedural", suite="smoke", out="runs/demo", limit=4)
    run.leaderboard()        # one row per model: weighted score, CI, each dimension, coverage
    run.videos()             # one row per (model, prompt, seed): prompt text, video path, each value
    wanbench.load_run("runs/demo").scores()   # every stored row, with its status

The CLI is a thin layer over the same functions (runner, aggregate, report), so numbers agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wanbench.benchmark.weightings import load_weighting
from wanbench.evaluation.aggregate import (
    ModelSummary,
    failed_applicability,
    load_results,
    mark_stale,
    run_versions,
    summarise,
)
from wanbench.run.store import RESULTS_FILE, ResultStore, is_run_dir


@dataclass
class Run:
    """A scored run directory, aggregated with one weighting."""

    path: Path
    weighting: str
    summaries: list[ModelSummary]
    results: pd.DataFrame = field(repr=False)
    failures: pd.DataFrame = field(repr=False)
    eval_summary: Any = field(default=None, repr=False)  # runner.EvalSummary when made by evaluate()

    def leaderboard(self, reference: str | None = None) -> pd.DataFrame:
        """Ranked rows (full coverage), then partial ones (rank NA), then reference rows if asked."""
        from wanbench.benchmark.weightings import load_reference
        from wanbench.report.tables import leaderboard_frame

        return leaderboard_frame(self.summaries, load_reference(reference) if reference else None)

    def scores(self) -> pd.DataFrame:
        """Every stored row (ok, error, missing, not_applicable, stale) with the prompt's text."""
        texts = self._prompt_texts()
        frame = self.results.drop(columns=["created"], errors="ignore").copy()
        frame.insert(3, "prompt", [texts.get((r, p), "") for r, p in zip(frame.run, frame.prompt_id)])
        return frame.reset_index(drop=True)

    def videos(self) -> pd.DataFrame:
        """One row per (run, model, prompt, seed): the prompt's text, the video file and each dimension's
        value (NaN where the row is not ok; the ``statuses`` column says why)."""
        rows = self.scores()
        if rows.empty:
            return pd.DataFrame(columns=["run", "model", "prompt_id", "seed", "prompt", "video"])
        keys = ["run", "model", "prompt_id", "seed"]
        statuses = rows.groupby(keys)["status"].agg(lambda s: ",".join(sorted(set(s)))).rename("statuses")
        ok = rows[rows.status == "ok"]
        values = (
            ok.pivot_table(index=keys, columns="dimension", values="value", aggfunc="first")
            if len(ok)
            else pd.DataFrame(index=statuses.index)
        )  # nothing scored (weights missing): no value columns yet
        from wanbench.dims.names import DIMENSION_KEYS

        asked = set(rows.dimension)  # a column for every dimension the run asked, valued or not (NaN)
        values = values.reindex(columns=[d for d in DIMENSION_KEYS if d in asked])
        texts = rows.groupby(keys)["prompt"].first()
        table = pd.concat([texts, statuses, values], axis=1).reset_index()
        paths = self._video_paths()
        table.insert(
            5,
            "video",
            [
                paths.get((r, m, p, int(s)), "")
                for r, m, p, s in zip(table.run, table.model, table.prompt_id, table.seed)
            ],
        )
        return table

    def report(self, out: str | Path | None = None, reference: str | None = None):
        """Write report.html, leaderboard.md/.csv, results.json and charts (default: into the run)."""
        from wanbench.report import write_report

        return write_report([self.path], Path(out) if out else self.path, weighting=self.weighting, reference=reference)

    def _prompt_texts(self) -> dict[tuple[str, str], str]:
        with ResultStore(self.path / RESULTS_FILE, readonly=True) as store:
            return {(p["run"], p["prompt_id"]): p["text"] for p in store.prompts()}

    def _video_paths(self) -> dict[tuple[str, str, str, int], str]:
        with ResultStore(self.path / RESULTS_FILE, readonly=True) as store:
            found = {}
            for v in store.videos():
                path = Path(v["path"])
                found[(v["run"], v["model"], v["prompt_id"], int(v["seed"]))] = str(
                    path if path.is_absolute() else self.path / path
                )
            return found


def load_run(path: str | Path, weighting: str = "paper") -> Run:
    """Aggregate a run directory (its results.sqlite) with ``weighting`` (equal, paper, or a file)."""
    path = Path(path)
    if not is_run_dir(path):
        raise FileNotFoundError(f"{path}: not a wanbench run directory (no {RESULTS_FILE})")
    weights = load_weighting(weighting)
    results, failures = load_results([path])
    results = mark_stale(results, by_model=run_versions([path]))
    summaries = summarise(results, failures, weights, failed_applicability([path], failures))
    return Run(path, weighting, summaries, results, failures)


def evaluate(
    model: str,
    suite: str | Path = "smoke",
    out: str | Path | None = None,
    *,
    seeds: Sequence[int] = (0,),
    dimensions: Sequence[str] | None = None,
    limit: int | None = None,
    name: str | None = None,
    weighting: str = "paper",
    report: bool = True,
    flow: str = "auto",
    model_options: dict[str, Any] | None = None,
    backbone_options: dict[str, dict[str, Any]] | None = None,
) -> Run:
    """Generate ``suite``'s videos with ``model``, score them, and return the aggregated run.

    Resumable like ``wanbench eval``: finished rows in ``out`` are kept. ``report=True`` also writes
    the run's report files. Problems with single prompts become error rows (see ``Run.scores()``).
    """
    from wanbench.run.runner import EvalConfig, Evaluator

    out = Path(out) if out is not None else Path("runs") / (name or model)
    config = EvalConfig(
        model=model,
        suite=str(suite),
        out=out,
        seeds=tuple(seeds),
        dimensions=tuple(dimensions) if dimensions else None,
        limit=limit,
        name=name,
        flow_backend=flow,
        model_options=dict(model_options or {}),
        backbone_options=dict(backbone_options or {}),
    )
    summary = Evaluator(config).run_suite()
    run = load_run(out, weighting)
    run.eval_summary = summary
    if report:
        run.report()
    return run
