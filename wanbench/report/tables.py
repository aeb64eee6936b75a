"""Leaderboard tables: one row per (run, model), one column per dimension, plus the weighted score.

Ranking rule: only measured weighted scores under full coverage are ranked (``rank`` 1, 2, ...).
Partial scores are listed after them, unranked (by name), with the share of the weight they cover; reference
rows (the paper's Table 2) come last, unranked against ours, each dimension marked comparable or not.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from wanbench.benchmark.definition import Benchmark
from wanbench.benchmark.names import DIMENSION_KEYS, display_name
from wanbench.evaluation.aggregate import MIN_VERDICT_PROMPTS, MIN_VERDICT_WEIGHT, ModelSummary, PairedComparison

COUNT_FIELDS = ("n", "applicable", "error", "missing", "not_applicable", "stale")


@lru_cache(maxsize=1)
def reference_comparability() -> dict[str, dict]:
    """Per dimension: is our score on the report's scale (wanbench/data/reference_comparability.json)."""
    text = resources.files("wanbench").joinpath("data/reference_comparability.json").read_text(encoding="utf-8")
    return json.loads(text)["dimensions"]


def frame_keys(frame: pd.DataFrame) -> list[str]:
    """The dimension columns of a leaderboard frame, in its benchmark's order."""
    return list(frame.attrs.get("dimensions") or DIMENSION_KEYS)


def leaderboard_frame(
    summaries: list[ModelSummary], reference: pd.DataFrame | None = None, benchmark: Benchmark | None = None
) -> pd.DataFrame:
    """Rows: ranked full-coverage models, then partial ones, then reference rows; columns: the
    benchmark's dims (default: wan-bench's), their coverage counts and methods, the weighted score and
    its coverage."""
    keys = benchmark.keys if benchmark is not None else DIMENSION_KEYS
    records = []
    for s in summaries:
        record: dict[str, Any] = {"model": s.model, "label": s.label, "run": s.run, "source": "measured"}
        for d in keys:
            x = s.dimensions[d]
            record[d] = x.mean
            record[f"{d}_ci_low"], record[f"{d}_ci_high"] = x.ci_low, x.ci_high
            record[f"{d}_coverage"] = x.coverage
            for name, value in zip(
                COUNT_FIELDS, (x.n, x.applicable, x.n_error, x.n_missing, x.n_not_applicable, x.n_stale)
            ):
                record[f"{d}_{name}"] = value
            record[f"{d}_partial"] = x.partial
            record[f"{d}_method"] = x.method
            record[f"{d}_reference_method"] = x.reference_method
            record[f"{d}_ci_note"] = x.ci_note
        record["weighted_score"] = s.weighted.value
        record["weighted_ci_low"], record["weighted_ci_high"] = s.weighted.ci_low, s.weighted.ci_high
        record["weighted_ci_draws"] = s.weighted.ci_draws
        record["weighted_ci_note"] = s.weighted.ci_note
        record["partial"] = s.weighted.partial
        record["dimensions_scored"] = len(s.weighted.dimensions_used)
        record["weight_covered"] = s.weighted.weight_covered
        record["weight_complete"] = s.weighted.weight_complete
        records.append(record)
    if reference is not None:
        comparable = reference_comparability()
        for model, row in reference.iterrows():
            record = {"model": str(model), "label": str(model), "run": "", "source": "paper (Table 2)"}
            record.update({d: float(row[d]) for d in keys})
            record.update({f"{d}_comparable": bool(comparable.get(d, {}).get("comparable", False)) for d in keys})
            record["weighted_score"] = float(row["weighted_score"])
            record["partial"] = False
            record["dimensions_scored"] = int(sum(pd.notna(row[d]) for d in keys))
            record["weight_covered"] = record["weight_complete"] = 1.0
            records.append(record)
    frame = pd.DataFrame(records)
    if frame.empty:  # nothing scored: an empty table with its columns, not a KeyError
        frame = pd.DataFrame(
            columns=[
                "model",
                "label",
                "run",
                "source",
                *keys,
                "weighted_score",
                "partial",
                "dimensions_scored",
                "weight_covered",
                "weight_complete",
            ]
        )
    measured = frame.source == "measured"
    has_score = frame.weighted_score.notna()
    group = pd.Series(3, index=frame.index)
    group[measured & has_score & ~frame.partial.astype(bool)] = 0
    group[measured & has_score & frame.partial.astype(bool)] = 1
    group[~measured] = 2
    # partial rows are listed by name: ordering them by score would rank them after all
    score = frame.weighted_score.fillna(-1.0).where(group != 1, 0.0)
    name = frame.label.where(group == 1, "")
    frame = frame.assign(_group=group, _score=score, _name=name)
    frame = frame.sort_values(["_group", "_score", "_name"], ascending=[True, False, True], kind="stable")
    ranked = frame._group == 0
    frame["rank"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame.loc[ranked, "rank"] = range(1, int(ranked.sum()) + 1)
    frame = frame.drop(columns=["_group", "_score", "_name"]).reset_index(drop=True)
    frame.attrs["dimensions"] = list(keys)
    return frame


def _cell(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def flag(value: object) -> bool | None:
    """A frame's boolean cell as a Python bool (None where the row has no such value)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return None


def dimension_cell(row: Any, d: str) -> str:
    """A measured cell of ``row`` (one of ``frame.itertuples()``): mean, then "partial k/n" and a method tag
    where it differs from the report's."""
    text = _cell(getattr(row, d))
    if flag(getattr(row, f"{d}_partial", None)):
        text += f" (partial {getattr(row, f'{d}_coverage')})"
    method = getattr(row, f"{d}_method", "")
    if isinstance(method, str) and method and flag(getattr(row, f"{d}_reference_method", None)) is False:
        text += f" [{method}]"
    return text


def _weighted(row: Any) -> str:
    score = _cell(row.weighted_score)
    low = getattr(row, "weighted_ci_low", None)
    if low is not None and not pd.isna(low) and row.source == "measured":
        score += f" [{low:.3f}, {row.weighted_ci_high:.3f}]"
        note = getattr(row, "weighted_ci_note", "")
        if isinstance(note, str) and note.startswith("CI untrusted"):
            score += " (CI untrusted: few prompts)" if "prompt(s) scored" in note else " (CI untrusted: few draws)"
    return score


def leaderboard_markdown(
    frame: pd.DataFrame,
    weighting: str,
    summaries: list[ModelSummary] | None = None,
    pairs: list[PairedComparison] | None = None,
) -> str:
    keys = frame_keys(frame)
    dims_head = [display_name(d) for d in keys]
    measured = frame[frame.source == "measured"]
    full = measured[measured["rank"].notna()]
    partial = measured[measured["rank"].isna()]
    reference = frame[frame.source != "measured"]
    lines: list[str] = []

    def table(head: list[str], rows: list[list[str]]) -> None:
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        lines.extend("| " + " | ".join(cells) + " |" for cells in rows)
        lines.append("")

    lines.append(f"Ranked: weighted scores ({weighting}, 95% CI) under full coverage of every weighted dimension.\n")
    table(
        ["#", "model", f"weighted ({weighting})"] + dims_head,
        [
            [str(r.rank), _md_escape(r.label), _weighted(r)] + [dimension_cell(r, d) for d in keys]
            for r in full.itertuples(index=False)
        ]
        or [["—", "no model has full coverage", ""] + [""] * 14],
    )
    if len(partial):
        lines.append("Partial (unranked: not comparable with full scores; share of the weight under full coverage):\n")
        table(
            ["model", f"weighted ({weighting})", "coverage"] + dims_head,
            [
                [
                    _md_escape(r.label),
                    _weighted(r),
                    f"{r.dimensions_scored}/{len(keys)} dims, {r.weight_complete:.0%} of the weight fully covered",
                ]
                + [dimension_cell(r, d) for d in keys]
                for r in partial.itertuples(index=False)
            ],
        )
    if len(reference):
        lines.append(
            "Reference rows (published; not ranked with measured rows). A dimension marked * is not on "
            "our scale (see the comparability note below):\n"
        )
        comparable = reference_comparability()
        head = [display_name(d) + ("" if comparable.get(d, {}).get("comparable", False) else " *") for d in keys]
        table(
            ["model", "source", "weighted (published)"] + head,
            [
                [_md_escape(r.model), _md_escape(r.source), _cell(r.weighted_score)]
                + [_cell(getattr(r, d)) for d in keys]
                for r in reference.itertuples(index=False)
            ],
        )
        lines.extend(
            f"- * {display_name(d)}: {comparable.get(d, {}).get('note', '')}"
            for d in keys
            if not comparable.get(d, {}).get("comparable", False)
        )
        lines.append("")
    if summaries:
        lines.append(
            "Coverage and method per dimension (scored/applicable prompts; error, missing, not-applicable "
            "and stale rows):\n"
        )
        table(
            ["dimension"] + [_md_escape(s.label) for s in summaries],
            [[display_name(d)] + [_md_escape(coverage_text(s, d)) for s in summaries] for d in keys],
        )
    if pairs:
        lines.append(
            "Paired comparisons (weighted score A - B on the prompts both scored, paired bootstrap 95% CI; "
            f"a verdict needs at least {MIN_VERDICT_PROMPTS} shared prompts and {MIN_VERDICT_WEIGHT:.0%} "
            "of the weight):\n"
        )
        table(
            ["A", "B", "A - B", "95% CI", "prompts", "weight compared", "verdict"],
            [
                [
                    _md_escape(p.a),
                    _md_escape(p.b),
                    f"{p.difference:+.3f}",
                    f"[{p.ci_low:+.3f}, {p.ci_high:+.3f}]",
                    str(p.prompts),
                    f"{p.weight_share:.0%}",
                    _md_escape(p.verdict),
                ]
                for p in pairs
            ],
        )
    return "\n".join(lines)


def coverage_text(summary: ModelSummary, d: str) -> str:
    x = summary.dimensions[d]
    text = x.status_label()
    if x.method:
        text += f"; {x.method}" + ("" if x.reference_method else " (not the report's method)")
    if x.method_note:
        text += f"; {x.method_note}"
    return text
