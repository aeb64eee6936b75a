"""Reports of one or more runs: leaderboard.md/.csv, results.json, scores.csv, report.html and charts/."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, Benchmark
from wanbench.evaluation.aggregate import ModelSummary, PairedComparison
from wanbench.evaluation.read import Evaluation, load_evaluation
from wanbench.report.calibration import calibration_markdown
from wanbench.report.charts import write_charts
from wanbench.report.html import render_html
from wanbench.report.languages import language_markdown
from wanbench.report.results_json import results_document, write_results_json
from wanbench.report.sources import write_sources
from wanbench.report.tables import leaderboard_frame, leaderboard_markdown
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
    run_dirs = evaluation.run_dirs
    summaries, results, failures = evaluation.summaries, evaluation.results, evaluation.failures
    weights, pairs, invocations = evaluation.weights, evaluation.pairs, evaluation.invocations
    reference, reference_table = evaluation.reference_name, evaluation.reference
    frame = leaderboard_frame(summaries, reference_table, evaluation.benchmark)
    prompts = evaluation.prompt_texts
    videos = {key: video_href(run_dir, stored, out_dir) for key, (run_dir, stored) in evaluation.videos.items()}

    weighting_name = evaluation.weighting_label
    markdown = out_dir / "leaderboard.md"
    lines = [
        f"# {evaluation.benchmark.display_name} leaderboard\n\n",
        leaderboard_markdown(frame, weighting_name, summaries, pairs),
    ]
    for s in summaries:
        missing = [(d, x.missing_reason) for d, x in s.dimensions.items() if x.mean is None]
        if missing:
            lines.append(f"\n**{s.model}**: {len(missing)} dimension(s) missing:\n")
            lines.extend(f"- {d}: {reason}\n" for d, reason in missing)
        for d, x in s.dimensions.items():
            if x.subdimensions:
                lines.append(f"\n**{s.model}** {d} by sub-dimension: {x.subdimension_label()}\n")
        if s.failures:
            lines.append(f"\n**{s.model}**: {s.failures} prompt(s) failed before scoring (see report.html).\n")
    if not summaries:  # a run of only broken videos, a wrong folder, a suite of malformed lines
        lines.append(f"\nNothing was scored: {len(failures)} item(s) failed before scoring (see report.html).\n")
    lines.append(calibration_markdown(invocations))  # weights that did not pass `wanbench calibrate`
    lines.append(language_markdown(summaries))  # en vs zh of one model, when both ran
    sources_md, sources_section = write_sources(invocations, out_dir)  # closed-model exports: provenance
    lines.append(sources_md)
    write_text(markdown, "".join(lines))
    leaderboard_csv = out_dir / "leaderboard.csv"
    with replacing(leaderboard_csv, "w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, index=False)
    scores_csv = out_dir / "scores.csv"
    with replacing(scores_csv, "w", encoding="utf-8", newline="") as handle:
        results[SCORE_COLUMNS].to_csv(handle, index=False)
    results_path = write_results_json(
        out_dir / "results.json",
        results_document(evaluation, frame),
    )
    charts = write_charts(frame, results, out_dir / "charts") if len(frame) else []
    html_path = out_dir / "report.html"
    from wanbench.report.alignment import human_alignment_section  # votes beside the runs, or ``votes``

    alignment = human_alignment_section(run_dirs, summaries, weights, weighting_name, votes)
    write_text(
        html_path,
        render_html(
            title or f"{evaluation.benchmark.display_name} report: {', '.join(r.name for r in run_dirs)}",
            weighting_name,
            frame,
            summaries,
            results,
            failures,
            charts,
            invocations,
            pairs,
            prompts,
            videos,
            alignment,
            sources_section,
        ),
    )
    return ReportFiles(html_path, markdown, leaderboard_csv, scores_csv, charts, summaries, results_path, pairs)
