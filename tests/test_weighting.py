import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from wanbench.dims.names import DIMENSION_KEYS
from wanbench.weighting import WeightingError, load_reference, load_weighting, paper_weights


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
        result = linprog(rng.normal(size=14), A_ub=np.vstack([scores, -scores]),
                         b_ub=np.concatenate([totals + tol, tol - totals]), A_eq=np.ones((1, 14)), b_eq=[1],
                         bounds=[(0, 1)] * 14)
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


@pytest.mark.parametrize("content, words", [
    ('{"large_motoin": 1}', "unknown dimensions"),
    ('{"large_motion": -1}', "non-negative"),
    ('{"large_motion": 0}', "not all zero"),
])
def test_bad_weight_files(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(WeightingError, match=words):
        load_weighting(str(path))
    with pytest.raises(WeightingError, match="unknown weighting"):
        load_weighting("papr")
