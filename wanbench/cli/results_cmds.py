"""Commands that read finished runs: report, leaderboard, plot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from wanbench.cli.options import (
    REFERENCE_OPTION,
    WEIGHTING_OPTION,
)

if TYPE_CHECKING:
    pass

from wanbench.cli.app import (
    app,
    err,
    out,
    run_dirs,
    user_errors,
)


def _print_leaderboard(summaries: list, weighting: str, reference: str | None) -> None:
    from wanbench.benchmark.weightings import load_reference
    from wanbench.report.tables import leaderboard_frame
    from wanbench.report.terminal import leaderboard_table

    out.print(
        leaderboard_table(leaderboard_frame(summaries, load_reference(reference) if reference else None), weighting)
    )


@app.command("report")
def report_command(
    run: Path = typer.Argument(..., help="Run directory (holds results.sqlite)."),
    weighting: str = WEIGHTING_OPTION,
    reference: str | None = REFERENCE_OPTION,
) -> None:
    """Rewrite a run's report (report.html, leaderboard.md/.csv, scores.csv, charts/).

    Example:  wanbench report runs/demo --reference paper
    """
    from wanbench.report import write_report
    from wanbench.run.shards import shard_paths

    with user_errors():
        files = write_report([run], run, weighting=weighting, reference=reference)
        _print_leaderboard(files.summaries, weighting, reference)
        out.print(f"report: {files.html}", highlight=False)
        if shard_paths(run):
            err.print(
                f"note: {run} holds {len(shard_paths(run))} unmerged shard(s), not in this report: "
                f"wanbench merge {run}",
                highlight=False,
            )


@app.command("leaderboard")
def leaderboard_command(
    runs: list[Path] = typer.Argument(..., help="Run directories to compare."),
    reference: str | None = REFERENCE_OPTION,
    weighting: str = WEIGHTING_OPTION,
    out_dir: Path = typer.Option(
        Path("leaderboard"),
        "--out",
        "-o",
        help="Where to write the files (kept out of runs/ so `runs/*` globs stay runs).",
    ),
) -> None:
    """Compare runs: markdown, csv and HTML leaderboards, printed and written.

    Example:  wanbench leaderboard runs/* --reference paper
    """
    from wanbench.report import write_report

    with user_errors():
        files = write_report(
            run_dirs(runs), out_dir, weighting=weighting, reference=reference, title="Wan-Bench leaderboard"
        )
        _print_leaderboard(files.summaries, weighting, reference)
        out.print(
            f"written: {files.markdown} (every dimension), {files.leaderboard_csv}, {files.html}", highlight=False
        )


@app.command("plot")
def plot_command(
    runs: list[Path] = typer.Argument(..., help="Run directories to plot."),
    out_dir: Path = typer.Option(Path("plots"), "--out", "-o", help="Where to write the PNGs."),
    reference: str | None = REFERENCE_OPTION,
    weighting: str = typer.Option("paper", "--weighting"),
) -> None:
    """Per-dimension bar chart, radar chart and score distributions (PNG).

    Example:  wanbench plot runs/demo runs/other -o plots/
    """
    from wanbench.benchmark.weightings import load_reference, load_weighting
    from wanbench.evaluation.aggregate import load_results, summarise
    from wanbench.report.charts import write_charts
    from wanbench.report.tables import leaderboard_frame

    with user_errors():
        results, failures = load_results(run_dirs(runs))
        frame = leaderboard_frame(
            summarise(results, failures, load_weighting(weighting)), load_reference(reference) if reference else None
        )
        for path in write_charts(frame, results, out_dir):
            out.print(str(path), highlight=False)
