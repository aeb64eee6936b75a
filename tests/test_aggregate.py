import numpy as np
import pandas as pd
import pytest

from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.evaluation.aggregate import bootstrap_means, summarise, summarise_dimension, weighted_score


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"run": "r", "model": "m", "prompt_id": p, "seed": s, "dimension": d, "status": st, "value": v, "error": e}
            for p, s, d, st, v, e in rows
        ]
    )


def test_seeds_are_averaged_per_prompt_before_the_mean() -> None:
    rows = frame(
        [
            ("a", 0, "large_motion", "ok", 0.2, None),
            ("a", 1, "large_motion", "ok", 0.4, None),
            ("b", 0, "large_motion", "ok", 0.9, None),
        ]
    )
    summary = summarise_dimension(rows, "large_motion")
    assert summary.n == 2 and summary.mean == pytest.approx((0.3 + 0.9) / 2)
    assert summary.ci_low <= summary.mean <= summary.ci_high


def test_bootstrap_ci_narrows_with_more_prompts() -> None:
    rng = np.random.default_rng(1)
    few, many = rng.random(10), rng.random(400)

    def width(values: np.ndarray) -> float:
        return np.subtract(*np.percentile(bootstrap_means(values), [97.5, 2.5]))

    assert width(many) < width(few)
    assert np.array_equal(bootstrap_means(few), bootstrap_means(few))  # seeded: same data, same CI


def test_missing_and_error_dimensions_are_reported_with_reasons() -> None:
    rows = frame(
        [
            ("a", 0, "smoothness", "missing", None, "VLM judge: weights 'qwen2-vl-7b' missing"),
            ("a", 0, "pixel_stability", "error", None, "no static region"),
        ]
    )
    assert (
        summarise_dimension(rows[rows.dimension == "smoothness"], "smoothness").missing_reason
        == "VLM judge: weights 'qwen2-vl-7b' missing"
    )
    failed = summarise_dimension(rows[rows.dimension == "pixel_stability"], "pixel_stability")
    assert failed.mean is None and failed.n_error == 1 and "failed" in failed.missing_reason


def test_weighted_score_full_and_partial() -> None:
    rows = frame([(f"p{i}", 0, d, "ok", 0.5 + 0.01 * k, None) for k, d in enumerate(DIMENSION_KEYS) for i in range(5)])
    weights = {d: 1 / 14 for d in DIMENSION_KEYS}
    (full,) = summarise(rows, pd.DataFrame(columns=["run", "model"]), weights)
    assert not full.weighted.partial
    assert full.weighted.value == pytest.approx(np.mean([0.5 + 0.01 * k for k in range(14)]))
    assert full.weighted.label == f"{full.weighted.value:.3f}"
    dims = dict(full.dimensions)
    dims["smoothness"] = type(dims["smoothness"])("smoothness", None, None, None, 0, 0, 5, "judge missing")
    partial = weighted_score(dims, weights)
    assert partial.partial and len(partial.dimensions_used) == 13
    assert "partial: 13/14" in partial.label
    assert partial.weight_covered == pytest.approx(13 / 14)
    nothing = weighted_score({}, weights)
    assert nothing.value is None and nothing.label == "n/a"


def test_id_consistency_is_split_by_subdimension() -> None:
    import json

    import pandas as pd

    from wanbench.evaluation.aggregate import subdimension_means

    rows = pd.DataFrame(
        {
            "prompt_id": ["a", "a", "b", "c"],
            "value": [0.8, 0.6, 0.9, 0.5],
            "details": [json.dumps({"subdimension": "human"})] * 3 + [json.dumps({"subdimension": "animal"})],
        }
    )
    got = subdimension_means(rows)
    assert got["human"] == (pytest.approx(0.8), 2)  # prompt a averages its seeds first: (0.7 + 0.9) / 2
    assert got["animal"] == (pytest.approx(0.5), 1)
    assert subdimension_means(rows.assign(details=[json.dumps({})] * 4)) == {}
