"""A self-contained HTML report: tables, embedded charts, failures and provenance.

Everything that comes from a run (model names, prompt ids, error messages, backends, config) is
passed through ``html.escape`` before it reaches the page.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from wanbench.aggregate import ModelSummary
from wanbench.dims.names import DIMENSION_KEYS, DIMENSIONS, display_name

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f3f3f3} td.l,th.l{text-align:left}
.missing{color:#999} .partial{color:#b36b00} .err{color:#b00020}
img{max-width:100%;border:1px solid #eee;margin:.5em 0}
pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:12px}
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return '<span class="missing">—</span>'
    return f"{value:.3f}" if isinstance(value, float) else esc(value)


def embed_png(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{esc(path.stem)}" src="data:image/png;base64,{data}">'


def leaderboard_html(frame: pd.DataFrame, weighting: str) -> str:
    head = "".join(f"<th>{esc(display_name(d))}</th>" for d in DIMENSION_KEYS)
    rows = []
    for rank, row in enumerate(frame.itertuples(index=False), start=1):
        score = fmt(row.weighted_score)
        if getattr(row, "weighted_ci_low", None) is not None and not pd.isna(row.weighted_ci_low):
            score += f"<br><small>[{row.weighted_ci_low:.3f}, {row.weighted_ci_high:.3f}]</small>"
        if row.partial and not pd.isna(row.weighted_score):
            score += f'<br><small class="partial">partial: {row.dimensions_scored}/14 dims</small>'
        cells = "".join(f"<td>{fmt(getattr(row, d))}</td>" for d in DIMENSION_KEYS)
        rows.append(f'<tr><td>{rank}</td><td class="l">{esc(row.model)}</td><td class="l">{esc(row.source)}</td>'
                    f"<td>{score}</td>{cells}</tr>")
    return (f'<table><tr><th>#</th><th class="l">model</th><th class="l">source</th>'
            f"<th>weighted ({esc(weighting)})</th>{head}</tr>{''.join(rows)}</table>")


def dimension_table_html(summary: ModelSummary) -> str:
    rows = []
    for d in DIMENSION_KEYS:
        s = summary.dimensions[d]
        ci = f"[{s.ci_low:.3f}, {s.ci_high:.3f}]" if s.mean is not None else ""
        note = f'<span class="missing">missing: {esc(s.missing_reason)}</span>' if s.mean is None else ""
        if s.subdimensions:
            note += esc(s.subdimension_label())
        if s.n_error:
            note += f' <span class="err">{s.n_error} error(s)</span>'
        rows.append(f'<tr><td class="l">{esc(display_name(d))}</td><td class="l">{esc(DIMENSIONS[d][1])}</td>'
                    f"<td>{fmt(s.mean)}</td><td>{ci}</td><td>{s.n}</td><td class=\"l\">{note}</td></tr>")
    return ('<table><tr><th class="l">dimension</th><th class="l">group</th><th>mean</th><th>95% CI</th>'
            f'<th>n</th><th class="l">notes</th></tr>{"".join(rows)}</table>')


def records_table_html(frame: pd.DataFrame, columns: list[str]) -> str:
    head = "".join(f'<th class="l">{esc(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="l">{fmt(r[c]) if c == "value" else esc("" if pd.isna(r[c]) else r[c])}</td>'
                         for c in columns) + "</tr>"
        for _, r in frame.iterrows()
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(title: str, weighting: str, frame: pd.DataFrame, summaries: list[ModelSummary],
                results: pd.DataFrame, failures: pd.DataFrame, charts: list[Path],
                invocations: list[dict], extra_sections: str = "") -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{esc(title)}</h1>",
             "<h2>Leaderboard</h2>", leaderboard_html(frame, weighting)]
    if any(s.weighted.partial for s in summaries):
        parts.append('<p class="partial">A partial weighted score is renormalised over the dimensions that '
                     "have values; it is not comparable with a full 14-dimension score.</p>")
    if weighting == "paper":
        parts.append("<p>The <em>paper</em> weighting is fitted, not published: the maximum-entropy weights "
                     "that reproduce the report's Table 2 weighted scores to three decimals.</p>")
    for chart in charts:
        parts.append(embed_png(chart))
    for s in summaries:
        parts.append(f"<h2>{esc(s.model)} <small>(run {esc(s.run)})</small></h2>")
        parts.append(dimension_table_html(s))
    if len(failures):
        parts.append(f'<h2 class="err">Failures ({len(failures)})</h2>')
        parts.append(records_table_html(failures, ["model", "prompt_id", "seed", "stage", "message"]))
    errors = results[results.status == "error"]
    if len(errors):
        parts.append(f'<h2 class="err">Error rows ({len(errors)})</h2>')
        parts.append(records_table_html(errors, ["model", "prompt_id", "seed", "dimension", "error"]))
    parts.append(extra_sections)  # e.g. the provenance of videos made elsewhere (report/sources.py), escaped
    scored = results[results.status != "missing"]
    parts.append(f"<details><summary>Per-video scores ({len(scored)} rows)</summary>")
    parts.append(records_table_html(scored, ["model", "prompt_id", "seed", "dimension", "status", "value", "backend"]))
    parts.append("</details><details><summary>Provenance (every invocation)</summary>")
    parts.append(f"<pre>{esc(json.dumps(invocations, indent=2, default=str))}</pre></details>")
    parts.append("</body></html>")
    return "\n".join(parts)
