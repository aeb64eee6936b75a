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


def _dimension_cell_html(row: object, d: str) -> str:
    text = fmt(getattr(row, d))
    if row.source != "measured":
        return text
    from wanbench.report.tables import flag

    if flag(getattr(row, f"{d}_partial", None)):
        text += f'<br><small class="partial">partial {esc(getattr(row, f"{d}_coverage"))}</small>'
    elif isinstance(getattr(row, f"{d}_coverage", None), str):
        text += f"<br><small>{esc(getattr(row, f'{d}_coverage'))}</small>"
    method = getattr(row, f"{d}_method", "")
    if isinstance(method, str) and method and flag(getattr(row, f"{d}_reference_method", None)) is False:
        text += f'<br><small class="partial">{esc(method)}</small>'
    return text


def leaderboard_html(frame: pd.DataFrame, weighting: str) -> str:
    """Ranked full-coverage rows, then partial rows (unranked), then reference rows (unranked, with
    dimensions not on our scale marked *)."""
    from wanbench.report.tables import reference_comparability

    comparable = reference_comparability()
    head = "".join(f"<th>{esc(display_name(d))}</th>" for d in DIMENSION_KEYS)
    ref_head = "".join(f"<th>{esc(display_name(d))}{'' if comparable[d]['comparable'] else ' *'}</th>"
                       for d in DIMENSION_KEYS)
    sections = {"ranked": [], "partial": [], "reference": []}
    for row in frame.itertuples(index=False):
        score = fmt(row.weighted_score)
        if row.source == "measured" and getattr(row, "weighted_ci_low", None) is not None \
                and not pd.isna(row.weighted_ci_low):
            score += f"<br><small>[{row.weighted_ci_low:.3f}, {row.weighted_ci_high:.3f}]</small>"
        if row.source == "measured" and row.partial and not pd.isna(row.weighted_score):
            score += (f'<br><small class="partial">partial: {row.dimensions_scored}/14 dims, '
                      f"{row.weight_complete:.0%} of the weight fully covered</small>")
        cells = "".join(f"<td>{_dimension_cell_html(row, d)}</td>" for d in DIMENSION_KEYS)
        if row.source != "measured":
            key, rank = "reference", ""
        elif pd.isna(row.rank):
            key, rank = "partial", "—"
        else:
            key, rank = "ranked", str(int(row.rank))
        sections[key].append(f'<tr><td>{rank}</td><td class="l">{esc(row.model)}</td><td class="l">'
                             f"{esc(row.source)}</td><td>{score}</td>{cells}</tr>")
    parts = []
    titles = {"ranked": "Ranked (full coverage)", "partial": "Partial: unranked, not comparable with full scores",
              "reference": "Reference rows: published, not ranked with measured rows (* = not on our scale)"}
    for key, rows in sections.items():
        if rows:
            parts.append(f"<h3>{esc(titles[key])}</h3><table><tr><th>#</th><th class=\"l\">model</th>"
                         f"<th class=\"l\">source</th><th>weighted ({esc(weighting)})</th>"
                         f"{ref_head if key == 'reference' else head}</tr>{''.join(rows)}</table>")
    if sections["reference"]:
        parts.append("<ul>" + "".join(f"<li>* {esc(display_name(d))}: {esc(comparable[d]['note'])}</li>"
                                      for d in DIMENSION_KEYS if not comparable[d]["comparable"]) + "</ul>")
    return "".join(parts)


def dimension_table_html(summary: ModelSummary) -> str:
    rows = []
    for d in DIMENSION_KEYS:
        s = summary.dimensions[d]
        ci = f"[{s.ci_low:.3f}, {s.ci_high:.3f}]" if s.mean is not None else ""
        note = f'<span class="missing">missing: {esc(s.missing_reason)}</span>' if s.mean is None else ""
        if s.partial:
            note += f'<span class="partial">partial: {s.n} of {s.applicable} applicable prompts scored</span> '
        if s.subdimensions:
            note += esc(s.subdimension_label())
        if s.n_error:
            note += f' <span class="err">{s.n_error} error(s)</span>'
        if s.method_note:
            note += f' <span class="partial">{esc(s.method_note)}</span>'
        method = esc(s.method) + ("" if s.reference_method else ' <span class="partial">(not the report\'s)</span>')
        rows.append(f'<tr><td class="l">{esc(display_name(d))}</td><td class="l">{esc(DIMENSIONS[d][1])}</td>'
                    f"<td>{fmt(s.mean)}</td><td>{ci}</td><td>{s.n}/{s.applicable}</td><td>{s.n_error}</td>"
                    f"<td>{s.n_missing}</td><td>{s.n_not_applicable}</td><td>{s.n_stale}</td>"
                    f'<td class="l">{method}</td><td class="l">{note}</td></tr>')
    return ('<table><tr><th class="l">dimension</th><th class="l">group</th><th>mean</th><th>95% CI</th>'
            "<th>scored/applicable</th><th>errors</th><th>missing</th><th>n/a</th><th>stale</th>"
            f'<th class="l">method</th><th class="l">notes</th></tr>{"".join(rows)}</table>')


def pairs_table_html(pairs: list) -> str:
    rows = "".join(f'<tr><td class="l">{esc(p.a)}</td><td class="l">{esc(p.b)}</td><td>{p.difference:+.3f}</td>'
                   f"<td>[{p.ci_low:+.3f}, {p.ci_high:+.3f}]</td><td>{p.prompts}</td><td>{p.weight_share:.0%}</td>"
                   f'<td class="l">{esc(p.verdict)}</td></tr>' for p in pairs)
    return ('<table><tr><th class="l">A</th><th class="l">B</th><th>A - B</th><th>95% CI</th><th>prompts</th>'
            f'<th>weight compared</th><th class="l">verdict</th></tr>{rows}</table>')


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
                invocations: list[dict], pairs: list | None = None) -> str:
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>",
             f"<style>{STYLE}</style></head><body><h1>{esc(title)}</h1>",
             "<h2>Leaderboard</h2>", leaderboard_html(frame, weighting)]
    if any(s.weighted.partial for s in summaries):
        parts.append('<p class="partial">A partial weighted score is renormalised over the dimensions that '
                     "have values or lacks prompts in some; it is not comparable with a full score and is not "
                     "ranked.</p>")
    if pairs:
        parts.append("<h2>Paired comparisons</h2><p>Weighted score A - B on the prompts both models scored, "
                     "with a paired bootstrap 95% CI over those prompts.</p>")
        parts.append(pairs_table_html(pairs))
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
    parts.append(f"<details><summary>Per-video rows, every status ({len(results)} rows)</summary>")
    columns = ["model", "prompt_id", "seed", "dimension", "metric_version", "status", "value", "method", "backend",
               "error"]
    parts.append(records_table_html(results, [c for c in columns if c in results.columns]))
    parts.append("</details><details><summary>Provenance (every invocation)</summary>")
    parts.append(f"<pre>{esc(json.dumps(invocations, indent=2, default=str))}</pre></details>")
    parts.append("</body></html>")
    return "\n".join(parts)
