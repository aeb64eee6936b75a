"""A self-contained HTML report: tables, embedded charts, failures and provenance.

Everything that comes from a run (model names, prompt ids, error messages, backends, config) is
passed through ``html.escape`` before it reaches the page.
"""

from __future__ import annotations

import base64
import html
import json
import shlex
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, SupportsFloat

import pandas as pd

from wanbench.benchmark.names import display_name, ordered_keys
from wanbench.benchmark.names import group as dimension_group
from wanbench.evaluation.aggregate import ModelSummary
from wanbench.report.calibration import calibration_field
from wanbench.report.tables import frame_keys

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0 auto;padding:1em;color:#222;max-width:1400px;line-height:1.4}
h1{font-size:1.5em;overflow-wrap:anywhere} h2{font-size:1.2em;margin-top:1.6em} h3{font-size:1.05em}
.scroll{overflow-x:auto;max-width:100%;margin:.6em 0}
table{border-collapse:separate;border-spacing:0;font-size:13px}
th,td{border-bottom:1px solid #ddd;border-right:1px solid #eee;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f3f3f3;position:sticky;top:0} td.l,th.l{text-align:left}
th:first-child,td:first-child{position:sticky;left:0;background:#fff;z-index:1;text-align:left;
  min-width:7em;max-width:16em;overflow-wrap:break-word;box-shadow:1px 0 0 #ddd}
th:first-child{background:#f3f3f3;z-index:2} td small{white-space:nowrap}
table.sortable th{cursor:pointer} table.sortable th:hover{background:#e6e6e6}
th[aria-sort=ascending]::after{content:" \\25B2"} th[aria-sort=descending]::after{content:" \\25BC"}
.missing{color:#888} .partial{color:#9a5b00} .err{color:#b00020}
.prompt{min-width:16em;max-width:28em;text-align:left;white-space:normal}
video{width:160px;max-width:40vw;height:auto;background:#000;display:block}
img{max-width:100%;height:auto;border:1px solid #eee;margin:.5em 0}
pre{background:#f7f7f7;padding:1em;overflow:auto;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;font-size:13px}
dl.kv dd{margin:0;overflow-wrap:anywhere}
details summary{cursor:pointer;font-weight:600;margin:.6em 0}
small{color:#555}
table.board{font-size:12px;width:100%} table.board th,table.board td{padding:4px 4px;min-width:0;overflow-wrap:normal}
table.board th:first-child,table.board td:first-child{min-width:5.5em;max-width:11em;overflow-wrap:anywhere}
table.board td small{white-space:normal}
.chart{overflow-x:auto;max-width:100%}
@media (max-width:600px){body{padding:.5em;font-size:15px} table{font-size:12px} th,td{padding:3px 5px}
  table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
  table.stack thead{display:none}
  table.stack tr{border:1px solid #ddd;border-radius:4px;margin:.6em 0;padding:.3em .4em}
  table.stack td,table.stack td:first-child{position:static;text-align:left;border:0;padding:2px 0;min-width:0;
    max-width:none;box-shadow:none;overflow-wrap:anywhere}
  table.stack td:first-child{font-weight:700}
  table.stack td::before{content:attr(data-label);font-weight:600;margin-right:.5em}
  table.stack td:first-child::before{content:none}
  table.stack td small{white-space:normal} table.stack .prompt{min-width:0;max-width:none}
  .chart img{max-width:none;width:max(100%,760px)}}
"""

# Label every cell of a stacked table with its column (a phone shows such tables as one card per row),
# then sort any table.sortable by a clicked header: numeric when the cells carry data-v, text otherwise.
SCRIPT = """
document.querySelectorAll('table.stack').forEach(function(table){
  var heads = table.tHead ? table.tHead.rows[0].cells : [];
  Array.prototype.forEach.call(table.tBodies[0].rows, function(row){
    Array.prototype.forEach.call(row.cells, function(cell, col){
      if (heads[col]) cell.setAttribute('data-label', (heads[col].textContent || '').trim());
    });
  });
});
document.querySelectorAll('table.sortable').forEach(function(table){
  var heads = table.tHead ? table.tHead.rows[0].cells : [];
  Array.prototype.forEach.call(heads, function(th, col){
    th.addEventListener('click', function(){
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      Array.prototype.forEach.call(heads, function(h){ h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      function key(row){
        var cell = row.cells[col]; if (!cell) return '';
        var v = cell.getAttribute('data-v');
        if (v !== null && v !== '' && !isNaN(Number(v))) return Number(v);
        return (cell.textContent || '').trim().toLowerCase();
      }
      rows.sort(function(a, b){
        var x = key(a), y = key(b);
        if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return '<span class="missing">—</span>'
    return f"{value:.3f}" if isinstance(value, float) else esc(value)


def embed_png(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<div class="chart"><img alt="{esc(path.stem)}" src="data:image/png;base64,{data}"></div>'


def _dimension_cell_html(row: Any, d: str) -> str:
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


def _table(
    head: list[str],
    rows: list[str],
    sortable: bool = True,
    left: frozenset[int] | set[int] = frozenset(),
    classes: tuple[str, ...] = (),
) -> str:
    """A table inside a horizontal scroller (the page itself never scrolls sideways); the first column
    stays in view while the rest scroll. ``classes``: "board" fits a leaderboard's every column in a
    wide window; "stack" shows one card per row on a phone (each cell labelled by its column)."""
    cells = "".join(f'<th{" class=l" if i in left else ""} scope="col">{h}</th>' for i, h in enumerate(head))
    names = (("sortable",) if sortable else ()) + classes
    kind = f' class="{" ".join(names)}"' if names else ""
    return (
        f'<div class="scroll"><table{kind}><thead><tr>{cells}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


def _num(value: SupportsFloat | None) -> str:
    """A numeric cell (data-v makes it sort as a number)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return f'<td data-v="">{fmt(None)}</td>'
    return f'<td data-v="{float(value):.6f}">{fmt(value)}</td>'


def leaderboard_html(frame: pd.DataFrame, weighting: str) -> str:
    """Ranked full-coverage rows, then partial rows (unranked), then reference rows (unranked, with
    dimensions not on our scale marked *)."""
    from wanbench.report.tables import reference_comparability

    comparable = reference_comparability()
    keys = frame_keys(frame)
    head = [esc(display_name(d)) for d in keys]
    ref_head = [esc(display_name(d)) + ("" if comparable.get(d, {}).get("comparable") else " *") for d in keys]
    sections: dict[str, list[str]] = {"ranked": [], "partial": [], "reference": []}
    for row in frame.itertuples(index=False):
        score = fmt(row.weighted_score)
        if (
            row.source == "measured"
            and getattr(row, "weighted_ci_low", None) is not None
            and not pd.isna(row.weighted_ci_low)
        ):
            score += f"<br><small>[{row.weighted_ci_low:.3f}, {row.weighted_ci_high:.3f}]</small>"
            if row.weighted_ci_note:
                score += f'<br><small class="partial">{esc(row.weighted_ci_note)}</small>'
        if row.source == "measured" and row.partial and not pd.isna(row.weighted_score):
            score += (
                f'<br><small class="partial">partial: {row.dimensions_scored}/{len(keys)} dims, '
                f"{row.weight_complete:.0%} of the weight fully covered</small>"
            )
        value = "" if pd.isna(row.weighted_score) else f"{float(row.weighted_score):.6f}"
        cells = "".join(
            f'<td data-v="{"" if pd.isna(getattr(row, d)) else f"{float(getattr(row, d)):.6f}"}">'
            f"{_dimension_cell_html(row, d)}</td>"
            for d in keys
        )
        if row.source != "measured":
            key, rank = "reference", ""
        elif pd.isna(row.rank):
            key, rank = "partial", "—"
        else:
            key, rank = "ranked", str(int(row.rank))
        sections[key].append(
            f'<tr><td>{esc(row.label)}</td><td data-v="{esc(rank if rank.isdigit() else "")}">'
            f'{rank}</td><td class="l">{esc(row.source)}</td><td data-v="{value}">{score}</td>'
            f"{cells}</tr>"
        )
    parts = []
    titles = {
        "ranked": "Ranked (full coverage)",
        "partial": "Partial: unranked, not comparable with full scores",
        "reference": "Reference rows: published, not ranked with measured rows (* = not on our scale)",
    }
    for key, rows in sections.items():
        if rows:
            columns = ["model", "#", "source", f"weighted ({esc(weighting)})"]
            parts.append(
                f"<h3>{esc(titles[key])}</h3>"
                + _table(
                    columns + (ref_head if key == "reference" else head), rows, left={0, 2}, classes=("board", "stack")
                )
            )
    if sections["reference"]:
        parts.append(
            "<ul>"
            + "".join(
                f"<li>* {esc(display_name(d))}: {esc(comparable.get(d, {}).get('note', ''))}</li>"
                for d in keys
                if not comparable.get(d, {}).get("comparable")
            )
            + "</ul>"
        )
    return "".join(parts)


def missing_reasons_html(summaries: list[ModelSummary]) -> str:
    """Each distinct reason a dimension could not be measured, once, with the models and dimensions it
    stopped (the same missing-weights sentence used to repeat once per dimension and model)."""
    grouped: dict[str, dict[str, list[str]]] = {}
    for s in summaries:
        for d, x in s.dimensions.items():
            if x.mean is None and x.missing_reason:
                grouped.setdefault(x.missing_reason, {}).setdefault(s.label, []).append(display_name(d))
    if not grouped:
        return ""
    items = []
    for reason, by_model in grouped.items():
        who = "; ".join(f"{esc(model)}: {esc(', '.join(dims))}" for model, dims in by_model.items())
        items.append(f'<li><span class="missing">{esc(reason)}</span><br><small>{who}</small></li>')
    return "<h2>Not measured, and why</h2><ul>" + "".join(items) + "</ul>"


def dimension_table_html(summary: ModelSummary) -> str:
    rows = []
    for d in summary.dimensions:
        s = summary.dimensions[d]
        ci = f"[{s.ci_low:.3f}, {s.ci_high:.3f}]" if s.mean is not None else ""
        note = '<span class="missing">missing (see above)</span>' if s.mean is None and s.missing_reason else ""
        if s.partial:
            note += f'<span class="partial">partial: {s.n} of {s.applicable} applicable prompts scored</span> '
        if s.subdimensions:
            note += esc(s.subdimension_label())
        if s.n_error:
            note += f' <span class="err">{s.n_error} error(s)</span>'
        if s.ci_note:
            note += f' <span class="partial">{esc(s.ci_note)}</span>'
        if s.method_note:
            note += f' <span class="partial">{esc(s.method_note)}</span>'
        method = esc(s.method) + ("" if s.reference_method else ' <span class="partial">(not the report\'s)</span>')
        rows.append(
            f'<tr><td>{esc(display_name(d))}</td><td class="l">{esc(dimension_group(d))}</td>'
            f'{_num(s.mean)}<td>{ci}</td><td data-v="{s.n}">{s.n}/{s.applicable}</td>'
            f"<td>{s.n_error}</td><td>{s.n_missing}</td><td>{s.n_not_applicable}</td><td>{s.n_stale}</td>"
            f'<td class="l">{method}</td><td class="l">{note}</td></tr>'
        )
    head = [
        "dimension",
        "group",
        "mean",
        "95% CI",
        "scored/applicable",
        "errors",
        "missing",
        "n/a",
        "stale",
        "method",
        "notes",
    ]
    return _table(head, rows, left={0, 1, 9, 10})


def pairs_table_html(pairs: list) -> str:
    rows = [
        f'<tr><td>{esc(p.a)}</td><td class="l">{esc(p.b)}</td><td data-v="{p.difference:.6f}">'
        f"{p.difference:+.3f}</td><td>[{p.ci_low:+.3f}, {p.ci_high:+.3f}]</td><td>{p.prompts}</td>"
        f'<td>{p.weight_share:.0%}</td><td class="l">{esc(p.verdict)}</td></tr>'
        for p in pairs
    ]
    return _table(["A", "B", "A - B", "95% CI", "prompts", "weight compared", "verdict"], rows, left={0, 1, 6})


def records_table_html(frame: pd.DataFrame, columns: list[str]) -> str:
    rows = [
        "<tr>"
        + "".join(
            f'<td class="l">{fmt(r[c]) if c == "value" else esc("" if pd.isna(r[c]) else r[c])}</td>' for c in columns
        )
        + "</tr>"
        for _, r in frame.iterrows()
    ]
    return _table([esc(c) for c in columns], rows, left=set(range(len(columns))))


def _details_text(details: object) -> str:
    """A row's details JSON as short ``key: value`` lines (numbers to 3 decimals)."""
    try:
        data = json.loads(details) if isinstance(details, str) else {}
    except ValueError:
        return ""
    lines = []
    for key, value in (data or {}).items():
        if isinstance(value, float):
            value = f"{value:.3f}"
        elif isinstance(value, (list, dict)):
            value = json.dumps(value, default=str)
            value = value if len(value) <= 80 else value[:77] + "..."
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


def per_video_html(
    results: pd.DataFrame, prompts: dict[tuple[str, str], str], videos: dict[tuple[str, str, str, int], str]
) -> str:
    """One row per (model, prompt, seed): the prompt text, the video (a relative link, played in place)
    and every dimension's value; hovering a value shows its details, other statuses say which."""
    if not len(results):
        return "<p>No rows.</p>"
    dims = ordered_keys(results.dimension)
    rows = []
    for (run, model, prompt_id, seed), group in results.groupby(["run", "model", "prompt_id", "seed"], sort=True):
        by_dim = {r.dimension: r for r in group.itertuples(index=False)}
        href = videos.get((run, model, prompt_id, int(seed)))
        video = (
            f'<video controls muted preload="metadata" src="{esc(href)}"></video>'
            f'<small><a href="{esc(href)}">open</a></small>'
            if href
            else '<small class="missing">no file</small>'
        )
        cells = []
        for d in dims:
            r = by_dim.get(d)
            if r is None:
                cells.append('<td data-v=""></td>')
            elif r.status == "ok":
                cells.append(
                    f'<td data-v="{float(r.value):.6f}" title="{esc(_details_text(r.details))}">'
                    f"{float(r.value):.3f}</td>"
                )
            else:
                reason = r.error if isinstance(r.error, str) else ""
                css = "err" if r.status == "error" else "missing"
                cells.append(
                    f'<td data-v="" class="{css}" title="{esc(reason)}">{esc(r.status.replace("_", " "))}</td>'
                )
        text = prompts.get((run, prompt_id), "")
        rows.append(
            f'<tr><td>{esc(model)}</td><td class="l">{esc(prompt_id)}</td><td>{int(seed)}</td>'
            f'<td class="prompt">{esc(text)}</td><td class="l">{video}</td>{"".join(cells)}</tr>'
        )
    head = ["model", "prompt", "seed", "prompt text", "video"] + [esc(display_name(d)) for d in dims]
    return _table(head, rows, left={0, 1, 3, 4}, classes=("stack",))


def _when(epoch: SupportsFloat | None) -> str:
    if epoch is None or (isinstance(epoch, float) and pd.isna(epoch)):
        return "—"
    return datetime.fromtimestamp(float(epoch), tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def provenance_html(invocations: list[dict]) -> str:
    """Each invocation as readable fields (when, what ran, on which code and machine); the raw JSON
    stays available below for tools."""
    blocks = []
    for inv in invocations:
        prov = inv.get("provenance") or {}
        git = prov.get("git") or {}
        packages = prov.get("packages") or {}
        device = prov.get("device")
        argv = prov.get("argv") or []
        command = " ".join(shlex.quote(str(a)) for a in argv)
        commit = git.get("commit", "") if isinstance(git, dict) else str(git)
        if isinstance(git, dict) and git.get("dirty"):
            commit += " (uncommitted changes)"
        fields = [
            ("run / model", f"{inv.get('run', '')} / {inv.get('model', '')}"),
            ("started", _when(inv.get("started"))),
            ("finished", _when(inv.get("finished"))),
            ("status", inv.get("status") or ""),
            ("command", command),
            ("git commit", commit),
            ("python", prov.get("python", "")),
            (
                "packages",
                ", ".join(f"{k} {v}" for k, v in packages.items()) if isinstance(packages, dict) else str(packages),
            ),
            ("device", json.dumps(device, default=str) if isinstance(device, (dict, list)) else str(device or "")),
            ("suite sha256", str(inv.get("suite_sha256", ""))[:16]),
            ("calibration", calibration_field(inv)),
        ]
        rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in fields)
        blocks.append(f'<dl class="kv">{rows}</dl>')
    raw_json = esc(json.dumps(invocations, indent=2, default=str))
    raw = f"<details><summary>Raw provenance (JSON)</summary><pre>{raw_json}</pre></details>"
    return "<hr>".join(blocks) + raw


def render_page(title: str, sections: list) -> str:
    """The whole page: one self-contained file (styles, script and charts inline) of the report's
    sections (``wanbench.report.sections``); videos are relative links into the run directories."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body><h1>{esc(title)}</h1>",
        *(section.html for section in sections if section.html),
        f"<script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(parts)
