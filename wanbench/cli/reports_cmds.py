"""``wanbench reports build``: rebuild reports/, the results this project publishes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from wanbench.cli.app import app, err, out, user_errors

reports_app = typer.Typer(help="The results this project publishes (reports/), rebuilt from the repository.")
app.add_typer(reports_app, name="reports")


@reports_app.command("build")
def build_command(
    out_dir: Path = typer.Option(Path("reports"), "--out", "-o", help="The published folder."),
    work: Path | None = typer.Option(
        None, "--work", help="Keep the runs here (resumable); default: a temporary folder, removed after."
    ),
    subset: bool = typer.Option(False, "--subset", help="Only the drift test's few prompts, into OUT/subset."),
    check: bool = typer.Option(
        False, "--check", help="Build into a temporary folder and compare with OUT; exit 1 on any difference."
    ),
) -> None:
    """Run procedural, wan-tiny and wan-tiny with random weights on the published suite slices and
    write leaderboards, results.json, charts, READMEs and the paper's tables.

    Example:  wanbench reports build --subset --check
    """
    from wanbench.publish import FULL, SUBSET, build_reports, compare_reports
    from wanbench.publish.paper_tables import write_paper_tables

    settings = SUBSET if subset else FULL
    target = out_dir / "subset" if subset else out_dir
    with user_errors(), tempfile.TemporaryDirectory(prefix="wanbench-reports-check-") as scratch:
        destination = Path(scratch) if check else target
        build_reports(destination, settings, work)
        if not subset:
            write_paper_tables(destination / "paper")
        if not check:
            out.print(f"written: {target}", highlight=False)
            return
        problems = compare_reports(target, destination)
        for line in problems:
            err.print(line, highlight=False, markup=False)
        if problems:
            err.print(f"{target} differs from what the code builds: make reports", highlight=False)
            raise typer.Exit(1)
        out.print(f"{target} matches what the code builds", highlight=False)
