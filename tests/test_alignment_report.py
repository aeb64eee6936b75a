"""The HTML report gains a human-alignment section exactly when votes exist beside the runs."""

from __future__ import annotations

from pathlib import Path

from tests.votes_helpers import TRUE_WEIGHTS, scored_runs, simulated_votes
from wanbench.benchmark.weightings import load_weighting
from wanbench.people.votes import VoteStore
from wanbench.report import write_report
from wanbench.report.alignment import human_alignment_section

MODELS = ["m<b>1", "m2", "m3"]


def test_report_shows_human_alignment_when_votes_exist(tmp_path: Path) -> None:
    runs, table = scored_runs(tmp_path, MODELS, prompts=20)
    equal = load_weighting("equal")
    assert human_alignment_section(runs, [], equal, "equal") == ""  # no votes file: no section
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"not a database")
    assert "no alignment figures:" in human_alignment_section(runs, [], equal, "equal", broken)
    with VoteStore(tmp_path / "votes.sqlite") as store:  # where `wanbench arena runs/*` puts them by default
        store.add_many(simulated_votes(table, MODELS, 20, 150, TRUE_WEIGHTS, annotators=5))
    page = write_report(runs, tmp_path / "report", weighting="equal").html.read_text(encoding="utf-8")
    section = page[page.index("<h2>Human alignment</h2>") :]
    assert "150 votes on scored videos" in section and "Bradley-Terry rating" in section
    assert "m&lt;b&gt;1" in section and "m<b>1" not in section
    assert "Large Motion Generation" in section and "weighting: equal" in section and "fitted:bradley-terry" in section
    assert "benchmark rank" in section and "Inter-annotator agreement" in section
    for model in ("m2", "m3"):
        assert f'<td class="l">{model}</td>' in section
