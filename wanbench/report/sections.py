"""A report is a list of sections of one shape, each built from the Evaluation.

A ``Section`` carries the same content three ways: markdown (leaderboard.md), HTML (report.html) and,
where there is data a program would want, a JSON-able ``data`` (results.json's ``sections``). Each
builder reads only the ``ReportContext`` (the Evaluation, its leaderboard frame, the charts written and
the video links), so a new section is one function added to ``SECTIONS``, and the three outputs cannot
tell different stories. An empty section (nothing to say) is left out of every output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wanbench.evaluation.read import Evaluation
from wanbench.report import html as page
from wanbench.report.calibration import calibration_html, calibration_markdown, uncalibrated_notes
from wanbench.report.languages import language_html, language_markdown
from wanbench.report.slices import short_html, short_markdown
from wanbench.report.sources import sources_html, sources_markdown
from wanbench.report.tables import leaderboard_markdown


@dataclass(frozen=True)
class Section:
    key: str
    markdown: str = ""
    html: str = ""
    data: Any = None  # JSON-able; None: nothing for results.json

    @property
    def empty(self) -> bool:
        return not (self.markdown or self.html or self.data)


@dataclass
class ReportContext:
    evaluation: Evaluation
    frame: pd.DataFrame  # the leaderboard (tables.leaderboard_frame)
    charts: list[Path] = field(default_factory=list)
    videos: dict[tuple[str, str, str, int], str] = field(default_factory=dict)  # key -> href from the report
    sources: list[dict] = field(default_factory=list)  # provenance of videos made elsewhere (sources.py)
    votes: Path | None = None


def leaderboard(ctx: ReportContext) -> Section:
    ev = ctx.evaluation
    markdown = leaderboard_markdown(ctx.frame, ev.weighting_label, ev.summaries, ev.pairs)
    html = ["<h2>Leaderboard</h2>", page.leaderboard_html(ctx.frame, ev.weighting_label)]
    if not ev.summaries:  # a run of only broken videos, a wrong folder, a suite of malformed lines
        note = f"Nothing was scored: {len(ev.failures)} item(s) failed before scoring"
        markdown += f"\n{note} (see report.html).\n"
        html.append(f"<p class='err'>{note} (listed below).</p>")
    if any(s.weighted.partial for s in ev.summaries):
        html.append(
            '<p class="partial">A partial weighted score is renormalised over the dimensions that '
            "have values or lacks prompts in some; it is not comparable with a full score and is not "
            "ranked.</p>"
        )
    if ev.weighting == "paper":
        html.append(
            "<p>The <em>paper</em> weighting is fitted, not published: the maximum-entropy weights "
            "that reproduce the report's Table 2 weighted scores to three decimals.</p>"
        )
    return Section("leaderboard", markdown, "".join(html))


def missing(ctx: ReportContext) -> Section:
    lines, data = [], {}
    for s in ctx.evaluation.summaries:
        gone = {d: x.missing_reason for d, x in s.dimensions.items() if x.mean is None}
        if gone:
            data[s.label] = gone
            lines.append(f"\n**{s.label}**: {len(gone)} dimension(s) missing:\n")
            lines.extend(f"- {d}: {reason}\n" for d, reason in gone.items())
        for d, x in s.dimensions.items():
            if x.subdimensions:
                lines.append(f"\n**{s.label}** {d} by sub-dimension: {x.subdimension_label()}\n")
        if s.failures:
            lines.append(f"\n**{s.label}**: {s.failures} prompt(s) failed before scoring (see report.html).\n")
    return Section("missing", "".join(lines), page.missing_reasons_html(ctx.evaluation.summaries), data or None)


def calibration(ctx: ReportContext) -> Section:
    invocations = ctx.evaluation.invocations
    notes = uncalibrated_notes(invocations)
    return Section("calibration", calibration_markdown(invocations), calibration_html(invocations), notes or None)


def pairs(ctx: ReportContext) -> Section:
    if not ctx.evaluation.pairs:
        return Section("pairs")
    html = (
        "<h2>Paired comparisons</h2><p>Weighted score A - B on the prompts both models scored, with a "
        "paired bootstrap 95% CI over those prompts.</p>" + page.pairs_table_html(ctx.evaluation.pairs)
    )
    return Section("pairs", "", html)  # the markdown leaderboard already lists the pairs


def charts(ctx: ReportContext) -> Section:
    if not ctx.charts:
        return Section("charts")
    return Section("charts", "", "<h2>Charts</h2>" + "".join(page.embed_png(c) for c in ctx.charts))


def languages(ctx: ReportContext) -> Section:
    s = ctx.evaluation.summaries
    return Section("languages", language_markdown(s), language_html(s, page.esc))


def short_slice(ctx: ReportContext) -> Section:
    results = ctx.evaluation.results
    return Section("short_slice", short_markdown(results), short_html(results, page.esc))


def vbench(ctx: ReportContext) -> Section:
    """VBench's Quality / Semantic / Total of every model that has VBench rows (``--benchmark vbench``),
    with bootstrap CIs over prompts and coverage, beside the report's Table 4: the Wan 2.1 report's two
    automated benchmarks side by side."""
    from wanbench.vbench.reference import paper_table4
    from wanbench.vbench.scores import NORMALIZATION, scores_from_rows

    results = ctx.evaluation.results
    rows = results[results.dimension.isin(list(NORMALIZATION))]
    if not len(rows):
        return Section("vbench")
    data, lines, cells = {}, [], []

    def pct(value: float | None, ci: tuple[float, float] | None) -> str:
        if value is None:
            return "—"
        return f"{100 * value:.2f}" + (f" [{100 * ci[0]:.2f}, {100 * ci[1]:.2f}]" if ci else "")

    for (run, model), mine in rows.groupby(["run", "model"], sort=False):
        scores = scores_from_rows(mine.to_dict("records"))
        if not scores.videos:
            continue
        label = model if rows[rows.model == model].run.nunique() == 1 else f"{model} ({run})"
        coverage = f"{len(scores.videos)}/{len(NORMALIZATION)} dims, {scores.prompts} prompts"
        values = [pct(getattr(scores, k), scores.intervals.get(k)) for k in ("quality", "semantic", "total")]
        data[label] = {
            "quality": scores.quality,
            "semantic": scores.semantic,
            "total": scores.total,
            "intervals": {k: list(v) for k, v in scores.intervals.items() if k in ("quality", "semantic", "total")},
            "dimensions_scored": len(scores.videos),
            "prompts": scores.prompts,
            "missing": scores.missing,
        }
        lines.append(f"| {label} | measured | " + " | ".join(values) + f" | {coverage} |\n")
        cells.append([label, "measured", *values, coverage])
    if not data:
        return Section("vbench")
    for model, row in paper_table4().items():
        values = [f"{row[k]:.2f}" for k in ("quality", "semantic", "total")]
        lines.append(f"| {model} | paper (Table 4) | " + " | ".join(values) + " | published |\n")
        cells.append([model, "paper (Table 4)", *values, "published"])
    head = ["model", "source", "Quality (%)", "Semantic (%)", "Total (%)", "coverage"]
    markdown = (
        "\n## VBench (Quality / Semantic / Total, 95% CI over prompts)\n\nScored by VBench's own evaluators "
        "(`--benchmark vbench`); a group with a dimension missing is not scored (VBench's script would count "
        "it as 0). Reference rows are the report's Table 4, shown beside ours, not ranked with them.\n\n"
        "| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n" + "".join(lines)
    )
    html = (
        "<h2>VBench: Quality / Semantic / Total</h2><p>Scored by VBench's own evaluators (95% CI over "
        "prompts); the report's Table 4 beside them, not ranked with them.</p><table><tr>"
        + "".join(f"<th>{page.esc(h)}</th>" for h in head)
        + "</tr>"
        + "".join("<tr>" + "".join(f"<td>{page.esc(c)}</td>" for c in row) + "</tr>" for row in cells)
        + "</table>"
    )
    return Section("vbench", markdown, html, data)


def models(ctx: ReportContext) -> Section:
    html = "".join(
        f"<h2>{page.esc(s.label)} <small>(run {page.esc(s.run)})</small></h2>" + page.dimension_table_html(s)
        for s in ctx.evaluation.summaries
    )
    return Section("models", "", html)


def alignment(ctx: ReportContext) -> Section:
    from wanbench.report.alignment import human_alignment_section  # votes beside the runs, or ``votes``

    ev = ctx.evaluation
    html = human_alignment_section(ev.run_dirs, ev.summaries, ev.weights, ev.weighting_label, ctx.votes)
    return Section("alignment", "", html)


def failures(ctx: ReportContext) -> Section:
    ev = ctx.evaluation
    parts = []
    if len(ev.failures):
        parts.append(f'<h2 class="err">Failures ({len(ev.failures)})</h2>')
        parts.append(page.records_table_html(ev.failures, ["model", "prompt_id", "seed", "stage", "message"]))
    errors = ev.results[ev.results.status == "error"]
    if len(errors):
        parts.append(f'<h2 class="err">Error rows ({len(errors)})</h2>')
        parts.append(page.records_table_html(errors, ["model", "prompt_id", "seed", "dimension", "error"]))
    data = {"failures": int(len(ev.failures)), "error_rows": int(len(errors))} if parts else None
    return Section("failures", "", "".join(parts), data)


def sources(ctx: ReportContext) -> Section:
    return Section("sources", sources_markdown(ctx.sources), sources_html(ctx.sources), ctx.sources or None)


def per_video(ctx: ReportContext) -> Section:
    results = ctx.evaluation.results
    count = results[["run", "model", "prompt_id", "seed"]].drop_duplicates().shape[0]
    html = (
        f"<h2>Per video ({count} videos)</h2><p><small>Click a column to sort; hover a value for its "
        "details.</small></p>" + page.per_video_html(results, ctx.evaluation.prompt_texts, ctx.videos)
    )
    return Section("per_video", "", html)


def provenance(ctx: ReportContext) -> Section:
    return Section("provenance", "", "<h2>Provenance</h2>" + page.provenance_html(ctx.evaluation.invocations))


SECTIONS: tuple[Callable[[ReportContext], Section], ...] = (
    leaderboard,
    missing,
    calibration,
    pairs,
    vbench,
    charts,
    languages,
    short_slice,
    models,
    alignment,
    failures,
    sources,
    per_video,
    provenance,
)


def build_sections(ctx: ReportContext) -> list[Section]:
    """Every non-empty section, in page order."""
    return [s for s in (build(ctx) for build in SECTIONS) if not s.empty]


def markdown_document(title: str, sections: list[Section]) -> str:
    return f"# {title}\n\n" + "".join(s.markdown for s in sections if s.markdown)


def sections_data(sections: list[Section]) -> dict[str, Any]:
    return {s.key: s.data for s in sections if s.data is not None}
