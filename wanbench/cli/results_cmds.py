"""Commands that read finished runs: report, leaderboard, plot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from wanbench.cli.app import app, err, out, run_dirs, user_errors
from wanbench.cli.options import BENCHMARK_OPTION, REFERENCE_OPTION, WEIGHTING_OPTION

if TYPE_CHECKING:
    from wanbench.evaluation.read import Evaluation


def _print_leaderboard(evaluation: Evaluation) -> None:
    from wanbench.report.terminal import leaderboard_table

    out.print(leaderboard_table(evaluation.leaderboard(), evaluation.weighting_label))


@app.command("report")
def report_command(
    run: Path = typer.Argument(..., help="Run directory (holds results.sqlite)."),
    weighting: str | None = WEIGHTING_OPTION,
    reference: str | None = REFERENCE_OPTION,
    benchmark: str = BENCHMARK_OPTION,
) -> None:
    """Rewrite a run's report (report.html, leaderboard.md/.csv, scores.csv, charts/).

    Example:  wanbench report runs/demo --reference paper
    """
    from wanbench.evaluation.read import load_evaluation
    from wanbench.report import write_report
    from wanbench.run.shards import shard_paths

    with user_errors():
        evaluation = load_evaluation([run], benchmark, weighting, reference)
        files = write_report(evaluation, run)
        _print_leaderboard(evaluation)
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
    weighting: str | None = WEIGHTING_OPTION,
    benchmark: str = BENCHMARK_OPTION,
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
    from wanbench.evaluation.read import load_evaluation
    from wanbench.report import write_report

    with user_errors():
        evaluation = load_evaluation(run_dirs(runs), benchmark, weighting, reference)
        files = write_report(evaluation, out_dir, title=f"{evaluation.benchmark.display_name} leaderboard")
        _print_leaderboard(evaluation)
        out.print(
            f"written: {files.markdown} (every dimension), {files.leaderboard_csv}, {files.html}", highlight=False
        )


@app.command("plot")
def plot_command(
    runs: list[Path] = typer.Argument(..., help="Run directories to plot."),
    out_dir: Path = typer.Option(Path("plots"), "--out", "-o", help="Where to write the PNGs."),
    reference: str | None = REFERENCE_OPTION,
    weighting: str | None = WEIGHTING_OPTION,
    benchmark: str = BENCHMARK_OPTION,
) -> None:
    """Per-dimension bar chart, radar chart and score distributions (PNG).

    Example:  wanbench plot runs/demo runs/other -o plots/
    """
    from wanbench.evaluation.read import load_evaluation
    from wanbench.report.charts import write_charts

    with user_errors():
        evaluation = load_evaluation(run_dirs(runs), benchmark, weighting, reference)
        for path in write_charts(evaluation.leaderboard(), evaluation.results, out_dir):
            out.print(str(path), highlight=False)
