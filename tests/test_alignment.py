"""Alignment with people: simulated annotators with known weights, hand-checked Pearson weights,
tau-b and agreement statistics, the vote csv format, and the align / weighting fit commands."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import kendalltau
from typer.testing import CliRunner

from tests.votes_helpers import TRUE_WEIGHTS, scored_runs, simulated_votes
from wanbench.benchmark.weightings import load_weighting
from wanbench.cli import app
from wanbench.people.alignment import (
    DIMS,
    TauB,
    annotator_agreement,
    bradley_terry_ratings,
    fit_bradley_terry,
    fit_pearson,
    fit_weighting,
    human_ratings,
    load_video_scores,
    pairwise_accuracy,
    vote_data,
)
from wanbench.people.votes import CSV_COLUMNS, Vote, VoteError, VoteStore, read_votes_csv

runner = CliRunner()
MODELS = [f"m{i}" for i in range(6)]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("sim")
    runs, table = scored_runs(root, MODELS, prompts=150)
    votes = simulated_votes(table, MODELS, 150, 2000, TRUE_WEIGHTS)
    return runs, votes


def cosine(u: np.ndarray, v: np.ndarray) -> float:
    return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))


def test_bradley_terry_fit_recovers_simulated_annotators_weights(simulated) -> None:
    runs, votes = simulated
    data = vote_data(votes, load_video_scores(runs))
    assert len(data) == 2000 and data.unmatched == 0
    reference = {"equal": load_weighting("equal"), "paper": load_weighting("paper")}
    result = fit_weighting(data, "bradley-terry", reference, samples=200)
    fitted = np.array([result.weights[d] for d in DIMS])
    assert cosine(fitted, TRUE_WEIGHTS) >= 0.95
    assert cosine(np.full(len(DIMS), 1 / len(DIMS)), TRUE_WEIGHTS) < 0.8  # equal weights are a real contrast
    held = result.held_out
    assert held["fitted (bradley-terry)"]["votes"] == held["equal"]["votes"] == 2000
    assert held["fitted (bradley-terry)"]["accuracy"] > held["equal"]["accuracy"] + 0.05
    assert held["fitted (bradley-terry)"]["low"] > held["equal"]["high"]  # CIs apart, not just the means
    assert len(result.fold_weights) == 5
    # The Pearson fit of the same votes points the same way, less exactly (it ignores correlated dimensions).
    assert cosine(fit_pearson(data), TRUE_WEIGHTS) > 0.85


def test_pearson_fit_loses_the_true_weights_when_dimensions_correlate(tmp_path: Path) -> None:
    """The report's method takes each dimension's correlation alone: with dimensions that share a quality
    factor (pairwise correlation of score differences about 0.4) every dimension correlates with the
    votes, and the weights spread over dimensions people ignore; Bradley-Terry, fitting all at once, does not."""
    runs, table = scored_runs(tmp_path, MODELS, prompts=150, correlation=0.5)
    data = vote_data(simulated_votes(table, MODELS, 150, 2000, TRUE_WEIGHTS), load_video_scores(runs))
    off_diagonal = np.corrcoef(data.diffs.T)[np.triu_indices(len(DIMS), 1)]
    assert 0.3 < off_diagonal.mean() < 0.5  # the set-up is what it says
    pearson, bt = fit_pearson(data), fit_bradley_terry(data)
    assert cosine(pearson, TRUE_WEIGHTS) < 0.8 and cosine(bt, TRUE_WEIGHTS) > 0.98
    ignored = TRUE_WEIGHTS == 0
    assert pearson[ignored].sum() > 0.3 and bt[ignored].sum() < 0.1  # weight on dimensions people ignore


def test_pearson_weights_on_a_hand_checked_case() -> None:
    # Four votes of model a against b; a's scores are b's (0.5) plus these differences; the rest tie.
    x1 = [0.2, -0.1, 0.1, 0.0]  # agrees with the votes
    x2 = [-0.1, 0.1, 0.0, 0.3]  # disagrees: its correlation is negative and is clipped to 0
    x3 = [0.1, 0.0, 0.0, 0.0]  # agrees weakly
    winners = ["a", "b", "a", "tie"]  # outcomes +1, -1, +1, 0
    rows = {}
    for i in range(4):
        base = np.full(len(DIMS), 0.5)
        rows[("b", f"p{i}", 0)] = base
        rows[("a", f"p{i}", 0)] = base + np.array([x1[i], x2[i], x3[i]] + [0.0] * (len(DIMS) - 3))
    scores = pd.DataFrame.from_dict(rows, orient="index", columns=DIMS)
    scores.index = pd.MultiIndex.from_tuples(scores.index, names=["model", "prompt_id", "seed"])
    data = vote_data([Vote(f"p{i}", 0, "a", "b", "ann", w) for i, w in enumerate(winners)], scores)
    # By hand: outcome mean 1/4, deviations (3/4, -5/4, 3/4, -1/4), sum of squares 2.75.
    # dim 1: mean 0.05, deviations (.15, -.15, .05, -.05): cross 0.35, squares 0.05 -> r = 0.35/sqrt(0.1375)
    # dim 2: cross -0.275 -> r < 0 -> 0
    # dim 3: mean 0.025, deviations (.075, -.025, -.025, -.025): cross 0.075, squares 0.0075 -> r = 0.075/sqrt(0.020625)
    r1, r3 = 0.35 / np.sqrt(0.05 * 2.75), 0.075 / np.sqrt(0.0075 * 2.75)
    assert r1 == pytest.approx(0.943880, abs=1e-6) and r3 == pytest.approx(0.522233, abs=1e-6)
    expected = np.zeros(len(DIMS))
    expected[0], expected[2] = r1 / (r1 + r3), r3 / (r1 + r3)
    assert np.allclose(fit_pearson(data), expected, atol=1e-12)
    assert fit_pearson(data)[0] == pytest.approx(0.943880 / 1.466113, abs=1e-6)  # = 0.643798
    with pytest.raises(VoteError, match="correlates positively"):
        fit_pearson(
            vote_data(
                [Vote(f"p{i}", 0, "a", "b", "ann", {"a": "b", "b": "a"}.get(w, w)) for i, w in enumerate(winners)],
                scores.assign(**{d: 0.5 for d in DIMS[1:]}),
            )
        )


def test_bradley_terry_fit_keeps_weights_non_negative() -> None:
    rng = np.random.default_rng(3)
    diffs = rng.uniform(-0.5, 0.5, (400, len(DIMS)))
    truth = np.zeros(len(DIMS))
    truth[[0, 5]] = [0.7, 0.3]
    z = 20 * diffs @ truth - 10 * diffs[:, 1]  # people actively dislike dimension 1
    winners = np.where(rng.random(400) < 1 / (1 + np.exp(-z)), "a", "b")
    frame = pd.DataFrame({"prompt_id": [f"p{i}" for i in range(400)], "winner": winners})
    from wanbench.people.alignment import VoteData

    data = VoteData(frame, diffs + 0.5, np.full_like(diffs, 0.5), np.where(winners == "a", 1, -1))
    w = fit_bradley_terry(data)
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0) and w[1] < 1e-6 and w[0] > w[5] > 0.1


def test_tau_b_matches_scipy_and_accuracy_counts_ties_half() -> None:
    rng = np.random.default_rng(0)
    for n in (3, 40, 500):
        diff = np.round(rng.normal(size=n), 1)  # with ties
        outcome = rng.choice([-1, 0, 1], n)
        tau = TauB(diff, outcome)
        pick = rng.integers(0, n, n)  # a bootstrap resample as multiplicities
        for ours, theirs in (
            (tau(), kendalltau(diff, outcome).statistic),
            (tau(np.bincount(pick, minlength=n)), kendalltau(diff[pick], outcome[pick]).statistic),
        ):
            assert (ours is None) if np.isnan(theirs) else ours == pytest.approx(theirs, abs=1e-12)
    assert TauB(np.array([0.1, 0.1, 0.1]), np.array([1, -1, 0]))() is None  # constant scores: undefined, not 0
    accuracy, n = pairwise_accuracy(np.array([0.3, -0.2, 0.0, 0.5, np.nan]), np.array([1, 1, -1, 0, 1]))
    assert n == 3 and accuracy == pytest.approx((1 + 0 + 0.5) / 3)


def test_human_ratings_order_models_like_their_true_strength() -> None:
    rng = np.random.default_rng(1)
    strength = {"low": -1.0, "mid": 0.0, "high": 1.2}
    votes = []
    for i in range(600):
        a, b = sorted(rng.choice(list(strength), 2, replace=False))
        p = 1 / (1 + np.exp(-(strength[a] - strength[b])))
        votes.append(Vote(f"p{i}", 0, a, b, "ann", "a" if rng.random() < p else "b"))
    ratings = human_ratings(vote_data(votes, None), samples=200)
    assert [h.model for h in ratings] == ["high", "mid", "low"]
    for h in ratings:
        assert h.ci[0] <= h.rating <= h.ci[1]
        truth = strength[h.model] - np.mean(list(strength.values()))
        assert abs(h.rating - truth) < 0.3
    a, b, p = np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([1.0, 0.5, 0.0])  # wins 2.5 of 3 for model 0
    r = bradley_terry_ratings(a, b, p, 2, ridge=0.0)
    assert r[0] - r[1] == pytest.approx(np.log(2.5 / 0.5), abs=1e-6)


def test_inter_annotator_agreement_by_hand() -> None:
    votes = [
        Vote("p1", 0, "a", "b", "x", "a"),
        Vote("p1", 0, "a", "b", "y", "a"),  # agree
        Vote("p2", 0, "a", "b", "x", "a"),
        Vote("p2", 0, "a", "b", "y", "b"),  # disagree
        Vote("p3", 0, "a", "b", "x", "tie"),
    ]  # one annotator only: not an item
    got = annotator_agreement(votes)
    assert (got.items, got.judgements, got.percent_agreement) == (2, 4, 0.5)
    # Fleiss: P_bar = (1 + 0)/2; category shares a 3/4, b 1/4 -> P_e = 10/16; kappa = (0.5 - 0.625)/0.375
    assert got.fleiss_kappa == pytest.approx(-1 / 3)


def test_vote_csv_round_trip_and_errors(tmp_path: Path) -> None:
    study = tmp_path / "study.csv"
    study.write_text(
        "prompt_id,seed,model_a,model_b,winner,annotator,dimension\n"
        "p1,0,wan,sora,sora,ext1,\n"  # winner by model name; the pair is stored alphabetically
        "p1,0,wan,sora,tie,ext1,smoothness\n"
        "p2,1,sora,wan,both bad,ext2,\n",
        encoding="utf-8",
    )
    votes = tmp_path / "votes.sqlite"
    first = runner.invoke(app, ["votes", "import", str(study), "--votes", str(votes)])
    again = runner.invoke(app, ["votes", "import", str(study), "--votes", str(votes)])
    assert first.exit_code == 0 and "3 vote(s) added, 0 already there" in first.output
    assert again.exit_code == 0 and "0 vote(s) added, 3 already there" in again.output
    with VoteStore(votes) as store:
        stored = store.votes()
    assert [(v.model_a, v.model_b, v.winner, v.question) for v in stored] == [
        ("sora", "wan", "a", ""),
        ("sora", "wan", "tie", "smoothness"),
        ("sora", "wan", "both_bad", ""),
    ]
    exported = tmp_path / "out.csv"
    result = runner.invoke(app, ["votes", "export", "--votes", str(votes), "-o", str(exported)])
    assert result.exit_code == 0 and exported.read_text().splitlines()[0] == ",".join(CSV_COLUMNS)
    assert [(v.prompt_id, v.winner, v.question) for v in read_votes_csv(exported)] == [
        (v.prompt_id, v.winner, v.question) for v in stored
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("prompt_id,seed,model_a,model_b,winner,annotator\np1,0,wan,sora,sora,x\np2,zero,wan,sora,a,x\n")
    result = runner.invoke(app, ["votes", "import", str(bad), "--votes", str(votes)])
    assert result.exit_code == 2 and "bad.csv:3" in result.output
    bad.write_text("prompt_id,seed,model_a,model_b,winner\n")
    assert "missing column(s) annotator" in runner.invoke(app, ["votes", "import", str(bad)]).output


def test_weighting_fit_and_align_commands(simulated, tmp_path: Path) -> None:
    runs, votes = simulated
    db = tmp_path / "votes.sqlite"
    with VoteStore(db) as store:
        store.add_many(votes[:400])
        copied = {(v.prompt_id, v.model_a, v.model_b): v for v in votes[:60]}
        store.add_many([Vote(v.prompt_id, v.seed, v.model_a, v.model_b, "second", v.winner) for v in copied.values()])
    weights_file = tmp_path / "w.json"
    result = runner.invoke(
        app,
        ["weighting", "fit", "--votes", str(db), *map(str, runs), "--method", "bradley-terry", "-o", str(weights_file)],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "fitted (bradley-terry)" in result.output and "equal" in result.output and "paper" in result.output
    written = json.loads(weights_file.read_text())
    assert written["method"] == "bradley-terry" and written["votes"] == 400 + len(copied)
    loaded = load_weighting(str(weights_file))  # what --weighting w.json reads
    assert loaded == pytest.approx(written["weights"]) and sum(loaded.values()) == pytest.approx(1.0)
    shown = runner.invoke(app, ["weighting", "show", str(weights_file)])
    assert shown.exit_code == 0 and "large_motion" in shown.output

    out = tmp_path / "align"
    result = runner.invoke(
        app,
        [
            "align",
            "--votes",
            str(db),
            *map(str, runs),
            "-o",
            str(out),
            "--weighting",
            "equal",
            "--weighting",
            str(weights_file),
        ],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "alignment.json").read_text())
    assert {r["name"] for r in report["weightings"]} == {"weighting:equal", "weighting:w.json", "fitted:bradley-terry"}
    assert len(report["dimensions"]) == 14 and len(report["ratings"]) == len(MODELS)
    overall = report["annotator_agreement"][0]
    assert overall["items"] >= len(copied) and 0.5 < overall["percent_agreement"] <= 1  # "second" copied votes
    for row in report["dimensions"] + report["weightings"]:
        if row["accuracy"] is not None:
            assert row["accuracy_low"] <= row["accuracy"] <= row["accuracy_high"]
    table = pd.read_csv(out / "alignment.csv")
    assert set(table["kind"]) == {"dimension", "weighting", "rating"}
    numbers = (out / "alignment.csv").read_text().replace("\n", ",").split(",")
    numbers += re.findall(r"-?\d+\.\d+", (out / "alignment.json").read_text())
    assert all(len(x.split(".")[1]) <= 4 for x in numbers if x.replace(".", "").lstrip("-").isdigit() and "." in x)
    assert "Kendall tau-b" in (out / "alignment.md").read_text()
    missing = runner.invoke(app, ["align", "--votes", str(tmp_path / "none.sqlite"), *map(str, runs)])
    assert missing.exit_code == 2 and "no votes file" in missing.output
