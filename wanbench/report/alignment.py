"""The report's human-alignment section: shown when a votes file exists for the reported runs.

The votes file is the one ``wanbench arena`` writes by default (``votes.sqlite`` beside the runs) or
the one passed in. The section puts the human ranking (Bradley-Terry with CIs) beside the
benchmark's weighted scores, lists how far each dimension and weighting agrees with the votes, and
gives the report's Table 3 view: one reference model's win rates against each other model per aspect,
beside the paper's figures. Its bootstrap setting is ``wanbench align``'s (the same digits).
Everything from votes or runs is escaped.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from wanbench.benchmark.names import display_name
from wanbench.people.alignment import BOOTSTRAP_SAMPLES, DEFAULT_METHOD, SEED, Agreement, align, load_video_scores
from wanbench.people.votes import OVERALL, Vote, VoteError, VoteStore, aspect_title, default_votes_path
from wanbench.people.win_rates import PAPER_NOTE, WinRateTable, win_rates


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


def _pct(value: float | None) -> str:
    return '<span class="missing">—</span>' if value is None else f"{100 * value:.1f}%"


def _pct_ci(ci: tuple[float | None, float | None]) -> str:
    return "" if ci[0] is None or ci[1] is None else f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"


def default_reference(votes: Sequence[Vote]) -> str | None:
    """The model in the most overall rounds (in a Table 3 study, the one in every pair); ties by name."""
    counts: dict[str, int] = {}
    for v in votes:
        if v.question == OVERALL:
            for m in (v.model_a, v.model_b):
                counts[m] = counts.get(m, 0) + 1
    return min(counts, key=lambda m: (-counts[m], m)) if counts else None


def win_rates_html(table: WinRateTable) -> str:
    """The Table 3 view: win rates per aspect and opponent, per-aspect ratings, and the paper's figures."""
    rows = "".join(
        f'<tr><td class="l">{_e(aspect_title(r.aspect))}</td><td class="l">{_e(r.opponent)}</td><td>{r.wins}</td>'
        f"<td>{r.ties}</td><td>{r.losses}</td><td>{r.both_bad}</td><td>{r.rounds}</td><td>{_pct(r.win_rate)}</td>"
        f"<td>{_pct_ci(r.win_rate_ci)}</td><td>{100 * r.net_win_rate:+.1f}%</td>"
        f"<td>{_pct_ci(r.net_win_rate_ci)}</td></tr>"
        for r in table.rows
    )
    ratings = "".join(
        f'<tr><td class="l">{_e(aspect_title(aspect))}</td><td class="l">{_e(h.model)}</td><td>{h.rating:+.3f}</td>'
        f"<td>{_ci(h.ci)}</td><td>{h.votes}</td></tr>"
        for aspect, hs in table.ratings.items()
        for h in hs
    )
    opponents = list(dict.fromkeys(p.opponent for p in table.paper))
    paper_rows = ""
    for aspect in dict.fromkeys(p.aspect for p in table.paper):
        cells = {p.opponent: p for p in table.paper if p.aspect == aspect}
        paper_rows += (
            f'<tr><td class="l">{_e(aspect_title(aspect))}</td><td>{next(iter(cells.values())).rounds:,}</td>'
            + "".join(f"<td>{_pct(cells[o].win_rate) if o in cells else '—'}</td>" for o in opponents)
            + "</tr>"
        )
    return "\n".join(
        [
            f"<h3>Win rates of {_e(table.reference)} (the report's Table 3 view)</h3>",
            "<p>Over the rounds that compared the two: win rate = wins / rounds, net win rate = (wins &minus; "
            "losses) / rounds; ties and both-bad answers count as rounds, neither won nor lost. 95% CIs: "
            f"percentile bootstrap over rounds, {table.samples} resamples, seed {SEED}.</p>",
            '<table><tr><th class="l">aspect</th><th class="l">opponent</th><th>wins</th><th>ties</th>'
            "<th>losses</th><th>both bad</th><th>rounds</th><th>win rate</th><th>95% CI</th><th>net win rate</th>"
            f"<th>95% CI</th></tr>{rows}</table>",
            '<table><tr><th class="l">aspect</th><th class="l">model</th><th>Bradley-Terry rating</th>'
            f"<th>95% CI</th><th>votes</th></tr>{ratings}</table>",
            f"<p>The paper's reference ({_e(PAPER_NOTE)}):</p>",
            '<table><tr><th class="l">aspect</th><th>rounds</th>'
            + "".join(f"<th>vs {_e(o)}</th>" for o in opponents)
            + f"</tr>{paper_rows}</table>",
        ]
    )


def human_alignment_section(
    run_dirs: Sequence[Path],
    summaries: Sequence,
    weights: dict[str, float],
    weighting: str,
    votes: Path | None = None,
    reference: str | None = None,
) -> str:
    """HTML for the report, or "" when there is no votes file. ``reference``: the model whose win rates
    are shown (default: the one in the most rounds)."""
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
        report = align(all_votes, load_video_scores(list(run_dirs)), weightings, DEFAULT_METHOD, BOOTSTRAP_SAMPLES)
        reference = reference or default_reference(all_votes)
        rates = win_rates(all_votes, reference, samples=BOOTSTRAP_SAMPLES) if reference else None
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
        "votes on videos these runs did not score are left out of the preference figures. 95% CIs: percentile "
        f"bootstrap, {BOOTSTRAP_SAMPLES} resamples, seed {SEED} (as <code>wanbench align</code>).</p>",
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
    if rates is not None:
        parts.append(win_rates_html(rates))
    return "\n".join(parts)
