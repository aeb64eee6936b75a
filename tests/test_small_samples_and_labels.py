"""Issue 30 items 6-7: rows of runs that share a model name are labelled by run (tables, comparisons);
a CI on too few prompts or draws is flagged, and no 'beats' verdict is issued below the stated minimum
of shared prompts and weight."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console

from tests.test_trustworthy_numbers import NO_FAILURES, mark, rows
from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.evaluation import aggregate
from wanbench.evaluation.aggregate import MIN_CI_PROMPTS, MIN_VERDICT_PROMPTS, paired_comparisons
from wanbench.report.tables import leaderboard_frame, leaderboard_markdown
from wanbench.report.terminal import dimension_table, leaderboard_table

DIMS = ("large_motion", "pixel_stability")
WEIGHTS = {d: 0.5 for d in DIMS}


def model_rows(run: str, offset: float, prompts: int = 20, model: str = "procedural") -> pd.DataFrame:
    base = np.linspace(0.2, 0.8, prompts)
    return rows([(f"p{i}", d, "ok", float(v + offset)) for d in DIMS for i, v in enumerate(base)], run, model)


def summarise(frame: pd.DataFrame, failures: pd.DataFrame, weights: dict[str, float]) -> list:
    """Every dimension summarised, stale rows marked (the read model's rule)."""
    return aggregate.summarise(mark(frame), failures, weights, keys=DIMENSION_KEYS)


def text_of(table) -> str:
    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_same_model_in_three_runs_gives_three_labelled_rows_and_comparisons() -> None:
    data = pd.concat([model_rows("run-a", 0.0), model_rows("run-b", 0.1), model_rows("run-c", 0.05)])
    summaries = summarise(data, NO_FAILURES, WEIGHTS)
    labels = [s.label for s in summaries]
    assert labels == ["procedural (run-a)", "procedural (run-b)", "procedural (run-c)"]
    frame = leaderboard_frame(summaries)
    assert sorted(frame.label) == sorted(labels)
    pairs = paired_comparisons(summaries, WEIGHTS)
    assert {(p.a, p.b) for p in pairs} == {(labels[0], labels[1]), (labels[0], labels[2]), (labels[1], labels[2])}
    assert all(p.a != p.b for p in pairs)
    markdown = leaderboard_markdown(frame, "custom", summaries, pairs)
    assert "procedural (run-b) beats procedural (run-a)" in markdown
    assert "procedural vs procedural" not in markdown and "| procedural |" not in markdown
    terminal = text_of(leaderboard_table(frame, "custom"))
    assert all(label in terminal for label in labels)


def test_a_unique_model_keeps_its_plain_name() -> None:
    data = pd.concat([model_rows("run-a", 0.0, model="alpha"), model_rows("run-b", 0.1, model="beta")])
    assert [s.label for s in summarise(data, NO_FAILURES, WEIGHTS)] == ["alpha", "beta"]


def test_one_prompt_ci_is_flagged_untrusted() -> None:
    data = rows([("p0", "large_motion", "ok", 0.25)])
    summary = summarise(data, NO_FAILURES, {"large_motion": 1.0})[0]
    motion = summary.dimensions["large_motion"]
    assert (motion.ci_low, motion.ci_high) == (0.25, 0.25)
    assert not motion.ci_trusted and "1 prompt(s) scored" in motion.ci_note
    assert not summary.weighted.ci_trusted
    text = text_of(dimension_table(summary, "custom"))
    assert "CI untrusted (1 prompt(s))" in text and f"CI untrusted: under {MIN_CI_PROMPTS} scored prompts" in text
    frame = leaderboard_frame([summary])
    assert "CI untrusted" in leaderboard_markdown(frame, "custom", [summary])


def test_enough_prompts_give_a_trusted_ci_with_no_note() -> None:
    summary = summarise(model_rows("r", 0.0), NO_FAILURES, WEIGHTS)[0]
    assert summary.weighted.ci_trusted and summary.weighted.ci_note == ""
    assert summary.dimensions["large_motion"].ci_note == ""


def test_no_verdict_below_the_minimum_prompts_or_weight() -> None:
    few_a = model_rows("a", 0.0, prompts=2, model="A")
    few_b = model_rows("b", 0.3, prompts=2, model="B")
    pair = paired_comparisons(summarise(pd.concat([few_a, few_b]), NO_FAILURES, WEIGHTS), WEIGHTS)[0]
    assert pair.ci_high < 0  # the CI alone would have said "B beats A"
    assert pair.verdict.startswith("no verdict: 2 prompt(s)") and str(MIN_VERDICT_PROMPTS) in pair.verdict
    weights = {"large_motion": 0.04, "pixel_stability": 0.96}
    one_dim = [
        r[r.dimension == "large_motion"] for r in (model_rows("a", 0.0, model="A"), model_rows("b", 0.3, model="B"))
    ]
    summaries = summarise(pd.concat(one_dim), NO_FAILURES, weights)
    thin = paired_comparisons(summaries, weights)[0]
    assert thin.prompts == 20 and thin.weight_share < 0.05 and thin.verdict.startswith("no verdict")
    full = paired_comparisons(
        summarise(pd.concat([model_rows("a", 0.0, model="A"), model_rows("b", 0.3, model="B")]), NO_FAILURES, WEIGHTS),
        WEIGHTS,
    )[0]
    assert full.verdict == "B beats A"
