"""Results in the terminal: a per-dimension table after `eval`/`score`, and a leaderboard that fits
the terminal's width (the markdown files keep every column)."""

from __future__ import annotations

import pandas as pd
from rich.console import JustifyMethod
from rich.markup import escape
from rich.table import Table

from wanbench.evaluation.aggregate import BOOTSTRAP_SAMPLES, MIN_CI_DRAW_SHARE, MIN_CI_PROMPTS, ModelSummary
from wanbench.report.tables import frame_keys


def _ci(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"[{low:.3f}, {high:.3f}]"


CI_CAPTION = (
    f"CI untrusted: under {MIN_CI_PROMPTS} scored prompts, or under {MIN_CI_DRAW_SHARE:.0%} of the "
    f"{BOOTSTRAP_SAMPLES} bootstrap draws; 'CI over k/{BOOTSTRAP_SAMPLES} draws': the other draws held "
    "none of the prompts the value was scored on."
)


def _ci_note(prompts: int, draws: int, has_ci: bool) -> list[str]:
    """The short form of aggregate.ci_note for a table cell (CI_CAPTION explains it once)."""
    if not has_ci:
        return []
    notes = []
    if prompts < MIN_CI_PROMPTS or draws < MIN_CI_DRAW_SHARE * BOOTSTRAP_SAMPLES:
        notes.append(f"CI untrusted ({prompts} prompt(s))" if prompts < MIN_CI_PROMPTS else "CI untrusted")
    if draws < BOOTSTRAP_SAMPLES:
        notes.append(f"CI over {draws}/{BOOTSTRAP_SAMPLES} draws")
    return notes


def dimension_table(summary: ModelSummary, weighting: str) -> Table:
    """One row per dimension: metric version, mean, 95% CI, scored/applicable prompts, and a short note (partial,
    errors, missing, not applicable, stale, a method other than the report's)."""
    table = Table(
        title=escape(f"{summary.label}: weighted ({weighting}) {summary.weighted.label}"),
        title_justify="left",
        box=None,
        pad_edge=False,
        show_edge=False,
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("dimension", "left"),
        ("v", "left"),
        ("mean", "right"),
        ("95% CI", "right"),
        ("scored", "right"),
        ("notes", "left"),
    )
    for column, justify in columns:
        table.add_column(column, justify=justify, overflow="fold", no_wrap=column != "notes")
    if summary.weighted.value is not None:
        table.add_row(
            "weighted score",
            "",
            f"{summary.weighted.value:.3f}",
            _ci(summary.weighted.ci_low, summary.weighted.ci_high),
            f"{len(summary.weighted.dimensions_used)}/{summary.weighted.dimensions_weighted} dims",
            ", ".join(
                (["partial, unranked"] if summary.weighted.partial else [])
                + _ci_note(
                    summary.weighted.fewest_prompts, summary.weighted.ci_draws, summary.weighted.ci_low is not None
                )
            ),
            style="bold",
        )
    for d, x in summary.dimensions.items():
        notes = []
        if x.mean is None:
            notes.append("missing" if x.n_missing or x.missing_reason else "no prompt applies")
        elif x.partial:
            notes.append("partial")
        for label, count in (
            ("errors", x.n_error),
            ("missing", x.n_missing),
            ("n/a", x.n_not_applicable),
            ("stale", x.n_stale),
        ):
            if count and not (label == "missing" and x.mean is None):
                notes.append(f"{count} {label}")
        if x.method and not x.reference_method:
            notes.append(f"method {x.method}")
        notes += _ci_note(x.n, x.ci_draws, x.ci_low is not None)
        if x.applicable == 0 and x.mean is None and not x.n_missing:
            continue  # the suite never asks this dimension: nothing to show
        table.add_row(
            d,
            escape(x.metric_version or ""),
            "—" if x.mean is None else f"{x.mean:.3f}",
            _ci(x.ci_low, x.ci_high),
            f"{x.n}/{x.applicable}",
            ", ".join(notes),
        )
    if any("CI " in str(cell) for cell in table.columns[-1].cells):
        table.caption, table.caption_justify = CI_CAPTION, "left"
    return table


def leaderboard_table(frame: pd.DataFrame, weighting: str) -> Table:
    """Model, rank, weighted score with its CI and coverage: what fits a terminal. Ranked rows first,
    then partial (unranked), then published reference rows."""
    table = Table(box=None, pad_edge=False, show_edge=False)
    untrusted = False
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("model", "left"),
        (f"weighted ({weighting})", "right"),
        ("95% CI", "right"),
        ("coverage", "left"),
    )
    for column, justify in columns:  # numbers never wrap; words wrap whole (fold only cuts a too-long word)
        table.add_column(column, justify=justify, overflow="fold", no_wrap=column not in ("model", "coverage"))
    for row in frame.itertuples(index=False):
        rank = "" if pd.isna(row.rank) else str(int(row.rank))
        score = "—" if pd.isna(row.weighted_score) else f"{row.weighted_score:.3f}"
        if row.source != "measured":
            table.add_row(
                "", escape(f"{row.model} ({str(row.source).split(' ')[0]})"), score, "", "published", style="dim"
            )
            continue
        low, high = getattr(row, "weighted_ci_low", None), getattr(row, "weighted_ci_high", None)
        ci = "" if low is None or pd.isna(low) else f"[{low:.3f}, {high:.3f}]"
        coverage = f"{int(row.dimensions_scored)}/{len(frame_keys(frame))} dims"
        if bool(row.partial):
            coverage += f", {row.weight_complete:.0%} of weight, unranked"
        if str(getattr(row, "weighted_ci_note", "") or "").startswith("CI untrusted"):
            coverage += ", CI untrusted"
            untrusted = True
        table.add_row(rank or "—", escape(str(getattr(row, "label", row.model))), score, ci, coverage)
    if untrusted:
        table.caption, table.caption_justify = CI_CAPTION, "left"
    return table
