"""VBench's Quality, Semantic and Total scores, computed as VBench computes them, with bootstrap CIs.

The constants live in the benchmark definition (``wanbench/data/benchmarks/vbench.json``, key
``vbench``), copied from VBench's repository (github.com/Vchitect/VBench): ``scripts/constant.py``
(NORMALIZE_DIC, DIM_WEIGHT, QUALITY_WEIGHT, SEMANTIC_WEIGHT, QUALITY_LIST, SEMANTIC_LIST) and
``scripts/cal_final_score.py`` (the arithmetic), at commit 45e79ec14e69a2187202c675d2dbce1a71843d53
(read 2026-12-07); the vbench 0.1.5 wheel does not ship them. VBench's arithmetic, per dimension d with
raw score s_d (the mean over its videos):

    n_d = (s_d - Min_d) / (Max_d - Min_d) * w_d
    Quality  = sum(n_d, d in QUALITY)  / sum(w_d, d in QUALITY)
    Semantic = sum(n_d, d in SEMANTIC) / sum(w_d, d in SEMANTIC)
    Total    = (4 Quality + 1 Semantic) / 5

VBench's script counts an absent dimension as 0; here an absent dimension leaves its group (and
Total) unscored, with the coverage saying what is missing, unless ``missing_as_zero`` asks for
VBench's behaviour. Confidence intervals resample prompts with replacement (all of a prompt's
videos together, the same resample for every dimension) and recompute everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from wanbench.vbench.dimensions import DIMENSIONS, METRIC_VERSION


def _declared() -> dict[str, Any]:
    """VBench's constants as the benchmark definition (wanbench/data/benchmarks/vbench.json) holds them."""
    text = resources.files("wanbench").joinpath("data/benchmarks/vbench.json").read_text(encoding="utf-8")
    return dict(json.loads(text)["vbench"])


_VBENCH = _declared()
SOURCE: str = _VBENCH["source"]
NORMALIZATION: dict[str, tuple[float, float]] = {  # dimension -> (Min, Max)
    name: (float(bounds["min"]), float(bounds["max"])) for name, bounds in _VBENCH["normalization"].items()
}
DIMENSION_WEIGHT: dict[str, float] = {name: float(w) for name, w in _VBENCH["dimension_weights"].items()}
QUALITY_WEIGHT = float(_VBENCH["group_weights"]["quality"])
SEMANTIC_WEIGHT = float(_VBENCH["group_weights"]["semantic"])
QUALITY = tuple(d for d, spec in DIMENSIONS.items() if spec.group == "quality")
SEMANTIC = tuple(d for d, spec in DIMENSIONS.items() if spec.group == "semantic")


@dataclass
class VBenchScores:
    dimension_scores: dict[str, float]  # raw VBench scores (0-1), as in VBench's *_eval_results.json
    quality: float | None
    semantic: float | None
    total: float | None
    missing: list[str] = field(default_factory=list)  # dimensions without a score
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)  # quality/semantic/total/<dim> -> CI
    prompts: int = 0
    videos: dict[str, int] = field(default_factory=dict)  # dimension -> videos scored

    def coverage(self) -> dict[str, str]:
        return {
            "quality": f"{sum(d in self.dimension_scores for d in QUALITY)}/{len(QUALITY)} dimensions",
            "semantic": f"{sum(d in self.dimension_scores for d in SEMANTIC)}/{len(SEMANTIC)} dimensions",
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "quality": self.quality,
            "semantic": self.semantic,
            "total": self.total,
            "dimension_scores": self.dimension_scores,
            "missing": self.missing,
            "coverage": self.coverage(),
            "intervals": {k: list(v) for k, v in self.intervals.items()},
            "prompts": self.prompts,
            "videos": self.videos,
            "source": SOURCE,
        }


def normalized(name: str, raw: float) -> float:
    low, high = NORMALIZATION[name]
    return (raw - low) / (high - low) * DIMENSION_WEIGHT[name]


def _group(dims: tuple[str, ...], scores: dict[str, float], missing_as_zero: bool) -> float | None:
    if not missing_as_zero and any(d not in scores for d in dims):
        return None
    total = sum(normalized(d, scores.get(d, 0.0)) for d in dims)
    return total / sum(DIMENSION_WEIGHT[d] for d in dims)


def final_scores(dimension_scores: dict[str, float], missing_as_zero: bool = False) -> VBenchScores:
    """Quality, Semantic, Total from raw per-dimension scores (VBench names, values 0-1)."""
    unknown = sorted(set(dimension_scores) - set(NORMALIZATION))
    if unknown:
        raise KeyError(f"not VBench dimensions: {', '.join(unknown)}")
    quality = _group(QUALITY, dimension_scores, missing_as_zero)
    semantic = _group(SEMANTIC, dimension_scores, missing_as_zero)
    total = None
    if quality is not None and semantic is not None:
        total = (QUALITY_WEIGHT * quality + SEMANTIC_WEIGHT * semantic) / (QUALITY_WEIGHT + SEMANTIC_WEIGHT)
    missing = [d for d in NORMALIZATION if d not in dimension_scores]
    return VBenchScores(dict(dimension_scores), quality, semantic, total, missing)


def _ok_rows(rows: Iterable[dict[str, Any]], model: str | None) -> list[tuple[str, str, float]]:
    """(prompt, dimension, value) of the ok VBench rows of the current version (of ``model``, if given)."""
    out = []
    for row in rows:
        if row["status"] != "ok" or row["metric_version"] != METRIC_VERSION:
            continue
        if row["dimension"] not in NORMALIZATION or (model and row["model"] != model):
            continue
        out.append((row["prompt_id"], row["dimension"], float(row["value"])))
    return out


def scores_from_rows(
    rows: Iterable[dict[str, Any]],
    model: str | None = None,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    missing_as_zero: bool = False,
) -> VBenchScores:
    """VBench's scores from store rows: a dimension's raw score is the mean over its videos (as
    VBench averages ``video_results``); percentile CIs from ``resamples`` bootstrap draws of prompts."""
    ok = _ok_rows(rows, model)
    prompts = sorted({p for p, _, _ in ok})
    dims = [d for d in NORMALIZATION if any(d == dim for _, dim, _ in ok)]
    index = {p: i for i, p in enumerate(prompts)}
    sums = np.zeros((len(prompts), len(dims)))
    counts = np.zeros((len(prompts), len(dims)))
    for prompt, dim, value in ok:
        sums[index[prompt], dims.index(dim)] += value
        counts[index[prompt], dims.index(dim)] += 1
    raw = {d: float(sums[:, k].sum() / counts[:, k].sum()) for k, d in enumerate(dims)}
    result = final_scores(raw, missing_as_zero)
    result.prompts = len(prompts)
    result.videos = {d: int(counts[:, k].sum()) for k, d in enumerate(dims)}
    if resamples and prompts:
        rng = np.random.default_rng(seed)
        draws = rng.multinomial(len(prompts), np.full(len(prompts), 1.0 / len(prompts)), size=resamples)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (draws @ sums) / (draws @ counts)  # (resamples, dims); nan where a draw has no video of a dim
        series: dict[str, list[float]] = {"quality": [], "semantic": [], "total": []}
        for draw in means:
            if np.isnan(draw).any():
                continue  # a draw that lost a dimension entirely says nothing about the scores
            scores = final_scores(dict(zip(dims, map(float, draw), strict=True)), missing_as_zero)
            for key in series:
                value = getattr(scores, key)
                if value is not None:
                    series[key].append(value)
        alpha = (1 - confidence) / 2
        for key, values in series.items():
            if values:
                low, high = np.quantile(values, [alpha, 1 - alpha])
                result.intervals[key] = (float(low), float(high))
        finite = ~np.isnan(means)
        for k, d in enumerate(dims):
            if finite[:, k].any():
                low, high = np.quantile(means[finite[:, k], k], [alpha, 1 - alpha])
                result.intervals[d] = (float(low), float(high))
    return result
