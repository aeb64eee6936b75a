"""Issue 27: a benchmark is versioned data, read through one read model.

- The wan-bench definition declares the report's 14 dimensions, each method's class and formula version;
  the version a dimension reports and the one the read model expects are composed in one place.
- A 15th dimension is two places (a definition entry and a class), and every wan-bench number of an
  existing run stays the same to the bit, ``equal`` included.
- Every reader (API, report files, terminal table, plot, leaderboard, alignment) gives one answer for a
  non-default method's rows and an older version's rows.
- Bad names are refused by the library's run entry before any compute.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.conftest import SMALL
from wanbench.benchmark.definition import BenchmarkError, load_benchmark, packaged_benchmarks
from wanbench.benchmark.versions import benchmark_versions
from wanbench.benchmark.weightings import load_reference, load_weighting
from wanbench.dims.base import Dimension, Score
from wanbench.dims.registry import get_dimension
from wanbench.evaluation.read import load_evaluation
from wanbench.report import write_report
from wanbench.run.runner import EvalConfig, Evaluator, run_eval
from wanbench.run.store import ResultRow, ResultStore

WAN_BENCH = load_benchmark("wan-bench")
PAPER_ORDER = (
    "large_motion",
    "human_artifacts",
    "pixel_stability",
    "id_consistency",
    "physical_plausibility",
    "smoothness",
    "image_quality",
    "scene_quality",
    "stylization",
    "single_object",
    "multiple_object",
    "spatial_position",
    "camera_control",
    "action_following",
)


class MeanBrightness(Dimension):
    """A 15th dimension for the test: declared in a definition file of its own, nowhere else."""

    needs = ()
    description = "mean grey level of the frames"

    def score(self, video, prompt, features) -> Score:
        return Score(float(np.asarray(video.frames, dtype=np.float64).mean() / 255.0), "numpy mean")


def test_wan_bench_declares_the_reports_fourteen_with_one_version_composition() -> None:
    assert "wan-bench" in packaged_benchmarks()
    assert WAN_BENCH.keys == PAPER_ORDER
    assert WAN_BENCH.dimension_name("camera_control") == "Camera Control"
    declared = benchmark_versions(WAN_BENCH)
    for key in PAPER_ORDER:
        dim = get_dimension(key)
        assert dim.name == key and dim.version == declared[key]  # what it writes is what the reader expects
    judged = get_dimension("human_artifacts", backbone_options={"artifacts": {"backend": "judge"}})
    assert type(judged).__name__ == "HumanArtifactsByJudge" and judged.name == "human_artifacts"
    assert judged.version == benchmark_versions(WAN_BENCH, {"artifacts": {"backend": "judge"}})["human_artifacts"]
    assert judged.version != get_dimension("human_artifacts").version


def test_unknown_and_malformed_benchmarks_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkError, match="did you mean wan-bench"):
        load_benchmark("wan-bnch")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "version": "1", "dimensions": [{"key": "a", "group": "g"}]}))
    with pytest.raises(BenchmarkError, match="malformed"):
        load_benchmark(str(bad))
    with pytest.raises(BenchmarkError, match="did you mean large_motion"):
        WAN_BENCH.check_dimensions(["large_motoin"])


def fifteenth(tmp_path: Path) -> Path:
    """The whole declaration of a 15th dimension: one entry (its class is this module's MeanBrightness)."""
    path = tmp_path / "wan-bench-plus.json"
    entry = {
        "key": "mean_brightness",
        "name": "Mean Brightness",
        "group": "image_quality",
        "applies_to": "all",
        "methods": [{"name": "numpy", "class": f"{__name__}:MeanBrightness", "version": "1"}],
    }
    path.write_text(
        json.dumps({"name": "wan-bench-plus", "version": "1", "extends": "wan-bench", "dimensions": [entry]})
    )
    return path


def numbers(evaluation) -> list:
    """Every number a reader sees, as exact reprs: means, CIs, counts, weighted scores."""
    out = []
    for s in evaluation.summaries:
        for d, x in s.dimensions.items():
            out.append((s.model, d, repr(x.mean), repr(x.ci_low), repr(x.ci_high), x.n, x.applicable, x.n_stale))
        w = s.weighted
        out.append((s.model, "weighted", repr(w.value), repr(w.ci_low), repr(w.ci_high), w.partial))
    return out


def test_a_fifteenth_dimension_is_two_places_and_leaves_every_wan_bench_number_alone(
    tmp_path: Path, tiny_suite: Path
) -> None:
    out = tmp_path / "run"
    base = EvalConfig(
        model="procedural",
        suite=str(tiny_suite),
        out=out,
        model_options=SMALL,
        dimensions=("large_motion", "pixel_stability", "camera_control"),
        flow="dis",
    )
    run_eval(base)
    before = {w: numbers(load_evaluation(out, weighting=w)) for w in ("equal", "paper")}
    plus = fifteenth(tmp_path)
    bench = load_benchmark(str(plus))
    assert bench.keys == (*PAPER_ORDER, "mean_brightness")
    summary = run_eval(dataclasses.replace(base, benchmark=str(plus), dimensions=("mean_brightness",)))
    assert summary.rows_written == 3 and summary.errors == 0  # every prompt: it applies to all
    after = {w: numbers(load_evaluation(out, weighting=w)) for w in ("equal", "paper")}
    assert after == before  # to the bit, equal included
    assert load_weighting("equal")["large_motion"] == 1 / 14
    extended = load_evaluation(out, str(plus), "equal")
    cell = extended.summaries[0].dimensions["mean_brightness"]
    assert cell.n == 3 and 0 < cell.mean < 1
    assert load_weighting("equal", str(plus))["mean_brightness"] == pytest.approx(1 / 15)
    paper = load_weighting("paper", str(plus))
    assert paper["mean_brightness"] == 0 and paper["large_motion"] == load_weighting("paper")["large_motion"]
    assert np.isnan(load_reference("paper", str(plus))["mean_brightness"]).all()
    files = write_report(extended, tmp_path / "report")
    document = json.loads(files.results_json.read_text())
    assert (
        document["benchmark"]["name"] == "wan-bench-plus" and "mean_brightness" in document["models"][0]["dimensions"]
    )


def probe_store(tmp_path: Path) -> Path:
    """A run whose rows are a non-default method's (Human Artifacts by the judge, 0.7) and two versions of
    Large Motion (a current 0.4 beside an older 0.0)."""
    run_dir = tmp_path / "probe"
    judge = {"artifacts": {"backend": "judge"}}
    current = benchmark_versions(WAN_BENCH, judge)
    with ResultStore(run_dir / "results.sqlite") as store:
        store.start_invocation("probe", "m", {"backbone_options": judge, "suite": "smoke"}, {}, "sha")
        rows = []
        for prompt in ("p1", "p2"):
            rows.append(
                ResultRow(
                    "probe",
                    "m",
                    prompt,
                    0,
                    "human_artifacts",
                    current["human_artifacts"],
                    "ok",
                    0.7,
                    {"method": "judge"},
                    "artifacts/judge: qwen",
                )
            )
            rows.append(
                ResultRow(
                    "probe", "m", prompt, 0, "large_motion", current["large_motion"], "ok", 0.4, {}, "opencv-dis/medium"
                )
            )
            rows.append(
                ResultRow("probe", "m", prompt, 0, "large_motion", "1.fold", "ok", 0.0, {}, "opencv-dis/medium")
            )
        store.write_results(rows)
        store.record_prompts("probe", [("p1", "one", {}), ("p2", "two", {})])
    return run_dir


def test_every_reader_gives_one_answer(tmp_path: Path) -> None:
    from rich.console import Console

    import wanbench
    from wanbench.people.alignment import load_video_scores
    from wanbench.report.terminal import dimension_table

    run_dir = probe_store(tmp_path)
    evaluation = load_evaluation(run_dir, weighting="equal")
    (summary,) = evaluation.summaries
    assert summary.dimensions["human_artifacts"].mean == pytest.approx(0.7)
    assert (
        summary.dimensions["large_motion"].mean == pytest.approx(0.4)
        and summary.dimensions["large_motion"].n_stale == 2
    )
    api = wanbench.load_run(run_dir, "equal").summaries[0]
    assert api.dimensions["human_artifacts"].mean == summary.dimensions["human_artifacts"].mean
    files = write_report([run_dir], tmp_path / "report", weighting="equal")
    document = json.loads(files.results_json.read_text())
    assert document["models"][0]["dimensions"]["human_artifacts"]["mean"] == pytest.approx(0.7)
    assert document["models"][0]["dimensions"]["large_motion"]["counts"]["stale"] == 2
    board = pd.read_csv(files.leaderboard_csv)
    assert board.loc[0, "human_artifacts"] == pytest.approx(0.7) and board.loc[0, "large_motion"] == pytest.approx(0.4)
    console = Console(width=200, record=True)
    console.print(dimension_table(summary, "equal"))
    text = console.export_text()
    assert "0.700" in text and "0.400" in text
    scores = load_video_scores([run_dir])
    assert scores["human_artifacts"].tolist() == [0.7, 0.7] and scores["large_motion"].tolist() == [0.4, 0.4]
    from wanbench.cli import app

    result = CliRunner().invoke(app, ["plot", str(run_dir), "-o", str(tmp_path / "plots"), "--weighting", "equal"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["leaderboard", str(run_dir), "-o", str(tmp_path / "lb"), "--weighting", "equal"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "lb" / "leaderboard.csv").loc[0, "human_artifacts"] == pytest.approx(0.7)


def test_reading_and_reporting_a_run_loads_no_model_code_and_writes_nothing_to_it(tmp_path: Path) -> None:
    run_dir = probe_store(tmp_path)
    before = {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()}
    probe = (
        "import sys\n"
        "from wanbench.evaluation.read import load_evaluation\n"
        "from wanbench.report import write_report\n"
        f"write_report(load_evaluation({str(run_dir)!r}), {str(tmp_path / 'out')!r})\n"
        "heavy = ('torch', 'cv2', 'wanbench.backbones', 'wanbench.dims', 'wanbench.adapters', 'wanmodel')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith(heavy))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
    assert {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()} == before  # read-only: no WAL, no schema


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weighting": "nosuch"}, "unknown weighting"),
        ({"benchmark": "nosuch"}, "unknown benchmark"),
        ({"dimensions": ("large_motoin",)}, "did you mean large_motion"),
        ({"reference": "nosuch"}, "reference table not found"),
        ({"flow": "rafts"}, "--flow"),
    ],
)
def test_the_library_refuses_bad_settings_before_any_compute(tmp_path: Path, tiny_suite: Path, change, message) -> None:
    import wanbench

    config = EvalConfig(model="procedural", suite=str(tiny_suite), out=tmp_path / "run", **change)
    with pytest.raises(ValueError, match=message):
        Evaluator(config)
    api_change = {"dimensions": change["dimensions"]} if "dimensions" in change else {}
    if "weighting" in change or "benchmark" in change:
        api_change = change
    if api_change:
        with pytest.raises(ValueError, match=message):
            wanbench.evaluate("procedural", str(tiny_suite), tmp_path / "api", **api_change)
    assert not (tmp_path / "run").exists() and not (tmp_path / "api").exists()  # nothing computed, nothing written
