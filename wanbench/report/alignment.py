"""The report's human-alignment section: shown when a votes file exists for the reported runs.

The votes file is the one ``wanbench arena`` writes by default (``votes.sqlite`` beside the runs) or
the one passed in. The section puts the human ranking (Bradley-Terry with CIs) beside the
benchmark's weighted scores, and lists how far each dimension and weighting agrees with the votes.
Everything from votes or runs is escaped.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from wanbench.benchmark.names import display_name
from wanbench.people.alignment import Agreement, align, load_video_scores
from wanbench.people.votes import VoteError, VoteStore, default_votes_path

SECTION_BOOTSTRAP = 200


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return '<span class="missing">—</span>'
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _ci(ci: tuple[float | None, float | None]) -> str:
    return "" if ci[0] is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def _agreement_rows(rows: Sequence[Agreement], label) -> str:
    return "".join(
        f'<tr><td class="l">{_e(label(a.name))}</td><td>{_num(a.accuracy)}</td><td>{_ci(a.accuracy_ci)}</td>'
        f'<td>{_num(a.tau, True)}</td><td>{_ci(a.tau_ci)}</td><td>{a.n}</td><td class="l">{_e(a.note)}</td></tr>'
        for a in rows
    )


AGREEMENT_HEAD = (
    '<tr><th class="l">{}</th><th>pairwise accuracy</th><th>95% CI</th><th>Kendall tau-b</th>'
    '<th>95% CI</th><th>votes</th><th class="l">note</th></tr>'
)


def human_alignment_section(
    run_dirs: Sequence[Path], summaries: Sequence, weights: dict[str, float], weighting: str, votes: Path | None = None
) -> str:
    """HTML for the report, or "" when there is no votes file."""
    path = Path(votes) if votes else default_votes_path(list(run_dirs))
    if not path.is_file():
        return ""
    head = f"<h2>Human alignment</h2><p>Votes: {_e(path.name)}.</p>"
    try:
        with VoteStore(path, readonly=True) as store:
            all_votes = store.votes()
        weightings = {weighting: weights}
        if weighting != "equal":
            from wanbench.benchmark.weightings import load_weighting

            weightings["equal"] = load_weighting("equal")
        report = align(all_votes, load_video_scores(list(run_dirs)), weightings, "pearson", SECTION_BOOTSTRAP)
    except (VoteError, ValueError, OSError, sqlite3.Error) as exc:
        return head + f'<p class="err">no alignment figures: {_e(exc)}</p>'
    bench = {s.model: s.weighted.value for s in summaries}
    bench_rank = {
        m: i
        for i, m in enumerate(sorted((m for m, v in bench.items() if v is not None), key=lambda m: -bench[m]), start=1)
    }
    rows = "".join(
        f'<tr><td>{rank}</td><td class="l">{_e(h.model)}</td><td>{h.rating:+.3f}</td><td>{_ci(h.ci)}</td>'
        f"<td>{h.votes}</td><td>{h.win_rate:.3f}</td><td>{bench_rank.get(h.model, '—')}</td>"
        f"<td>{_num(bench.get(h.model))}</td></tr>"
        for rank, h in enumerate(report.ratings, start=1)
    )
    parts = [
        head,
        f"<p>{report.votes} votes on scored videos; {report.both_bad} both-bad votes and {report.unmatched} "
        "votes on videos these runs did not score are left out of the preference figures.</p>",
        '<table><tr><th>human rank</th><th class="l">model</th><th>Bradley-Terry rating</th><th>95% CI</th>'
        f"<th>votes</th><th>win rate</th><th>benchmark rank</th><th>weighted ({_e(weighting)})</th></tr>"
        f"{rows}</table>",
        "<table>" + AGREEMENT_HEAD.format("dimension") + _agreement_rows(report.dimensions, display_name),
        _agreement_rows(report.weightings, lambda n: n.replace("weighting:", "weighting: ")) + "</table>",
    ]
    if report.questions:
        parts.append(
            "<table>"
            + AGREEMENT_HEAD.format("per-dimension question")
            + _agreement_rows(report.questions, display_name)
            + "</table>"
        )
    agreement = [g for g in report.annotators if g.items]
    if agreement:
        parts.append(
            "<p>Inter-annotator agreement: "
            + "; ".join(
                f"{_e(g.question or 'overall')}: {g.items} shared pairs, {_num(g.percent_agreement)} agreement, "
                f"Fleiss' kappa {_num(g.fleiss_kappa)}"
                for g in agreement
            )
            + ".</p>"
        )
    return "\n".join(parts)
