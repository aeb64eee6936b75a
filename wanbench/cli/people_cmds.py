"""People: the arena, votes import / export, align, and weightings (show, fit to votes)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Column, Table

from wanbench.cli.app import (
    UserError,
    app,
    err,
    out,
    user_errors,
    votes_app,
    weighting_app,
)


@weighting_app.command("show")
def weighting_show(name: str = typer.Argument("paper", help="equal, paper, or a json/csv file.")) -> None:
    """Print a weight vector (``paper`` is fitted to the report's Table 2, not published).

    Example:  wanbench weighting show paper
    """
    from wanbench.benchmark.weightings import load_weighting

    with user_errors():
        weights = load_weighting(name)
    table = Table("dimension", Column("weight", justify="right"))  # numbers line up by their digits
    for dim, weight in weights.items():
        table.add_row(dim, f"{weight:.6f}")  # 6 decimals reproduce every Table 2 total (docs/weighting.md)
    out.print(table)


@app.command("arena")
def arena_command(
    runs: list[Path] = typer.Argument(..., help="Run directories whose videos are compared."),
    port: int = typer.Option(8765, "--port"),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind; anything but loopback needs a token."),
    votes: Path | None = typer.Option(None, "--votes", help="Votes file (default: votes.sqlite beside the runs)."),
    token: str | None = typer.Option(None, "--token", help="Require this token (made up when --host is not loopback)."),
    aspects: str = typer.Option(
        "visual_quality,motion_quality,matching,overall",
        "--aspects",
        help="What each round asks (comma-separated; overall is always asked): the report's four by default.",
    ),
    reference: str | None = typer.Option(
        None, "--reference", help="Only pairs with this model (the report's Table 3: one model against each other)."
    ),
) -> None:
    """Serve a local page where people vote on pairs of videos (same prompt and seed, two of N models).

    Example:  wanbench arena runs/wan-14b runs/hunyuan runs/mochi --reference wan-14b
    """
    import secrets

    try:
        from wanbench.people.arena import ArenaSettings, build_catalog, serve
        from wanbench.people.arena.app import LOOPBACK
    except ImportError as exc:
        err.print(
            f"error: the arena needs starlette and uvicorn ({exc}): pip install 'wanbench[arena]'", highlight=False
        )
        raise typer.Exit(2) from None
    from wanbench.people.votes import default_votes_path

    with user_errors():
        if host not in LOOPBACK and not token:
            token = secrets.token_urlsafe(16)
        catalog = build_catalog(list(runs), reference=reference)
        if not catalog.pairs:
            raise UserError("no pair to compare: the runs need videos of the same prompt and seed from two models")
        votes = votes or default_votes_path(list(runs))
        chosen = tuple(a.strip() for a in aspects.split(",") if a.strip())
        settings = ArenaSettings(votes=votes, token=token, aspects=chosen)  # refuses a bad token or aspect
    for line in catalog.skipped:
        err.print(f"skipped: {line}", highlight=False, markup=False)
    suffix = f"/?token={token}" if token else "/"
    out.print(
        f"arena: {len(catalog.pairs)} pairs ({catalog.identical} identical pairs left out), votes in {votes}",
        highlight=False,
    )
    out.print(
        f"open http://{'[' + host + ']' if ':' in host else host}:{port}{suffix}  (Ctrl-C stops)", highlight=False
    )
    serve(catalog, settings, host=host, port=port)


@votes_app.command("import")
def votes_import_command(
    csv_file: Path = typer.Argument(..., help="CSV with prompt_id,seed,model_a,model_b,winner,annotator[,dimension]."),
    votes: Path = typer.Option(Path("votes.sqlite"), "--votes", help="Votes file to add to."),
) -> None:
    """Add votes from an outside study (importing the same file twice adds nothing).

    Example:  wanbench votes import study.csv --votes runs/votes.sqlite
    """
    from wanbench.people.votes import import_votes

    with user_errors():
        new, present = import_votes(csv_file, votes)
    out.print(f"{votes}: {new} vote(s) added, {present} already there", highlight=False)


@votes_app.command("export")
def votes_export_command(
    votes: Path = typer.Option(Path("votes.sqlite"), "--votes", help="Votes file to read."),
    output: Path = typer.Option(Path("votes.csv"), "--output", "-o", help="CSV to write."),
) -> None:
    """Write every vote in the documented csv format.

    Example:  wanbench votes export --votes runs/votes.sqlite -o votes.csv
    """
    from wanbench.people.votes import export_votes

    with user_errors():
        count = export_votes(votes, output)
    out.print(f"wrote {output}: {count} vote(s)", highlight=False)


def _reference_weightings(names: list[str]) -> dict[str, dict[str, float]]:
    from wanbench.benchmark.weightings import load_weighting

    return {(n if n in ("equal", "paper") else Path(n).name): load_weighting(n) for n in names}


@app.command("align")
def align_command(
    runs: list[Path] = typer.Argument(..., help="Run directories whose videos were voted on."),
    votes: Path | None = typer.Option(None, "--votes", help="Votes file (default: votes.sqlite beside the runs)."),
    weighting: list[str] = typer.Option(["equal", "paper"], "--weighting", help="Weightings to compare (repeatable)."),
    method: str = typer.Option(
        "bradley-terry", "--method", help="How the 'fitted' weighting is fitted: bradley-terry or pearson."
    ),
    out_dir: Path = typer.Option(Path("runs/alignment"), "--out", "-o", help="Where to write alignment.md/.csv/.json."),
    table_kind: str = typer.Option(
        "agreement", "--table", help="agreement (scores against votes) or win-rates (the report's Table 3 view)."
    ),
    reference: str | None = typer.Option(
        None, "--reference", help="The model whose win rates --table win-rates gives."
    ),
) -> None:
    """How far each dimension and weighting agrees with human votes; human ratings with CIs.

    Example:  wanbench align --votes runs/votes.sqlite runs/*
    Example:  wanbench align runs/* --table win-rates --reference wan-14b
    """
    from wanbench.people.alignment import align, alignment_markdown, load_video_scores, write_alignment
    from wanbench.people.votes import VoteStore, default_votes_path

    with user_errors():
        if table_kind not in ("agreement", "win-rates"):
            raise UserError(f"--table must be agreement or win-rates, not {table_kind!r}")
        if table_kind == "win-rates" and not reference:
            raise UserError("--table win-rates needs --reference MODEL (the model compared with each other one)")
        path = votes or default_votes_path(list(runs))
        with VoteStore(path, readonly=True) as store:
            all_votes = store.votes()
        if table_kind == "win-rates":
            from wanbench.people.win_rates import win_rates, win_rates_markdown, write_win_rates

            rates = win_rates(all_votes, str(reference))
            files = write_win_rates(rates, out_dir)
            out.print(win_rates_markdown(rates), highlight=False, markup=False)
            out.print("written: " + ", ".join(str(f) for f in files), highlight=False)
            return
        alignment = align(all_votes, load_video_scores(list(runs)), _reference_weightings(weighting), method)
        files = write_alignment(alignment, out_dir)
    out.print(alignment_markdown(alignment), highlight=False, markup=False)
    out.print("written: " + ", ".join(str(f) for f in files), highlight=False)


@weighting_app.command("fit")
def weighting_fit(
    runs: list[Path] = typer.Argument(..., help="Run directories whose videos were voted on."),
    votes: Path | None = typer.Option(None, "--votes", help="Votes file (default: votes.sqlite beside the runs)."),
    method: str = typer.Option(
        "bradley-terry",
        "--method",
        help="bradley-terry (default) or pearson (the report's; weak when dimensions correlate).",
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Weighting file to write (json; --weighting reads it)."),
) -> None:
    """Fit weights to human votes; prints held-out accuracy beside the equal and paper weightings.

    Example:  wanbench weighting fit --votes runs/votes.sqlite runs/* --method bradley-terry -o w.json
    """
    from wanbench.people.alignment import fit_weighting, load_video_scores, vote_data, write_weighting
    from wanbench.people.votes import VoteStore, default_votes_path

    with user_errors():
        path = votes or default_votes_path(list(runs))
        with VoteStore(path, readonly=True) as store:
            data = vote_data(store.votes(), load_video_scores(list(runs)))
        result = fit_weighting(data, method, _reference_weightings(["equal", "paper"]))
        write_weighting(result, output)
    table = Table("dimension", Column("weight", justify="right"))  # numbers line up by their digits
    for dim, weight in result.weights.items():
        table.add_row(dim, f"{weight:.4f}")
    out.print(table)
    out.print(
        f"{result.votes} votes ({data.unmatched} without scores, {data.both_bad} both-bad, left out); "
        f"held-out pairwise accuracy ({result.folds}-fold by prompt):",
        highlight=False,
    )
    for name, entry in result.held_out.items():
        ci = "" if entry["low"] is None else f" [{entry['low']:.3f}, {entry['high']:.3f}]"
        out.print(f"  {name}: {entry['accuracy']:.3f}{ci} over {entry['votes']} decisive votes", highlight=False)
    out.print(f"wrote {output} (use --weighting {output})", highlight=False)
