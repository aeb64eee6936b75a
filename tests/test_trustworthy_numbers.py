"""Issue 15: every number wanbench prints, writes or ranks is honest, reproducible and labelled."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from tests.conftest import SMALL, pan_clip, write_suite
from wanbench.benchmark.definition import load_benchmark
from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.evaluation.aggregate import (
    bootstrap_counts,
    paired_comparison,
    summarise,
    summarise_dimension,
)
from wanbench.evaluation.read import load_evaluation, mark_stale
from wanbench.report import write_report
from wanbench.report.terminal import dimension_table
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.video import write_video

ROOT = Path(__file__).resolve().parents[1]
NO_FAILURES = pd.DataFrame(columns=["run", "model"])


def rows(records: list[tuple], run: str = "r", model: str = "m") -> pd.DataFrame:
    """(prompt, dimension, status, value[, version[, backend]]) -> a results frame."""
    out = []
    for record in records:
        prompt, dim, status, value, version, backend = (tuple(record) + (None, None))[:6]
        out.append(
            {
                "run": run,
                "model": model,
                "prompt_id": prompt,
                "seed": 0,
                "dimension": dim,
                "metric_version": CURRENT[dim] if version is None else version,
                "status": status,
                "value": value,
                "details": "{}",
                "backend": backend or "",
                "error": None if status == "ok" else "why",
            }
        )
    return pd.DataFrame(out)


BENCH = load_benchmark("wan-bench")
CURRENT = {spec.key: f"{spec.methods[0].version}.cur" for spec in BENCH.dimensions}  # a declared formula
OLD = "0.old"  # a formula the benchmark no longer declares


def mark(frame: pd.DataFrame, versions: dict[str, str] = CURRENT) -> pd.DataFrame:
    """The read model's stale rule, with ``versions`` current for every (run, model) of ``frame``."""
    models = frame[["run", "model"]].drop_duplicates().itertuples(index=False)
    return mark_stale(frame, {(run, model): versions for run, model in models}, BENCH)


def summarise_all(frame: pd.DataFrame, failures: pd.DataFrame, weights: dict[str, float]) -> list:
    """Every wan-bench dimension summarised (not only the weighted ones), stale rows marked."""
    return summarise(mark(frame), failures, weights, keys=DIMENSION_KEYS)


# 1. one metric version per dimension --------------------------------------------------------------


def test_rows_of_an_older_metric_version_are_stale_and_never_averaged() -> None:
    """The issue's case: a v1 row of 0.0 beside the v2 row 0.618 used to pull the mean to 0.309."""
    frame = mark(rows([("a", "large_motion", "ok", 0.0, OLD), ("a", "large_motion", "ok", 0.618)]))
    cell = summarise_dimension(frame, "large_motion")
    assert cell.mean == pytest.approx(0.618) and cell.n == 1 and cell.n_stale == 1
    only_old = summarise_dimension(mark(rows([("b", "large_motion", "ok", 0.2, OLD)])), "large_motion")
    assert only_old.mean is None and only_old.applicable == 1 and "stale" in only_old.missing_reason


def test_a_version_bump_rescores_stale_rows_on_resume(tmp_path: Path, tiny_suite: Path) -> None:
    """A formula bump is one edit of the benchmark definition: rows of the old formula turn stale on
    read and are re-scored on resume, never averaged with the new ones."""
    out = tmp_path / "run"
    config = EvalConfig(
        model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL, dimensions=("large_motion",)
    )
    run_eval(config)
    before = load_evaluation(out, weighting="equal").summaries[0].dimensions["large_motion"]
    definition = json.loads(Path(BENCH.source).read_text())
    (entry,) = [d for d in definition["dimensions"] if d["key"] == "large_motion"]
    entry["methods"][0]["version"] = "999"
    definition["name"] = "wan-bench-bumped"
    bumped = tmp_path / "bumped.json"
    bumped.write_text(json.dumps(definition))
    with sqlite3.connect(out / "results.sqlite") as con:  # pretend the old version scored differently
        con.execute("UPDATE results SET value = 0.0 WHERE dimension = 'large_motion'")
    assert load_evaluation(out, str(bumped), "equal").summaries[0].dimensions["large_motion"].n_stale == 2
    summary = run_eval(dataclasses.replace(config, benchmark=str(bumped)))
    assert summary.rows_written == 2 and summary.rows_skipped == 0  # both stale rows re-scored
    evaluation = load_evaluation(out, str(bumped), "equal")
    after = evaluation.summaries[0].dimensions["large_motion"]
    assert after.n_stale == 2 and after.n == 2 and after.metric_version.startswith("999.f")
    assert after.mean == pytest.approx(before.mean)  # the old rows' 0.0 are not in it
    results = evaluation.results
    assert set(results.loc[results.status == "stale", "metric_version"]) == {before.metric_version}
    # read as wan-bench again, its own formula's rows are the current ones, the bumped rows stale
    again = load_evaluation(out, weighting="equal").summaries[0].dimensions["large_motion"]
    assert again.n == 2 and again.n_stale == 2 and again.metric_version == before.metric_version


# 2. one joint bootstrap over prompts ---------------------------------------------------------------


def test_one_bootstrap_draw_serves_every_dimension_and_the_weighted_score() -> None:
    rng = np.random.default_rng(3)
    x = rng.random(12)
    records = [(f"p{i}", "large_motion", "ok", float(v)) for i, v in enumerate(x)]
    records += [(f"p{i}", "pixel_stability", "ok", float(1 - v)) for i, v in enumerate(x)]
    # two more dimensions on *different* prompts of the same count: the old per-dimension generator gave
    # them identical resample positions, i.e. perfectly correlated replicates
    records += [(f"q{i}", "camera_control", "ok", float(i == 0)) for i in range(12)]
    records += [(f"s{i}", "scene_quality", "ok", float(i == 0)) for i in range(12)]
    weights = {"large_motion": 0.5, "pixel_stability": 0.5}
    (summary,) = summarise_all(rows(records), NO_FAILURES, weights)
    w = summary.weighted
    assert w.value == pytest.approx(0.5) and w.ci_low == pytest.approx(0.5) and w.ci_high == pytest.approx(0.5)
    cam, scene = summary.dimensions["camera_control"].replicates, summary.dimensions["scene_quality"].replicates
    assert not np.array_equal(cam, scene) and abs(np.corrcoef(cam, scene)[0, 1]) < 0.3
    # replicate b of every dimension is the mean over the prompts of that one draw
    counts = bootstrap_counts(len(summary.prompts), seed=summary.bootstrap_seed)
    lm = summary.dimensions["large_motion"]
    index = [summary.prompts.index(f"p{i}") for i in range(12)]
    expected = counts[:, index] @ x / counts[:, index].sum(axis=1)
    np.testing.assert_allclose(lm.replicates[~np.isnan(expected)], expected[~np.isnan(expected)])


def test_draws_without_a_small_dimensions_prompts_are_counted_not_hidden() -> None:
    # 40 prompts; camera control holds one of them: about (39/40)^40 = 36% of joint draws miss it
    records = [(f"p{i:02d}", "large_motion", "ok", i / 40) for i in range(40)]
    records.append(("p00", "camera_control", "ok", 1.0))
    weights = {"large_motion": 0.5, "camera_control": 0.5}
    (summary,) = summarise_all(rows(records), NO_FAILURES, weights)
    cam, motion = summary.dimensions["camera_control"], summary.dimensions["large_motion"]
    drawn = int((bootstrap_counts(40, seed=summary.bootstrap_seed)[:, summary.prompts.index("p00")] > 0).sum())
    assert cam.ci_draws == drawn and 500 < drawn < 800  # exactly the draws that picked p00
    assert motion.ci_draws == 1000 and summary.weighted.ci_draws == drawn
    table = dimension_table(summary, "custom")
    console = Console(width=200, record=True)
    console.print(table)
    assert f"CI over {drawn}/1000 draws" in console.export_text()


def test_bootstrap_is_seeded_from_the_run() -> None:
    data = rows([(f"p{i}", "large_motion", "ok", i / 10) for i in range(8)])
    one = summarise_all(data, NO_FAILURES, {"large_motion": 1.0})[0]
    again = summarise_all(data, NO_FAILURES, {"large_motion": 1.0})[0]
    other = summarise_all(data.assign(run="other"), NO_FAILURES, {"large_motion": 1.0})[0]
    assert (one.weighted.ci_low, one.weighted.ci_high) == (again.weighted.ci_low, again.weighted.ci_high)
    assert one.bootstrap_seed != other.bootstrap_seed


def test_paired_comparison_says_who_wins_only_when_the_ci_excludes_zero() -> None:
    rng = np.random.default_rng(0)
    base = rng.random(20)
    dims = ("large_motion", "pixel_stability")
    jitter = rng.uniform(-0.2, 0.2, 20)
    jitter -= jitter.mean()  # C differs from B prompt by prompt, not on average
    noise = rows(
        [(f"p{i}", d, "ok", float(0.5 + 0.5 * v + j)) for d in dims for i, (v, j) in enumerate(zip(base, jitter))],
        model="C",
    )
    b = rows([(f"p{i}", d, "ok", float(0.5 + 0.5 * v)) for d in dims for i, v in enumerate(base)], model="B")
    a = rows([(f"p{i}", d, "ok", float(0.5 + 0.5 * v - 0.1)) for d in dims for i, v in enumerate(base)], model="A")
    weights = {d: 0.5 for d in dims}
    sa, sb, sc = summarise_all(pd.concat([a, b, noise]), NO_FAILURES, weights)
    pair = paired_comparison(sa, sb, weights)
    assert pair.difference == pytest.approx(-0.1) and pair.ci_high < 0 and pair.verdict == "B beats A"
    assert pair.prompts == 20
    # the two models' own CIs overlap: only pairing makes the difference visible
    assert sa.weighted.ci_high > sb.weighted.ci_low
    assert paired_comparison(sb, sc, weights).verdict == "no clear difference"


# 3. coverage everywhere; partial never ranked among full ----------------------------------------------


def full_model(model: str, value: float, skip_prompt: str | None = None) -> pd.DataFrame:
    records = []
    for d in DIMENSION_KEYS:
        for i in range(4):
            prompt = f"{d}-{i}"
            records.append(
                (prompt, d, "missing" if prompt == skip_prompt else "ok", None if prompt == skip_prompt else value)
            )
    return rows(records, run=model, model=model)


def test_a_cell_missing_some_prompts_is_partial_and_its_score_is_not_ranked() -> None:
    from wanbench.report.tables import leaderboard_frame, leaderboard_markdown

    weights = {d: 1 / 14 for d in DIMENSION_KEYS}
    results = pd.concat([full_model("whole", 0.5), full_model("gappy", 0.9, skip_prompt="camera_control-3")])
    whole, gappy = summarise_all(results, NO_FAILURES, weights)
    cam = gappy.dimensions["camera_control"]
    assert cam.partial and cam.coverage == "3/4" and cam.n_missing == 1 and cam.mean == pytest.approx(0.9)
    assert gappy.weighted.partial and gappy.weighted.weight_complete == pytest.approx(13 / 14)
    assert not whole.weighted.partial
    frame = leaderboard_frame([gappy, whole])
    assert frame.loc[frame.model == "whole", "rank"].item() == 1
    assert pd.isna(frame.loc[frame.model == "gappy", "rank"].item())  # higher score, still not ranked
    markdown = leaderboard_markdown(frame, "equal", [gappy, whole])
    assert "0.900 (partial 3/4)" in markdown and "3/4 partial, 1 missing" in markdown
    assert markdown.index("| 1 | whole") < markdown.index("Partial (unranked")


# 4. method labels -----------------------------------------------------------------------------------

RAFT = "torchvision raft_large sha256:abc (iters 12)"
DIS = "opencv-dis/medium (cv2 5) [fallback: raft-large weights missing]"


def test_methods_never_mix_silently_and_fallbacks_are_labelled() -> None:
    mixed = mark(rows([("a", "large_motion", "ok", 0.2, None, RAFT), ("b", "large_motion", "ok", 0.9, None, DIS)]))
    cell = summarise_dimension(mixed, "large_motion")
    assert cell.mean == pytest.approx(0.2) and cell.method == "RAFT" and cell.n_other_method == 1
    assert "DIS" in cell.method_note
    dis = summarise_dimension(mark(rows([("a", "large_motion", "ok", 0.9, None, DIS)])), "large_motion")
    assert dis.method == "DIS" and not dis.reference_method
    whole = summarise_dimension(
        mark(rows([("a", "id_consistency", "ok", 0.9, None, "transformers ViT DINO x sha256:1, whole frames")])),
        "id_consistency",
    )
    assert whole.method == "whole frame" and not whole.reference_method


def test_reference_rows_are_marked_comparable_or_not_and_not_ranked() -> None:
    from wanbench.benchmark.weightings import load_reference
    from wanbench.report.tables import leaderboard_frame, leaderboard_markdown

    weights = {d: 1 / 14 for d in DIMENSION_KEYS}
    summaries = summarise_all(full_model("ours", 0.5), NO_FAILURES, weights)
    frame = leaderboard_frame(summaries, load_reference("paper"))
    paper = frame[frame.source != "measured"]
    assert paper["rank"].isna().all() and not paper["scene_quality_comparable"].any()
    markdown = leaderboard_markdown(frame, "equal", summaries)
    assert "Scene Generation Quality *" in markdown and "0.37-0.39" in markdown


# 5. not applicable ----------------------------------------------------------------------------------


def test_no_static_region_is_not_applicable_not_an_error(tmp_path: Path) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    write_video(videos / "pan.mp4", pan_clip(6.0), fps=8)
    suite = write_suite(
        tmp_path / "s.jsonl",
        [
            {
                "id": "pan",
                "text": "a fast pan",
                "dimensions": ["pixel_stability"],
                "camera": "pan_left",
                "scene": "forest",
            }
        ],
    )
    out = tmp_path / "run"
    summary = run_eval(
        EvalConfig(model="folder", suite=str(suite), out=out, model_options={"videos": videos}, flow="dis")
    )
    assert summary.not_applicable == 1 and summary.errors == 0 and summary.exit_code == 0
    files = write_report([out], out)
    cell = files.summaries[0].dimensions["pixel_stability"]
    assert cell.mean is None and cell.n_not_applicable == 1 and cell.applicable == 0 and not cell.partial
    assert "not applicable" in cell.missing_reason
    results = load_evaluation(out).results
    assert results.status.tolist() == ["not_applicable"]
    again = run_eval(
        EvalConfig(model="folder", suite=str(suite), out=out, model_options={"videos": videos}, flow="dis")
    )
    assert again.rows_skipped == 1  # a property of the video, not retried like a missing row


def test_a_store_from_before_the_new_statuses_is_widened_in_place(tmp_path: Path) -> None:
    from wanbench.run.store import SCHEMA, ResultRow, ResultStore

    db = tmp_path / "old.sqlite"
    old = SCHEMA.replace("'missing', 'not_applicable', 'stale'", "'missing'")
    with sqlite3.connect(db) as con:
        con.executescript(old)
        con.execute("INSERT INTO results VALUES ('r','m','p',0,'large_motion','2','ok',0.5,'{}','','',0,NULL,0)")
    with ResultStore(db) as store:
        store.write_results([ResultRow("r", "m", "q", 0, "pixel_stability", "1", "not_applicable", error="no static")])
        assert {r["status"] for r in store.results()} == {"ok", "not_applicable"}


# 8. results.json and its schema -----------------------------------------------------------------------


def test_results_json_of_a_real_run_validates_against_the_documented_schema(tmp_path: Path, tiny_suite: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "run"
    for name in ("procedural", "procedural-b"):
        run_eval(
            EvalConfig(model="procedural", name=name, suite=str(tiny_suite), out=out, model_options=SMALL, limit=2)
        )
    files = write_report([out], out, weighting="paper", reference="paper")
    document = json.loads(files.results_json.read_text())
    schema = json.loads((ROOT / "docs" / "results.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["weighting"] == {
        "name": "paper",
        "version": "1",
        "values": pytest.approx(document["weighting"]["values"]),
    }
    model = document["models"][0]
    assert model["dimensions"]["camera_control"]["method"] == "DIS"
    assert model["weighted"]["partial"] and model["weighted"]["rank"] is None
    assert len(document["paired_comparisons"]) == 1 and document["reference"]["ranked_with_measured"] is False
    broken = document | {"schema_version": "999"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
