import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.benchmark.weightings import WeightingError, load_reference, load_weighting, paper_weights


def entropy(w: np.ndarray) -> float:
    w = w[w > 0]
    return float(-(w * np.log(w)).sum())


def test_paper_weights_reproduce_table_2() -> None:
    table = load_reference("paper")
    assert list(table.index) == ["CN-TopB", "HunyuanVideo", "Mochi", "CN-TopA", "Sora", "Wan 1.3B", "Wan 14B"]
    weights = np.array([paper_weights()[d] for d in DIMENSION_KEYS])
    assert (weights >= 0).all() and weights.sum() == pytest.approx(1.0, abs=1e-12)
    predicted = table[list(DIMENSION_KEYS)].to_numpy() @ weights
    published = table["weighted_score"].to_numpy()
    assert np.abs(predicted - published).max() <= 0.0005
    assert np.allclose(np.round(predicted, 3), published)  # rounds to every published figure


def test_paper_weights_have_maximum_entropy_among_feasible_vectors() -> None:
    table = load_reference("paper")
    scores, totals = table[list(DIMENSION_KEYS)].to_numpy(), table["weighted_score"].to_numpy()
    fitted = np.array([paper_weights()[d] for d in DIMENSION_KEYS])
    rng = np.random.default_rng(0)
    tol = 0.00049
    for _ in range(10):  # vertices of the feasible polytope in random directions
        result = linprog(
            rng.normal(size=14),
            A_ub=np.vstack([scores, -scores]),
            b_ub=np.concatenate([totals + tol, tol - totals]),
            A_eq=np.ones((1, 14)),
            b_eq=[1],
            bounds=[(0, 1)] * 14,
        )
        assert result.success
        assert entropy(result.x) <= entropy(fitted) + 1e-9
    assert entropy(fitted) < np.log(14)  # equal weights do not fit the table


def test_equal_and_file_weightings(tmp_path: Path) -> None:
    equal = load_weighting("equal")
    assert set(equal) == set(DIMENSION_KEYS) and all(w == pytest.approx(1 / 14) for w in equal.values())
    (tmp_path / "w.json").write_text(json.dumps({"large_motion": 3, "pixel_stability": 1}))
    weights = load_weighting(str(tmp_path / "w.json"))
    assert weights["large_motion"] == pytest.approx(0.75) and weights["smoothness"] == 0
    (tmp_path / "w.csv").write_text("dimension,weight\nsmoothness,2\nstylization,2\n")
    assert load_weighting(str(tmp_path / "w.csv"))["smoothness"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "content, words",
    [
        ('{"large_motoin": 1}', "unknown dimensions"),
        ('{"large_motion": -1}', "non-negative"),
        ('{"large_motion": 0}', "not all zero"),
    ],
)
def test_bad_weight_files(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(WeightingError, match=words):
        load_weighting(str(path))
    with pytest.raises(WeightingError, match="unknown weighting"):
        load_weighting("papr")


def test_shipped_paper_weighting_matches_a_refit_and_records_its_residuals() -> None:
    """The weights ship as data (not refitted per run); a refit lands on them, residuals are recorded."""
    from wanbench.benchmark.weightings import fit_max_entropy_weights, paper_weighting

    document = paper_weighting()
    table = load_reference("paper")
    scores, totals = table[list(DIMENSION_KEYS)].to_numpy(), table["weighted_score"].to_numpy()
    refit = fit_max_entropy_weights(scores, totals)
    shipped = np.array([document["weights"][d] for d in DIMENSION_KEYS])
    assert np.abs(refit - shipped).max() < 1e-6
    fitted = scores @ shipped
    for model, published, got in zip(table.index, totals, fitted):
        record = document["fit"][model]
        assert record["published"] == pytest.approx(published) and record["fitted"] == pytest.approx(got, abs=1e-12)
        assert record["residual"] == pytest.approx(got - published, abs=1e-12)
    assert document["version"] and document["max_abs_residual"] <= 0.00049 + 1e-9


def test_documented_weights_have_enough_digits_to_reproduce_table_2() -> None:
    """docs/weighting.md's table, parsed: rounded to 3 decimals, its weights give every published total."""
    import re

    text = (Path(__file__).resolve().parents[1] / "docs" / "weighting.md").read_text(encoding="utf-8")
    documented = {key: float(value) for key, value in re.findall(r"\| `(\w+)` \| ([0-9.]+) \|", text)}
    assert set(documented) == set(DIMENSION_KEYS)
    table = load_reference("paper")
    weights = np.array([documented[d] for d in DIMENSION_KEYS])
    predicted = table[list(DIMENSION_KEYS)].to_numpy() @ weights
    assert np.allclose(np.round(predicted, 3), table["weighted_score"].to_numpy(), rtol=0, atol=1e-9)
    four_digits = np.round(weights, 4)  # what the docs used to show: not enough
    assert not np.allclose(
        np.round(table[list(DIMENSION_KEYS)].to_numpy() @ four_digits, 3),
        table["weighted_score"].to_numpy(),
        rtol=0,
        atol=1e-9,
    )
