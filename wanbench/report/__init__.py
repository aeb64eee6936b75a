"""Reports of one or more runs: leaderboard.md/.csv, results.json, scores.csv, report.html and charts/."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from wanbench.aggregate import (
    ModelSummary,
    PairedComparison,
    failed_applicability,
    load_results,
    mark_stale,
    paired_comparisons,
    run_versions,
    summarise,
)
from wanbench.dimension_weights import load_reference, load_weighting
from wanbench.report.charts import write_charts
from wanbench.report.html import render_html
from wanbench.report.languages import language_markdown
from wanbench.report.results_json import results_document, write_results_json
from wanbench.report.slices import short_markdown
from wanbench.report.sources import write_sources
from wanbench.report.tables import leaderboard_frame, leaderboard_markdown
from wanbench.store import RESULTS_FILE, ResultStore

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
    run_dirs: list[Path],
    out_dir: Path,
    weighting: str = "paper",
    reference: str | None = None,
    title: str | None = None,
    votes: Path | None = None,
) -> ReportFiles:
    """Aggregate ``run_dirs`` and write every report file into ``out_dir``."""
    run_dirs = [Path(r) for r in run_dirs]
    out_dir = Path(out_dir)
    weights = load_weighting(weighting)
    results, failures = load_results(run_dirs)  # before any mkdir: a mistyped run leaves no empty folder
    out_dir.mkdir(parents=True, exist_ok=True)
    versions = run_versions(run_dirs)
    results = mark_stale(results, by_model=versions)  # rows of another metric version: "stale", never averaged
    summaries = summarise(results, failures, weights, failed_applicability(run_dirs, failures))
    pairs = paired_comparisons(summaries, weights)
    reference_table = load_reference(reference) if reference else None
    frame = leaderboard_frame(summaries, reference_table)
    invocations, prompts, videos = [], {}, {}
    for run_dir in run_dirs:
        with ResultStore(run_dir / RESULTS_FILE) as store:
            invocations.extend(store.invocations())
            prompts.update({(p["run"], p["prompt_id"]): p["text"] for p in store.prompts()})
            for v in store.videos():
                videos[(v["run"], v["model"], v["prompt_id"], int(v["seed"]))] = video_href(run_dir, v["path"], out_dir)

    weighting_name = Path(weighting).name if weighting not in ("equal", "paper") else weighting
    markdown = out_dir / "leaderboard.md"
    lines = ["# Wan-Bench leaderboard\n\n", leaderboard_markdown(frame, weighting_name, summaries, pairs)]
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
    lines.append(language_markdown(summaries))  # en vs zh of one model, when both ran
    lines.append(short_markdown(results))  # the short-prompt slice against the rest, when it was scored
    sources_md, sources_section = write_sources(invocations, out_dir)  # closed-model exports: provenance
    lines.append(sources_md)
    markdown.write_text("".join(lines), encoding="utf-8")
    leaderboard_csv = out_dir / "leaderboard.csv"
    frame.to_csv(leaderboard_csv, index=False)
    scores_csv = out_dir / "scores.csv"
    results[SCORE_COLUMNS].to_csv(scores_csv, index=False)
    results_path = write_results_json(
        out_dir / "results.json",
        results_document(
            summaries, frame, weighting_name, weights, pairs, invocations, reference_table, reference, versions
        ),
    )
    charts = write_charts(frame, results, out_dir / "charts") if len(frame) else []
    html_path = out_dir / "report.html"
    from wanbench.alignment_html import human_alignment_section  # votes beside the runs, or ``votes``

    alignment = human_alignment_section(run_dirs, summaries, weights, weighting_name, votes)
    html_path.write_text(
        render_html(
            title or f"Wan-Bench report: {', '.join(r.name for r in run_dirs)}",
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
        encoding="utf-8",
    )
    return ReportFiles(html_path, markdown, leaderboard_csv, scores_csv, charts, summaries, results_path, pairs)
