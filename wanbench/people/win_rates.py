"""The report's human evaluation (its Table 3): one reference model against each opponent, per aspect.

For each aspect (visual quality, motion quality, prompt matching, overall) and opponent, over the
rounds in which a person compared the reference with that opponent: wins (the reference preferred),
ties, losses, both-bad answers, rounds (all four), the win rate wins / rounds and the net win rate
(wins - losses) / rounds, each with a percentile bootstrap CI over rounds (the one setting of
wanbench.people.alignment). Beside them: Bradley-Terry ratings of every model per aspect.

The report prints one "win rate" per aspect and opponent and does not say how ties or both-bad
answers enter it; its figures ship as package data (``data/reference/paper_table3.csv``) and are
shown as the paper's reference with that caveat, never compared digit for digit.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from wanbench.people.alignment import BOOTSTRAP_SAMPLES, SEED, HumanRating, bootstrap_ci, human_ratings, vote_data
from wanbench.people.votes import REPORT_ASPECTS, Vote, VoteError, aspect_key, aspect_title
from wanbench.resources import reference_dir

PAPER_TABLE3 = "paper_table3.csv"
PAPER_NOTE = (
    "Wan 2.1 report, Table 3: Wan 14B against each model, over 5,560 to 5,785 rounds per aspect; "
    "the report does not publish how its win rate treats ties and both-bad answers"
)
WIN, TIE, LOSS, BOTH_BAD = 1, 0, -1, 2
ROW_COLUMNS = (
    "aspect", "opponent", "wins", "ties", "losses", "both_bad", "rounds", "win_rate", "win_rate_low",
    "win_rate_high", "net_win_rate", "net_win_rate_low", "net_win_rate_high",
)  # fmt: skip


@dataclass(frozen=True)
class WinRate:
    aspect: str  # stored question: "" is overall
    opponent: str
    wins: int
    ties: int
    losses: int
    both_bad: int
    win_rate: float
    win_rate_ci: tuple[float | None, float | None]
    net_win_rate: float
    net_win_rate_ci: tuple[float | None, float | None]

    @property
    def rounds(self) -> int:
        return self.wins + self.ties + self.losses + self.both_bad

    def row(self) -> dict[str, object]:
        return {
            "aspect": aspect_title(self.aspect),
            "opponent": self.opponent,
            "wins": self.wins,
            "ties": self.ties,
            "losses": self.losses,
            "both_bad": self.both_bad,
            "rounds": self.rounds,
            "win_rate": round(self.win_rate, 4),
            "win_rate_low": _round(self.win_rate_ci[0]),
            "win_rate_high": _round(self.win_rate_ci[1]),
            "net_win_rate": round(self.net_win_rate, 4),
            "net_win_rate_low": _round(self.net_win_rate_ci[0]),
            "net_win_rate_high": _round(self.net_win_rate_ci[1]),
        }


@dataclass(frozen=True)
class PaperWinRate:
    aspect: str  # stored question: "" is overall
    opponent: str
    win_rate: float  # a fraction
    rounds: int


@dataclass
class WinRateTable:
    reference: str
    rows: list[WinRate]
    ratings: dict[str, list[HumanRating]]  # aspect (stored question) -> Bradley-Terry ratings
    samples: int
    paper: list[PaperWinRate] = field(default_factory=list)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def paper_table3() -> list[PaperWinRate]:
    """The report's Table 3 as shipped in the package."""
    with (reference_dir() / PAPER_TABLE3).open(newline="", encoding="utf-8") as handle:
        return [
            PaperWinRate(aspect_key(r["aspect"]), r["opponent"], float(r["win_rate_percent"]) / 100, int(r["rounds"]))
            for r in csv.DictReader(handle)
        ]


def _aspects_in(votes: Sequence[Vote]) -> list[str]:
    present = {v.question for v in votes}
    ordered = [aspect_key(a) for a in REPORT_ASPECTS if aspect_key(a) in present]
    return ordered + sorted(present - set(ordered))


def _outcomes(votes: Sequence[Vote], reference: str, aspect: str) -> dict[str, np.ndarray]:
    """Per opponent: each round's outcome for the reference (WIN, TIE, LOSS, BOTH_BAD)."""
    per: dict[str, list[int]] = {}
    for v in votes:
        if v.question != aspect or reference not in (v.model_a, v.model_b):
            continue
        ref_side, opponent = ("a", v.model_b) if v.model_a == reference else ("b", v.model_a)
        if v.winner in ("tie", "both_bad"):
            outcome = TIE if v.winner == "tie" else BOTH_BAD
        else:
            outcome = WIN if v.winner == ref_side else LOSS
        per.setdefault(opponent, []).append(outcome)
    return {o: np.array(x, int) for o, x in sorted(per.items())}


def win_rate_row(aspect: str, opponent: str, outcomes: np.ndarray, samples: int, seed: int = SEED) -> WinRate:
    """Counts, win rate and net win rate of one aspect and opponent, with bootstrap CIs over rounds."""
    n = len(outcomes)
    if n == 0:
        raise VoteError(f"no round of {aspect_title(aspect) or 'overall'} against {opponent}")
    win, loss = (outcomes == WIN).astype(float), (outcomes == LOSS).astype(float)
    return WinRate(
        aspect,
        opponent,
        int(win.sum()),
        int((outcomes == TIE).sum()),
        int(loss.sum()),
        int((outcomes == BOTH_BAD).sum()),
        float(win.mean()),
        bootstrap_ci(lambda i: float(win[i].mean()), n, samples, seed),
        float(win.mean() - loss.mean()),
        bootstrap_ci(lambda i: float(win[i].mean() - loss[i].mean()), n, samples, seed),
    )


def win_rates(
    votes: Sequence[Vote],
    reference: str,
    aspects: Sequence[str] | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = SEED,
) -> WinRateTable:
    """The Table 3 view of ``votes`` for ``reference`` (a model label); ``aspects`` are stored questions
    or aspect names (default: every aspect the votes hold, the report's four first)."""
    if not any(reference in (v.model_a, v.model_b) for v in votes):
        models = sorted({m for v in votes for m in (v.model_a, v.model_b)})
        raise VoteError(f"no vote involves {reference!r}; the votes' models are {', '.join(models) or 'none'}")
    chosen = [aspect_key(a) for a in aspects] if aspects is not None else _aspects_in(votes)
    rows = [
        win_rate_row(aspect, opponent, outcomes, samples, seed)
        for aspect in chosen
        for opponent, outcomes in _outcomes(votes, reference, aspect).items()
    ]
    ratings = {aspect: human_ratings(vote_data(votes, None, aspect), samples, seed) for aspect in chosen}
    return WinRateTable(reference, rows, ratings, samples, paper_table3())


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _pct_ci(ci: tuple[float | None, float | None]) -> str:
    return "" if ci[0] is None or ci[1] is None else f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"


def win_rates_markdown(table: WinRateTable) -> str:
    lines = [
        f"# Win rates of {table.reference} (the report's Table 3 view)\n\n",
        "Per aspect and opponent, over the rounds that compared the two: win rate = wins / rounds, net win rate ="
        " (wins - losses) / rounds; ties and both-bad answers count as rounds, neither won nor lost. "
        f"95% CIs (in percent): percentile bootstrap over rounds, {table.samples} resamples, seed {SEED}.\n\n",
        "| aspect | opponent | wins | ties | losses | both bad | rounds | win rate | 95% CI "
        "| net win rate | 95% CI |\n",
        "|---|---|---|---|---|---|---|---|---|---|---|\n",
    ]
    for r in table.rows:
        lines.append(
            f"| {aspect_title(r.aspect)} | {r.opponent} | {r.wins} | {r.ties} | {r.losses} | {r.both_bad} "
            f"| {r.rounds} | {_pct(r.win_rate)} | {_pct_ci(r.win_rate_ci)} | {100 * r.net_win_rate:+.1f}% "
            f"| {_pct_ci(r.net_win_rate_ci)} |\n"
        )
    lines.append(
        "\n## Bradley-Terry ratings per aspect (95% bootstrap CI)\n\n| aspect | model | rating | 95% CI | votes |\n"
    )
    lines.append("|---|---|---|---|---|\n")
    for aspect, ratings in table.ratings.items():
        for h in ratings:
            lines.append(
                f"| {aspect_title(aspect)} | {h.model} | {h.rating:+.3f} | [{h.ci[0]:.3f}, {h.ci[1]:.3f}] "
                f"| {h.votes} |\n"
            )
    if table.paper:
        opponents = list(dict.fromkeys(p.opponent for p in table.paper))
        lines.append(f"\n## The paper's reference (Wan 14B's win rates)\n\n{PAPER_NOTE}.\n\n| aspect | rounds | ")
        lines.append(" | ".join(opponents) + " |\n|---|---|" + "---|" * len(opponents) + "\n")
        for aspect in dict.fromkeys(p.aspect for p in table.paper):
            cells = {p.opponent: p for p in table.paper if p.aspect == aspect}
            rounds = next(iter(cells.values())).rounds
            lines.append(
                f"| {aspect_title(aspect)} | {rounds:,} | "
                + " | ".join(_pct(cells[o].win_rate) if o in cells else "—" for o in opponents)
                + " |\n"
            )
    return "".join(lines)


def win_rates_json(table: WinRateTable) -> dict[str, object]:
    return {
        "reference": table.reference,
        "bootstrap_samples": table.samples,
        "rows": [r.row() for r in table.rows],
        "ratings": {
            aspect_title(aspect) or "Overall": [
                {
                    "model": h.model,
                    "rating": round(h.rating, 4),
                    "low": round(h.ci[0], 4),
                    "high": round(h.ci[1], 4),
                    "votes": h.votes,
                }
                for h in ratings
            ]
            for aspect, ratings in table.ratings.items()
        },
        "paper": {
            "note": PAPER_NOTE,
            "rows": [
                {"aspect": aspect_title(p.aspect), "opponent": p.opponent, "win_rate": p.win_rate, "rounds": p.rounds}
                for p in table.paper
            ],
        },
    }


def write_win_rates(table: WinRateTable, out_dir: Path) -> list[Path]:
    """win_rates.md, win_rates.csv (one row per aspect and opponent) and win_rates.json in ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "win_rates.md"
    md.write_text(win_rates_markdown(table), encoding="utf-8")
    csv_path = out_dir / "win_rates.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        rows = [r.row() for r in table.rows]
        writer = csv.DictWriter(handle, fieldnames=list(ROW_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    js = out_dir / "win_rates.json"
    js.write_text(json.dumps(win_rates_json(table), indent=2) + "\n", encoding="utf-8")
    return [md, csv_path, js]
