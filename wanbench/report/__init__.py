"""Reports of one or more runs: leaderboard.md/.csv, scores.csv, report.html and charts/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wanbench.aggregate import ModelSummary, load_results, summarise
from wanbench.report.charts import write_charts
from wanbench.report.html import render_html
from wanbench.report.sources import write_sources
from wanbench.report.tables import leaderboard_frame, leaderboard_markdown
from wanbench.runner import RESULTS_FILE
from wanbench.store import ResultStore
from wanbench.weighting import load_reference, load_weighting

SCORE_COLUMNS = ["run", "model", "prompt_id", "seed", "dimension", "metric_version", "status", "value",
                 "error", "backend", "video_sha256", "seconds", "details"]


@dataclass
class ReportFiles:
    html: Path
    markdown: Path
    leaderboard_csv: Path
    scores_csv: Path
    charts: list[Path]
    summaries: list[ModelSummary]


def write_report(run_dirs: list[Path], out_dir: Path, weighting: str = "paper",
                 reference: str | None = None, title: str | None = None) -> ReportFiles:
    """Aggregate ``run_dirs`` and write every report file into ``out_dir``."""
    run_dirs = [Path(r) for r in run_dirs]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = load_weighting(weighting)
    results, failures = load_results(run_dirs)
    summaries = summarise(results, failures, weights)
    frame = leaderboard_frame(summaries, load_reference(reference) if reference else None)
    invocations = []
    for run_dir in run_dirs:
        with ResultStore(run_dir / RESULTS_FILE) as store:
            invocations.extend(store.invocations())

    weighting_name = Path(weighting).name if weighting not in ("equal", "paper") else weighting
    markdown = out_dir / "leaderboard.md"
    lines = ["# Wan-Bench leaderboard\n", leaderboard_markdown(frame, weighting_name)]
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
    sources_md, sources_section = write_sources(invocations, out_dir)  # closed-model exports: provenance
    lines.append(sources_md)
    markdown.write_text("".join(lines), encoding="utf-8")
    leaderboard_csv = out_dir / "leaderboard.csv"
    frame.to_csv(leaderboard_csv, index=False)
    scores_csv = out_dir / "scores.csv"
    results[SCORE_COLUMNS].to_csv(scores_csv, index=False)
    charts = write_charts(frame, results, out_dir / "charts")
    html_path = out_dir / "report.html"
    html_path.write_text(render_html(title or f"Wan-Bench report: {', '.join(r.name for r in run_dirs)}",
                                     weighting_name, frame, summaries, results, failures, charts, invocations,
                                     extra_sections=sources_section),
                         encoding="utf-8")
    return ReportFiles(html_path, markdown, leaderboard_csv, scores_csv, charts, summaries)
