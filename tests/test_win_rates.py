"""The report's Table 3 view: win rates of one model against each other, per aspect, with bootstrap
CIs of nominal coverage; the paper's figures read from package data; `align --table win-rates` and the
report section print the library's numbers, with the same bootstrap setting (the same digits)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.votes_helpers import TRUE_WEIGHTS, scored_runs, simulated_votes
from wanbench.benchmark.weightings import load_weighting
from wanbench.cli import app
from wanbench.people.alignment import BOOTSTRAP_SAMPLES
from wanbench.people.votes import Vote, VoteError, VoteStore
from wanbench.people.win_rates import LOSS, TIE, WIN, paper_table3, win_rate_row, win_rates
from wanbench.report.alignment import default_reference, human_alignment_section

runner = CliRunner()


def votes_of(reference: str, opponent: str, question: str, outcomes: list[str]) -> list[Vote]:
    """One vote per outcome ("win", "tie", "loss", "both_bad" for ``reference``), each its own prompt."""
    votes = []
    for i, outcome in enumerate(outcomes):
        winner = {"win": "a", "loss": "b"}.get(outcome, outcome)
        votes.append(Vote(f"{question}-{opponent}-{i}", 0, reference, opponent, f"ann{i % 3}", winner, question))
    return votes


def test_counts_and_rates_on_a_hand_checked_case() -> None:
    # "wan" against "alpha" (stored as model_a = alpha: the winner flips) and against "zed"
    votes = votes_of("wan", "alpha", "", ["win", "win", "win", "tie", "loss", "both_bad"])
    votes += votes_of("wan", "zed", "", ["loss", "loss", "win", "tie"])
    votes += votes_of("wan", "zed", "motion_quality", ["win", "both_bad"])
    votes += votes_of("alpha", "zed", "", ["win"])  # not involving wan: in the ratings, not the rates
    votes = [v.canonical() for v in votes]
    assert votes[0].model_a == "alpha" and votes[0].winner == "b"
    table = win_rates(votes, "wan", samples=200)
    rows = {(r.aspect, r.opponent): r for r in table.rows}
    assert list(rows) == [("motion_quality", "zed"), ("", "alpha"), ("", "zed")]  # the report's aspect order
    alpha = rows[("", "alpha")]
    assert (alpha.wins, alpha.ties, alpha.losses, alpha.both_bad, alpha.rounds) == (3, 1, 1, 1, 6)
    assert alpha.win_rate == pytest.approx(3 / 6) and alpha.net_win_rate == pytest.approx((3 - 1) / 6)
    zed = rows[("", "zed")]
    assert (zed.wins, zed.losses, zed.rounds) == (1, 2, 4) and zed.net_win_rate == pytest.approx(-1 / 4)
    motion = rows[("motion_quality", "zed")]
    assert (motion.wins, motion.both_bad, motion.win_rate) == (1, 1, 0.5)
    for r in table.rows:
        assert r.win_rate_ci[0] <= r.win_rate <= r.win_rate_ci[1]
        assert r.net_win_rate_ci[0] <= r.net_win_rate <= r.net_win_rate_ci[1]
    overall = {h.model: h for h in table.ratings[""]}
    assert set(overall) == {"alpha", "wan", "zed"} and overall["wan"].votes == 9  # 10 rounds, one both-bad
    assert [h.model for h in table.ratings["motion_quality"]] == ["wan", "zed"]  # both-bad left out: 1 vote
    with pytest.raises(VoteError, match="no vote involves 'nobody'"):
        win_rates(votes, "nobody")


def test_bootstrap_intervals_cover_the_true_rates_at_about_the_nominal_rate() -> None:
    p_win, p_tie, p_loss = 0.45, 0.2, 0.35
    rng = np.random.default_rng(7)
    trials, covered_win, covered_net = 200, 0, 0
    for t in range(trials):
        outcomes = rng.choice([WIN, TIE, LOSS], size=150, p=[p_win, p_tie, p_loss])
        row = win_rate_row("", "x", outcomes, samples=300, seed=t)
        covered_win += row.win_rate_ci[0] <= p_win <= row.win_rate_ci[1]
        covered_net += row.net_win_rate_ci[0] <= p_win - p_loss <= row.net_win_rate_ci[1]
    # 95% intervals: 200 trials put the observed coverage within about +-3.1 points of it
    assert 0.89 <= covered_win / trials <= 0.99, covered_win
    assert 0.89 <= covered_net / trials <= 0.99, covered_net


def test_the_papers_table_3_is_package_data() -> None:
    paper = paper_table3()
    assert len(paper) == 16
    by = {(p.aspect, p.opponent): p for p in paper}
    assert by[("visual_quality", "Runway")].win_rate == pytest.approx(0.481)
    assert by[("motion_quality", "CN-TopB")].win_rate == pytest.approx(0.097)
    assert by[("matching", "CN-TopC")].win_rate == pytest.approx(0.567)
    assert by[("", "CN-TopA")].win_rate == pytest.approx(0.44)  # Overall Ranking
    assert {p.aspect: p.rounds for p in paper} == {
        "visual_quality": 5710,
        "motion_quality": 5785,
        "matching": 5578,
        "": 5560,
    }


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory):
    """Scored runs of four models and a Table 3 style study: m0 against each other model, two aspects."""
    root = tmp_path_factory.mktemp("table3")
    models = ["m0", "m1", "m2", "m3"]
    runs, table = scored_runs(root, models, prompts=30)
    votes = simulated_votes(table, models, 30, 240, TRUE_WEIGHTS, annotators=4)
    votes += [Vote(v.prompt_id, v.seed, v.model_a, v.model_b, v.annotator, v.winner, "visual_quality") for v in votes]
    votes_path = root / "votes.sqlite"
    with VoteStore(votes_path) as store:
        store.add_many(votes)
    return runs, votes, votes_path, root


def test_align_win_rates_prints_the_library_table(study, tmp_path: Path) -> None:
    runs, votes, votes_path, _ = study
    args = ["align", *map(str, runs), "--votes", str(votes_path), "-o", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--table", "win-rates", "--reference", "m0"])
    assert result.exit_code == 0, result.output
    table = win_rates(votes, "m0")
    for r in table.rows:  # every row of the library's table, as printed
        title = "Overall" if not r.aspect else "Visual quality"
        line = next(x for x in result.output.splitlines() if x.startswith(f"| {title} | {r.opponent} |"))
        assert f"| {r.wins} | {r.ties} | {r.losses} | {r.both_bad} | {r.rounds} |" in line
        assert f"{100 * r.win_rate:.1f}%" in line and f"{100 * r.net_win_rate:+.1f}%" in line
    assert "The paper's reference" in result.output and "does not publish" in result.output
    assert (tmp_path / "out" / "win_rates.csv").is_file() and (tmp_path / "out" / "win_rates.json").is_file()
    bad = runner.invoke(app, [*args, "--table", "win-rates"])
    assert bad.exit_code == 2 and "--reference" in bad.output
    unknown = runner.invoke(app, [*args, "--table", "win-rates", "--reference", "nobody"])
    assert unknown.exit_code == 2 and "no vote involves 'nobody'" in unknown.output


def _ci_cells(text: str) -> list[str]:
    return re.findall(r"\[-?\d+\.\d{3}, -?\d+\.\d{3}\]", text)


def test_report_section_and_align_agree_to_the_digit(study, tmp_path: Path) -> None:
    runs, votes, votes_path, _ = study
    result = runner.invoke(app, ["align", *map(str, runs), "--votes", str(votes_path), "-o", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert f"{BOOTSTRAP_SAMPLES} resamples" in result.output
    ratings_md = result.output.split("## Human ratings")[1].split("\n## ")[0]
    section = human_alignment_section(runs, [], load_weighting("equal"), "equal", votes_path)
    ratings_html = section.split("<th>benchmark rank</th>")[1].split("</table>")[0]
    cis = _ci_cells(ratings_md)
    assert len(cis) == 4 and cis == _ci_cells(ratings_html)  # each model's interval, digit for digit
    assert f"{BOOTSTRAP_SAMPLES} resamples" in section
    assert "fitted:bradley-terry" in section  # the default fit
    # the Table 3 view in the report: the model in the most overall rounds is the reference
    reference = default_reference(votes)
    counts = {m: sum(m in (v.model_a, v.model_b) for v in votes if v.question == "") for m in ["m0", "m1", "m2", "m3"]}
    assert reference == max(sorted(counts), key=lambda m: counts[m])
    assert f"Win rates of {reference}" in section and "vs Runway" in section
    md = runner.invoke(
        app,
        [
            "align",
            *map(str, runs),
            "--votes",
            str(votes_path),
            "-o",
            str(tmp_path / "b"),
            "--table",
            "win-rates",
            "--reference",
            str(reference),
        ],
    ).output
    table = win_rates(votes, str(reference))
    for r in table.rows:  # the same intervals in both
        ci = f"[{100 * r.win_rate_ci[0]:.1f}, {100 * r.win_rate_ci[1]:.1f}]"
        assert ci in md and ci in section


def test_win_rates_files_are_the_same_bytes_in_fresh_processes(study, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    runs, _, votes_path, _ = study
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    outputs = []
    for i in range(2):
        out = tmp_path / f"out{i}"
        command = [sys.executable, "-m", "wanbench", "align", *map(str, runs), "--votes", str(votes_path)]
        command += ["-o", str(out), "--table", "win-rates", "--reference", "m1"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        outputs.append(
            {name: (out / name).read_bytes() for name in ("win_rates.md", "win_rates.csv", "win_rates.json")}
        )
    assert outputs[0] == outputs[1]
