"""Reports of one or more runs: leaderboard.md/.csv, results.json, scores.csv, report.html and charts/."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, Benchmark
from wanbench.evaluation.aggregate import ModelSummary, PairedComparison
from wanbench.evaluation.read import Evaluation, load_evaluation
from wanbench.report.charts import write_charts
from wanbench.report.html import render_page
from wanbench.report.results_json import results_document, write_results_json
from wanbench.report.sections import ReportContext, build_sections, markdown_document, sections_data
from wanbench.report.sources import write_sources
from wanbench.report.tables import leaderboard_frame
from wanbench.safe_write import replacing, write_text

SCORE_COLUMNS = [
    "run",
    "model",
    "prompt_id",
    "seed",
    "dimension",
    "metric_version",
    "status",
    "value",
    "error",
    "method",
    "backend",
    "video_sha256",
    "seconds",
    "details",
]


@dataclass
class ReportFiles:
    html: Path
    markdown: Path
    leaderboard_csv: Path
    scores_csv: Path
    charts: list[Path]
    summaries: list[ModelSummary]
    results_json: Path | None = None
    pairs: list[PairedComparison] | None = None


def video_href(run_dir: Path, stored: str, out_dir: Path) -> str:
    """A link from the report's folder to a run's video (stored absolute, or relative to the run)."""
    path = Path(stored)
    if not path.is_absolute():
        path = run_dir / path
    relative = os.path.relpath(path.resolve(), out_dir.resolve())
    return quote(Path(relative).as_posix())


def write_report(
    run_dirs: list[Path] | Evaluation,
    out_dir: Path,
    weighting: str | None = None,
    reference: str | None = None,
    title: str | None = None,
    votes: Path | None = None,
    benchmark: str | Benchmark = DEFAULT_BENCHMARK,
) -> ReportFiles:
    """Write every report file of ``run_dirs`` (read as ``benchmark`` under ``weighting``; or an
    Evaluation already read) into ``out_dir``."""
    if isinstance(run_dirs, Evaluation):
        evaluation = run_dirs
    else:  # read before any mkdir: a mistyped run leaves no empty folder
        evaluation = load_evaluation(run_dirs, benchmark, weighting, reference)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run_dirs, summaries, results = evaluation.run_dirs, evaluation.summaries, evaluation.results
    frame = leaderboard_frame(summaries, evaluation.reference, evaluation.benchmark)
    videos = {key: video_href(run_dir, stored, out_dir) for key, (run_dir, stored) in evaluation.videos.items()}
    sources = write_sources(evaluation.invocations, out_dir)  # sources.csv when videos were made elsewhere
    charts = write_charts(frame, results, out_dir / "charts") if len(frame) else []
    context = ReportContext(evaluation, frame, charts, videos, sources, votes)
    sections = build_sections(context)
    markdown = out_dir / "leaderboard.md"
    write_text(markdown, markdown_document(f"{evaluation.benchmark.display_name} leaderboard", sections))
    leaderboard_csv = out_dir / "leaderboard.csv"
    with replacing(leaderboard_csv, "w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, index=False)
    scores_csv = out_dir / "scores.csv"
    with replacing(scores_csv, "w", encoding="utf-8", newline="") as handle:
        results[SCORE_COLUMNS].to_csv(handle, index=False)
    results_path = write_results_json(
        out_dir / "results.json", results_document(evaluation, frame) | {"sections": sections_data(sections)}
    )
    html_path = out_dir / "report.html"
    default_title = f"{evaluation.benchmark.display_name} report: {', '.join(r.name for r in run_dirs)}"
    write_text(html_path, render_page(title or default_title, sections))
    return ReportFiles(
        html_path, markdown, leaderboard_csv, scores_csv, charts, summaries, results_path, evaluation.pairs
    )
