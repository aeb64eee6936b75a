"""What can be measured and generated here: dims, models, weights status / fetch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from wanbench.cli.app import (
    UserError,
    app,
    out,
    user_errors,
    weights_app,
)
from wanbench.cli.options import BENCHMARK_OPTION


@app.command("dims")
def dims_command(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (every field, full reasons)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also the group, needs, method and full reasons."),
    benchmark: str = BENCHMARK_OPTION,
) -> None:
    """List a benchmark's dimensions and whether each can run here (weights, judge); --verbose says why not.

    Example:  wanbench dims --verbose
    """
    from wanbench.readiness import dimension_readiness, unavailable_backbones

    with user_errors():
        rows = dimension_readiness(benchmark=benchmark)
    if as_json:
        out.print_json(data=[r.to_dict() for r in rows])
        return
    table = Table(box=None, pad_edge=False)
    table.add_column("dimension", no_wrap=True)
    table.add_column("v", no_wrap=True)
    table.add_column("here", overflow="fold")
    if verbose:
        for column in ("group", "needs", "method"):
            table.add_column(column, overflow="fold")
    for r in rows:
        here = f"[green]{r.short()}[/]" if r.ready else f"[yellow]{r.short()}[/]"
        cells = [r.name, r.version, here]
        if verbose:
            cells += [r.group, ", ".join(r.needs), r.method]
        table.add_row(*cells)
    out.print(table)
    reasons = unavailable_backbones(rows)
    if verbose:
        for backbone, reason in reasons.items():
            out.print(f"{backbone}: {reason}", highlight=False, markup=False)
    elif reasons:
        out.print(f"missing: {', '.join(reasons)}; why: wanbench dims --verbose", highlight=False)


@weights_app.command("status")
def weights_status_command(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    summary: bool = typer.Option(False, "--summary", help="One line: what is missing and how to fill it."),
) -> None:
    """Show every weights entry: present (sha256 verified), unverified (no sha256 pinned), missing,
    or checksum-failed, with where it was found or looked for.

    Files live in $WANBENCH_HOME/weights/<name>/ or the Hugging Face cache.

    Example:  wanbench weights status --summary
    """
    from wanbench.calibration.store import DigestCache, calibration_state
    from wanbench.model_weights import WEIGHTS, weights_status
    from wanbench.readiness import readiness_line

    if summary:
        out.print(readiness_line(), highlight=False)
        return
    rows: list[dict[str, Any]] = []
    digests = DigestCache()
    for name in WEIGHTS.names():
        spec, status = WEIGHTS.get(name), weights_status(name)
        rows.append(
            {
                "name": name,
                "state": status.state,
                "calibration": calibration_state(name, digests),
                "used_by": spec.used_by,
                "source": spec.source(),
                "licence": spec.licence,
                "detail": status.detail,
                "paths": {k: str(v) for k, v in status.paths.items()},
            }
        )
    if as_json:
        out.print_json(data=rows)
        return
    # One line per entry at any width: source, licence and where each was found or looked for are in
    # --json and docs/weights.md (the full table took 170 lines of folded paths at 80 columns).
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("weights", no_wrap=True, min_width=max(len(row["name"]) for row in rows))
    table.add_column("state", no_wrap=True, min_width=15)
    table.add_column("calibration", no_wrap=True)
    table.add_column("used by", overflow="ellipsis", no_wrap=True)
    colours = {"present": "green", "unverified": "yellow", "missing": "red", "checksum-failed": "bold red"}
    for row in rows:
        state = f"[{colours[row['state']]}]{row['state']}[/]"
        calibration = row["calibration"] if row["state"] in ("present", "unverified") else ""
        table.add_row(row["name"], state, calibration, row["used_by"])
    out.print(table)
    absent = [row["name"] for row in rows if row["state"] in ("missing", "checksum-failed")]
    if absent:
        out.print(
            f"{len(absent)} not usable: wanbench weights fetch NAME; where each was looked for: --json",
            highlight=False,
        )


@app.command("calibrate")
def calibrate_command(
    only: list[str] | None = typer.Option(None, "--only", help="Run only this check (repeatable)."),
    judge: str = typer.Option("local", "--judge", help="VLM judge backend: local or openai (remote)."),
    judge_weights: Path | None = typer.Option(None, "--judge-weights", help="Local judge folder."),
    judge_url: str | None = typer.Option(None, "--judge-url", help="OpenAI-compatible judge endpoint."),
    judge_model: str | None = typer.Option(None, "--judge-model", help="Model name the server serves."),
    save: bool = typer.Option(True, "--save/--no-save", help="Store each weights entry's verdict."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Check the backbones on the weights present here against known answers (real photographs and a
    stereo pair scikit-image ships, procedural clips), before a long run. Each check prints its figure,
    its threshold and pass/fail; a check whose weights or data are missing is skipped. Verdicts are
    stored per weights sha256 and shown by `wanbench weights status`. Exit 1 when a check failed.

    Example:  wanbench calibrate      wanbench calibrate --only flow-raft-epe --only clip-captions
    """
    from wanbench.calibration import calibrate
    from wanbench.run.options import backbone_options

    with user_errors():
        options = backbone_options(
            judge=judge, judge_weights=judge_weights, judge_url=judge_url, judge_model=judge_model
        )
        report = calibrate(
            options, only=only, save=save, on_result=None if as_json else lambda r: out.print(r.line(), highlight=False)
        )
    if as_json:
        out.print_json(data={"checks": [r.to_dict() for r in report.results], "stored": report.stored})
    elif report.stored:
        out.print("stored: " + ", ".join(f"{k} {v}" for k, v in report.stored.items()), highlight=False)
    if report.failed:
        raise typer.Exit(1)


@weights_app.command("fetch")
def weights_fetch_command(
    names: list[str] | None = typer.Argument(None, help="Entries to download (see `wanbench weights status`)."),
    missing: bool = typer.Option(False, "--missing", help="Every entry that is missing here and can be downloaded."),
) -> None:
    """Download weights into $WANBENCH_HOME/weights/<name>/ and verify them (needs a network; the Hub
    can be a mirror through HF_ENDPOINT). With several entries, one that fails does not stop the rest.

    Example:  wanbench weights fetch raft-large dino-vitb16      wanbench weights fetch --missing
    """
    from wanbench.model_weights import fetch, fetchable_missing

    with user_errors():
        chosen = list(names or [])
        if missing:
            chosen += [n for n in fetchable_missing() if n not in chosen]
        if not chosen:
            raise UserError("name the entries to fetch, or --missing (see `wanbench weights status`)")
    failed = 0
    for name in chosen:
        try:
            with user_errors():
                status = fetch(name)
        except typer.Exit:
            failed += 1
            continue
        out.print(f"{name}: {status.state}", highlight=False)
    if failed:
        raise typer.Exit(2)


@app.command("models")
def models_command(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable, with each setting's source."),
) -> None:
    """List the model adapters: each baseline's recipe (its authors' settings) and where its weights come from.

    Sources of every setting: `wanbench models --json` and docs/models.md.

    Example:  wanbench models --json
    """
    from wanbench.adapters.catalog import adapter_rows

    rows = adapter_rows()
    if as_json:
        out.print_json(data=rows)
        return
    table = Table()
    table.add_column("model", no_wrap=True)
    for column in ("description", "recipe", "weights"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["model"], row["description"], row["recipe_line"], row["weights"])
    out.print(table, markup=False)
