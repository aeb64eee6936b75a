"""VBench's Quality / Semantic / Total: our arithmetic against VBench's own final-score script, and the
bootstrap intervals over prompts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from wanbench.vbench.dimensions import DIMENSIONS, METRIC_VERSION
from wanbench.vbench.scores import (
    DIMENSION_WEIGHT,
    NORMALIZATION,
    QUALITY,
    QUALITY_WEIGHT,
    SEMANTIC,
    SEMANTIC_WEIGHT,
    final_scores,
    scores_from_rows,
)

# A fixed results file in the layout VBench's evaluate() writes ({dimension: [score, video_results]}):
# plausible raw scores, some outside the normalisation bounds (VBench does not clip, neither do we).
FIXED = {
    "subject_consistency": 0.9612,
    "background_consistency": 0.9705,
    "temporal_flickering": 0.9921,
    "motion_smoothness": 0.9862,
    "dynamic_degree": 0.6944,
    "aesthetic_quality": 0.6152,
    "imaging_quality": 0.6771,
    "object_class": 0.8846,
    "multiple_objects": 0.6128,
    "human_action": 0.96,
    "color": 0.8613,
    "spatial_relationship": 0.7521,
    "scene": 0.5237,
    "appearance_style": 0.2179,
    "temporal_style": 0.2581,
    "overall_consistency": 0.2745,
}


# What VBench's own final-score script (scripts/cal_final_score.py with scripts/constant.py, VBench commit
# 45e79ec14e69a2187202c675d2dbce1a71843d53) printed for FIXED, and for FIXED without "scene" (which it counts
# as 0), each zipped as one eval_results.json: run once by hand on VBench's checkout. VBench's code is not
# part of this repository; its figures are.
VBENCH_PRINTED = {"quality": 0.8452360344954587, "semantic": 0.7703789008554169, "total": 0.8302646077674503}
VBENCH_PRINTED_WITHOUT_SCENE = {
    "quality": 0.8452360344954587,
    "semantic": 0.6996067178234431,
    "total": 0.8161101711610556,
}


def test_final_scores_match_vbench_script():
    ours = final_scores(FIXED)
    assert ours.quality == pytest.approx(VBENCH_PRINTED["quality"], abs=1e-12)
    assert ours.semantic == pytest.approx(VBENCH_PRINTED["semantic"], abs=1e-12)
    assert ours.total == pytest.approx(VBENCH_PRINTED["total"], abs=1e-12)
    assert ours.missing == []


def test_missing_dimension_left_unscored_unless_asked_as_vbench():
    partial = {k: v for k, v in FIXED.items() if k != "scene"}
    ours = final_scores(partial)
    assert ours.semantic is None and ours.total is None and ours.missing == ["scene"]
    assert ours.quality == pytest.approx(final_scores(FIXED).quality)  # quality does not need scene
    as_vbench = final_scores(partial, missing_as_zero=True)  # VBench's script counts an absent dimension as 0
    assert as_vbench.semantic == pytest.approx(VBENCH_PRINTED_WITHOUT_SCENE["semantic"], abs=1e-12)
    assert as_vbench.total == pytest.approx(VBENCH_PRINTED_WITHOUT_SCENE["total"], abs=1e-12)


def test_constants_cover_vbench_s_sixteen_dimensions():
    """Bounds and groups as VBench's constant.py gives them (copied as figures into vbench.json)."""
    assert set(DIMENSIONS) == set(NORMALIZATION) == set(QUALITY) | set(SEMANTIC) and len(DIMENSIONS) == 16
    assert not set(QUALITY) & set(SEMANTIC)
    assert all(low < high for low, high in NORMALIZATION.values())
    assert (QUALITY_WEIGHT, SEMANTIC_WEIGHT) == (4, 1)  # Total = (4 Quality + 1 Semantic) / 5
    assert set(DIMENSION_WEIGHT) == set(DIMENSIONS)


def _rows(values: dict[str, list[float]]) -> list[dict]:
    """ok rows: prompt p{k} gets the k-th value of every dimension (two videos per prompt)."""
    rows = []
    for dim, series in values.items():
        for k, value in enumerate(series):
            for seed in (0, 1):
                rows.append(
                    dict(
                        model="m",
                        prompt_id=f"p{k}",
                        seed=seed,
                        dimension=dim,
                        metric_version=METRIC_VERSION,
                        status="ok",
                        value=value,
                    )
                )
    return rows


def test_scores_from_rows_mean_over_videos_and_bootstrap():
    rng = np.random.default_rng(1)
    values = {d: list(np.clip(FIXED[d] + rng.normal(0, 0.05, 20), 0, 1)) for d in FIXED}
    rows = _rows(values)
    rows.append(dict(rows[0], status="missing", value=None))  # not ok rows are not averaged
    rows.append(dict(rows[0], metric_version="vbench-0.0.1", value=0.0))  # another version neither
    result = scores_from_rows(rows, resamples=400, seed=3)
    expected = final_scores({d: float(np.mean(v)) for d, v in values.items()})
    assert result.total == pytest.approx(expected.total)
    assert result.prompts == 20 and result.videos["scene"] == 40
    for key in ("quality", "semantic", "total", "scene"):
        low, high = result.intervals[key]
        point = getattr(result, key) if key in ("quality", "semantic", "total") else result.dimension_scores[key]
        assert low < point < high
    again = scores_from_rows(rows, resamples=400, seed=3)
    assert again.intervals == result.intervals  # same seed, same intervals


def test_bootstrap_of_identical_prompts_has_no_width():
    rows = _rows({d: [v] * 6 for d, v in FIXED.items()})
    result = scores_from_rows(rows, resamples=200)
    low, high = result.intervals["total"]
    assert low == pytest.approx(result.total) and high == pytest.approx(result.total)


def test_table4_reference_rows_and_their_totals():
    from wanbench.vbench.reference import paper_table4, total_from

    table = paper_table4()
    assert len(table) == 8
    assert table["Wan 14B (2025-02-24)"] == {"quality": 86.67, "semantic": 84.44, "total": 86.22}
    assert table["Sora"] == {"quality": 85.51, "semantic": 79.35, "total": 84.28}
    for model, row in table.items():  # the printed Total is (4 Q + S) / 5 of the printed Q and S, to rounding
        assert abs(total_from(row["quality"], row["semantic"]) - row["total"]) <= 0.011, model


def test_benchmark_definition_declares_vbench():
    from wanbench.benchmark.definition import load_benchmark

    bench = load_benchmark("vbench")
    assert bench.version == "0.1.5" and len(bench.keys) == 16
    assert {d.key: d.group for d in bench.dimensions} == {d: s.group for d, s in DIMENSIONS.items()}
    assert {d.method().version for d in bench.dimensions} == {METRIC_VERSION}
    assert bench.references["paper_table4"].path().is_file()


def test_a_wan_bench_report_shows_vbench_beside_it_with_table_4(tmp_path):
    """One run with rows of both benchmarks: the (wan-bench) report, its markdown and results.json give
    VBench's Quality / Semantic / Total with CIs beside the report's Table 4."""
    from wanbench.report import write_report
    from wanbench.run.store import ResultRow, ResultStore

    run = tmp_path / "run"
    with ResultStore(run / "results.sqlite") as store:
        store.start_invocation("run", "m", {"backbone_options": {}}, {}, "x")
        store.write_results(
            [
                ResultRow("run", "m", f"p{k}", 0, dim, METRIC_VERSION, "ok", value + 0.001 * k)
                for k in range(6)
                for dim, value in FIXED.items()
            ]
        )
    files = write_report([run], tmp_path / "report", weighting="equal")
    section = json.loads(files.results_json.read_text())["sections"]["vbench"]["m"]
    expected = final_scores({d: v + 0.0025 for d, v in FIXED.items()})  # the mean over the six prompts
    assert section["total"] == pytest.approx(expected.total) and section["dimensions_scored"] == 16
    low, high = section["intervals"]["total"]
    assert low <= section["total"] <= high
    text = files.markdown.read_text()
    assert "Table 4" in text and "Wan 14B" in text and f"{100 * expected.total:.2f}" in text
