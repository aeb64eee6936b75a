"""Leaderboard tables: one row per (run, model), one column per dimension, plus the weighted score."""

from __future__ import annotations

import pandas as pd

from wanbench.aggregate import ModelSummary
from wanbench.dims.names import DIMENSION_KEYS, display_name


def leaderboard_frame(summaries: list[ModelSummary], reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows: models (ours, then reference rows marked as such); columns: dims + weighted score."""
    records = []
    for s in summaries:
        record = {"model": s.model, "run": s.run, "source": "measured"}
        for d in DIMENSION_KEYS:
            record[d] = s.dimensions[d].mean
        record["weighted_score"] = s.weighted.value
        record["weighted_ci_low"], record["weighted_ci_high"] = s.weighted.ci_low, s.weighted.ci_high
        record["partial"] = s.weighted.partial
        record["dimensions_scored"] = len(s.weighted.dimensions_used)
        records.append(record)
    if reference is not None:
        for model, row in reference.iterrows():
            record = {"model": str(model), "run": "", "source": "paper (Table 2)"}
            record.update({d: float(row[d]) for d in DIMENSION_KEYS})
            record["weighted_score"] = float(row["weighted_score"])
            record["partial"] = False
            record["dimensions_scored"] = len(DIMENSION_KEYS)
            records.append(record)
    frame = pd.DataFrame(records)
    if frame.empty:  # nothing scored: an empty table with its columns, not a KeyError
        frame = pd.DataFrame(columns=["model", "run", "source", *DIMENSION_KEYS, "weighted_score", "partial",
                                      "dimensions_scored"])
    return frame.sort_values("weighted_score", ascending=False, na_position="last", kind="stable").reset_index(drop=True)


def _cell(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def leaderboard_markdown(frame: pd.DataFrame, weighting: str) -> str:
    head = ["#", "model", "source", f"weighted ({weighting})"] + [display_name(d) for d in DIMENSION_KEYS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rank, row in enumerate(frame.itertuples(index=False), start=1):
        score = _cell(row.weighted_score)
        if row.partial and row.weighted_score is not None and not pd.isna(row.weighted_score):
            score += f" (partial, {row.dimensions_scored}/14)"
        cells = [str(rank), _md_escape(row.model), _md_escape(row.source), score]
        cells += [_cell(getattr(row, d)) for d in DIMENSION_KEYS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
