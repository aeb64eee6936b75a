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

from wanbench.benchmark.definition import DEFAULT_BENCHMARK
from wanbench.benchmark.flow_settings import AUTO
from wanbench.evaluation.aggregate import ModelSummary
from wanbench.evaluation.read import Evaluation, load_evaluation
from wanbench.run.store import RESULTS_FILE, is_run_dir


@dataclass
class Run:
    """A scored run directory as a benchmark reads it under one weighting (a view of its Evaluation)."""

    evaluation: Evaluation = field(repr=False)
    eval_summary: Any = field(default=None, repr=False)  # runner.EvalSummary when made by evaluate()

    @property
    def path(self) -> Path:
        return self.evaluation.run_dirs[0]

    @property
    def weighting(self) -> str:
        return self.evaluation.weighting

    @property
    def benchmark(self) -> str:
        return self.evaluation.benchmark.name

    @property
    def summaries(self) -> list[ModelSummary]:
        return self.evaluation.summaries

    @property
    def results(self) -> pd.DataFrame:
        return self.evaluation.results

    @property
    def failures(self) -> pd.DataFrame:
        return self.evaluation.failures

    def leaderboard(self, reference: str | None = None) -> pd.DataFrame:
        """Ranked rows (full coverage), then partial ones (rank NA), then reference rows if asked."""
        from wanbench.benchmark.weightings import load_reference
        from wanbench.report.tables import leaderboard_frame

        bench = self.evaluation.benchmark
        return leaderboard_frame(self.summaries, load_reference(reference, bench) if reference else None, bench)

    def scores(self) -> pd.DataFrame:
        """Every stored row (ok, error, missing, not_applicable, stale) with the prompt's text."""
        texts = self.evaluation.prompt_texts
        frame = self.results.drop(columns=["created", "stored_status"], errors="ignore").copy()
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
        asked = set(rows.dimension)  # a column for every dimension the run asked, valued or not (NaN)
        values = values.reindex(columns=[d for d in self.evaluation.benchmark.keys if d in asked])
        texts = rows.groupby(keys)["prompt"].first()
        table = pd.concat([texts, statuses, values], axis=1).reset_index()
        paths = [
            self.evaluation.video_path(r, m, p, s)
            for r, m, p, s in zip(table.run, table.model, table.prompt_id, table.seed)
        ]
        table.insert(5, "video", [str(p) if p is not None else "" for p in paths])
        return table

    def report(self, out: str | Path | None = None, reference: str | None = None):
        """Write report.html, leaderboard.md/.csv, results.json and charts (default: into the run)."""
        from wanbench.report import write_report

        return write_report(
            [self.path],
            Path(out) if out else self.path,
            weighting=self.weighting,
            reference=reference,
            benchmark=self.evaluation.benchmark,
        )


def load_run(path: str | Path, weighting: str | None = None, benchmark: str = DEFAULT_BENCHMARK) -> Run:
    """Read a run directory (its results.sqlite) as ``benchmark`` with ``weighting`` (default: the
    benchmark's; equal, paper, or a file)."""
    path = Path(path)
    if not is_run_dir(path):
        raise FileNotFoundError(f"{path}: not a wanbench run directory (no {RESULTS_FILE})")
    return Run(load_evaluation([path], benchmark, weighting))


def evaluate(
    model: str,
    suite: str | Path | None = None,
    out: str | Path | None = None,
    *,
    benchmark: str = DEFAULT_BENCHMARK,
    seeds: Sequence[int] = (0,),
    dimensions: Sequence[str] | None = None,
    limit: int | None = None,
    name: str | None = None,
    weighting: str | None = None,
    report: bool = True,
    flow: str = AUTO,
    model_options: dict[str, Any] | None = None,
    backbone_options: dict[str, dict[str, Any]] | None = None,
) -> Run:
    """Generate ``suite``'s videos (default: the benchmark's suite) with ``model``, score them on
    ``benchmark``'s dimensions, and return the run as read back.

    Resumable like ``wanbench eval``: finished rows in ``out`` are kept. ``report=True`` also writes
    the run's report files. Every argument is checked before any compute (``EvalConfig.validate``, the
    same checks as the CLI's); problems with single prompts become error rows (see ``Run.scores()``).
    """
    from wanbench.run.runner import EvalConfig, Evaluator

    out = Path(out) if out is not None else Path("runs") / (name or model)
    config = EvalConfig(
        model=model,
        benchmark=benchmark,
        suite=str(suite) if suite is not None else None,
        out=out,
        seeds=tuple(seeds),
        dimensions=tuple(dimensions) if dimensions else None,
        limit=limit,
        name=name,
        weighting=weighting,
        flow=flow,
        model_options=dict(model_options or {}),
        backbone_options=dict(backbone_options or {}),
    )
    summary = Evaluator(config).run_suite()
    run = load_run(out, config.weighting, benchmark)
    run.eval_summary = summary
    if report:
        run.report()
    return run
