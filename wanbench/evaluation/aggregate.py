"""Per-dimension means with bootstrap 95% CIs, the weighted score, coverage and paired comparisons.

Rules (docs/dimensions.md, "Aggregation"):
- Only rows of each dimension's *current* metric version are read; rows of other versions are
  *stale*: counted and shown, never averaged (a resumed run re-scores them). Which version is
  current is decided in one place, the read model (wanbench/evaluation/read.py).
- Only ``ok`` rows enter means; error, missing, not_applicable and stale rows are counted beside them.
- Seeds of one prompt are averaged first; the prompt is the sampled unit.
- One bootstrap over prompts: each replicate draws the model's prompts once (with replacement) and
  that same draw gives every dimension's replicate mean and the weighted score's. The draws are
  seeded from the run and model names and the prompt ids, so a report is reproducible.
- Coverage of a cell is scored / applicable prompts (prompts whose only rows are not_applicable are
  not applicable). A cell below full coverage is partial; a weighted score with any partial or
  absent weighted dimension is partial and is never ranked among full ones.
- One cell, one method: rows of an alternative method (DIS beside RAFT, ...) are left out and counted.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wanbench.benchmark.definition import Benchmark
from wanbench.benchmark.methods import group_of, is_reference

BOOTSTRAP_SAMPLES = 1000
# When a bootstrap CI says little: below MIN_CI_PROMPTS scored prompts it shows how few values there
# are, not how uncertain the mean is (one prompt gives [x, x]); below MIN_CI_DRAW_SHARE of the draws
# holding a dimension's prompts it rests on a subset of the resamples.
MIN_CI_PROMPTS = 5
MIN_CI_DRAW_SHARE = 0.95
# A paired comparison names a winner only on at least this many shared prompts covering at least this
# share of the weighting (2 prompts and 4% of the weight used to yield "A beats B").
MIN_VERDICT_PROMPTS = 10
MIN_VERDICT_WEIGHT = 0.5


def ci_note(prompts: int, draws: int, has_ci: bool, samples: int = BOOTSTRAP_SAMPLES) -> str:
    """Why a CI should not be trusted, in a few words ("" when it can be)."""
    if not has_ci:
        return ""
    few_prompts = prompts < MIN_CI_PROMPTS
    few_draws = draws < MIN_CI_DRAW_SHARE * samples
    parts = ["CI untrusted"] if few_prompts or few_draws else []
    if few_prompts:
        parts.append(f"{prompts} prompt(s) scored, a CI needs at least {MIN_CI_PROMPTS}")
    if draws < samples:
        parts.append(f"CI over {draws}/{samples} draws (the others held none of the prompts it was scored on)")
    return (parts[0] + ": " + "; ".join(parts[1:])) if few_prompts or few_draws else "; ".join(parts)


STATUSES = ("ok", "error", "missing", "not_applicable", "stale")
RESULT_COLUMNS = [
    "run",
    "model",
    "prompt_id",
    "seed",
    "dimension",
    "metric_version",
    "status",
    "value",
    "details",
    "backend",
    "video_sha256",
    "seconds",
    "error",
    "created",
]
FAILURE_COLUMNS = ["run", "model", "prompt_id", "seed", "stage", "message", "created"]


@dataclass
class DimensionSummary:
    dimension: str
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int  # prompts with an ok value
    n_error: int  # rows (prompt x seed) by status, from here on
    n_missing: int
    missing_reason: str | None = None
    replicates: np.ndarray | None = field(default=None, repr=False)
    subdimensions: dict[str, tuple[float, int]] = field(default_factory=dict)  # name -> (mean, prompts)
    applicable: int = 0  # prompts the dimension applies to (not counting prompts only not_applicable)
    n_not_applicable: int = 0
    n_stale: int = 0
    n_other_method: int = 0  # ok rows of an alternative method, left out of the mean
    method: str = ""  # e.g. "RAFT", "DIS", "RAFT + judge"; "" for single-method dimensions
    reference_method: bool = True  # the method is the report's
    method_note: str = ""
    metric_version: str = ""
    per_prompt: pd.Series | None = field(default=None, repr=False)  # prompt -> mean over seeds
    ci_draws: int = 0  # bootstrap draws that held at least one of its scored prompts (the CI's basis)

    @property
    def complete(self) -> bool:
        return self.mean is not None and self.n >= self.applicable

    @property
    def partial(self) -> bool:
        return self.mean is not None and self.n < self.applicable

    @property
    def coverage(self) -> str:
        return f"{self.n}/{self.applicable}"

    def counts(self) -> dict[str, int]:
        return {
            "ok_prompts": self.n,
            "applicable_prompts": self.applicable,
            "error": self.n_error,
            "missing": self.n_missing,
            "not_applicable": self.n_not_applicable,
            "stale": self.n_stale,
            "other_method": self.n_other_method,
        }

    def status_label(self) -> str:
        """Coverage and non-ok counts in one short phrase, e.g. "6/8 partial, 2 missing"."""
        parts = [f"{self.coverage}" + (" partial" if self.partial else "")]
        for name, count in (
            ("error", self.n_error),
            ("missing", self.n_missing),
            ("n/a", self.n_not_applicable),
            ("stale", self.n_stale),
            ("other method", self.n_other_method),
        ):
            if count:
                parts.append(f"{count} {name}")
        return ", ".join(parts)

    @property
    def ci_note(self) -> str:
        """Why this dimension's CI should not be trusted ("" when it can be)."""
        return ci_note(self.n, self.ci_draws, self.mean is not None and self.ci_low is not None)

    @property
    def ci_trusted(self) -> bool:
        return not self.ci_note.startswith("CI untrusted")

    def subdimension_label(self) -> str:
        return ", ".join(f"{name} {mean:.3f} (n={n})" for name, (mean, n) in self.subdimensions.items())


def subdimension_means(ok: pd.DataFrame) -> dict[str, tuple[float, int]]:
    """Per-prompt means split by ``details.subdimension`` (ID consistency: human / animal / object)."""

    def sub(details: object) -> str | None:
        try:
            return json.loads(details).get("subdimension") if isinstance(details, str) else None
        except (ValueError, AttributeError):
            return None

    if "details" not in ok.columns:
        return {}
    labels = ok["details"].map(sub)
    if labels.isna().all():
        return {}
    per_prompt = ok.assign(sub=labels).dropna(subset=["sub"]).groupby(["sub", "prompt_id"])["value"].mean()
    return {name: (float(values.mean()), int(len(values))) for name, values in per_prompt.groupby(level=0)}


@dataclass
class WeightedScore:
    value: float | None
    ci_low: float | None
    ci_high: float | None
    dimensions_used: list[str]
    partial: bool
    weight_covered: float  # share of the weighting's mass whose dimensions have a value
    weight_complete: float = 0.0  # share whose dimensions are under full coverage
    ci_draws: int = 0  # joint draws in which every used dimension had a prompt (the CI's basis)
    dimensions_weighted: int = 0  # dimensions the weighting gives weight to
    fewest_prompts: int = 0  # scored prompts of its least-covered used dimension

    @property
    def ci_note(self) -> str:
        """Why the weighted score's CI should not be trusted ("" when it can be)."""
        return ci_note(self.fewest_prompts, self.ci_draws, self.value is not None and self.ci_low is not None)

    @property
    def ci_trusted(self) -> bool:
        return not self.ci_note.startswith("CI untrusted")

    @property
    def label(self) -> str:
        if self.value is None:
            return "n/a"
        text = f"{self.value:.3f}"
        if self.partial:
            text += (
                f" (partial: {len(self.dimensions_used)}/{self.dimensions_weighted} dims, "
                f"{self.weight_complete:.0%} of the weight fully covered; unranked)"
            )
        return text


@dataclass
class ModelSummary:
    run: str
    model: str
    dimensions: dict[str, DimensionSummary]
    weighted: WeightedScore
    failures: int = 0
    bootstrap_seed: int = 0
    prompts: list[str] = field(default_factory=list)
    label: str = ""  # how reports name it: the model, or "model (run)" where runs share a model name

    def __post_init__(self) -> None:
        self.label = self.label or self.model


def label_by_run(summaries: list[ModelSummary]) -> list[ModelSummary]:
    """Name each summary "model (run)" where its model name appears in more than one run, so three
    runs of "procedural" are three distinguishable rows and comparisons (``summarise`` calls it)."""
    counts = Counter(s.model for s in summaries)
    for s in summaries:
        s.label = f"{s.model} ({s.run})" if counts[s.model] > 1 and s.run != s.model else s.model
    return summaries


@dataclass
class PairedComparison:
    """A - B in weighted score on the prompts both scored, with a paired bootstrap 95% CI."""

    a: str
    b: str
    difference: float
    ci_low: float
    ci_high: float
    prompts: int
    dimensions: list[str]
    weight_share: float  # share of the weighting both models cover (and compare by the same method)
    left_out: list[str] = field(default_factory=list)  # weighted dims left out (absent, or methods differ)

    @property
    def verdict(self) -> str:
        """Who wins, only when the CI excludes 0 and the comparison rests on enough prompts and weight."""
        if self.prompts < MIN_VERDICT_PROMPTS or self.weight_share < MIN_VERDICT_WEIGHT - 1e-12:
            return (
                f"no verdict: {self.prompts} prompt(s), {self.weight_share:.0%} of the weight "
                f"(a verdict needs at least {MIN_VERDICT_PROMPTS} prompts and {MIN_VERDICT_WEIGHT:.0%})"
            )
        if self.ci_low > 0:
            return f"{self.a} beats {self.b}"
        if self.ci_high < 0:
            return f"{self.b} beats {self.a}"
        return "no clear difference"


def bootstrap_seed(*parts: object) -> int:
    """A seed derived from what is resampled (run, model, prompt ids): same run, same CIs."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def bootstrap_counts(n_prompts: int, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> np.ndarray:
    """[samples, n_prompts] multiplicities: each replicate draws n_prompts prompts with replacement,
    once, and every dimension (and the weighted score) is computed from that one draw."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n_prompts, size=(samples, n_prompts))
    flat = picks + (np.arange(samples) * n_prompts)[:, None]
    return np.bincount(flat.ravel(), minlength=samples * n_prompts).reshape(samples, n_prompts).astype(float)


def replicate_means(counts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per-replicate means of ``values`` (nan = prompt without a value); nan where a draw has none."""
    has = ~np.isnan(values)
    weights = counts[:, has]
    total = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, weights @ values[has] / np.where(total > 0, total, 1), np.nan)


def bootstrap_means(values: np.ndarray, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> np.ndarray:
    """Means of ``samples`` resamples (with replacement) of ``values`` (one dimension on its own)."""
    return replicate_means(bootstrap_counts(len(values), samples, seed), np.asarray(values, float))


def usable_draws(replicates: np.ndarray) -> int:
    """How many replicates have a value: a draw that picked none of a small dimension's prompts has
    none, and the CI is then taken over fewer draws than were made (reported, never silent)."""
    return int((~np.isnan(replicates)).sum())


def percentile_ci(replicates: np.ndarray) -> tuple[float, float]:
    valid = replicates[~np.isnan(replicates)]
    if not len(valid):
        return float("nan"), float("nan")
    low, high = np.percentile(valid, [2.5, 97.5])
    return float(low), float(high)


def _one_method(
    ok: pd.DataFrame, dimension: str, benchmark: Benchmark | None = None
) -> tuple[pd.DataFrame, set[str], int, str]:
    """Keep one method per alternatives group (the report's if present, else the commonest)."""
    if "method" not in ok.columns or not len(ok):
        return ok, set(), 0, ""
    keep = pd.Series(True, index=ok.index)
    notes = []
    groups: dict[str, Counter] = {}
    for method in ok["method"]:
        groups.setdefault(group_of(dimension, method), Counter())[method] += 1
    for members in groups.values():
        if len(members) < 2:
            continue
        preferred = [m for m in members if is_reference(dimension, {m}, benchmark)]
        chosen = preferred[0] if preferred else members.most_common(1)[0][0]
        dropped = [m for m in members if m != chosen]
        keep &= ~ok["method"].isin(dropped)
        left_out = sum(members[m] for m in dropped)
        notes.append(f"{left_out} row(s) by {', '.join(dropped)} left out (one method per cell: {chosen})")
    kept = ok[keep]
    return kept, {m for m in kept["method"] if m}, int((~keep).sum()), "; ".join(notes)


def summarise_dimension(
    rows: pd.DataFrame,
    dimension: str,
    prompts: list[str] | None = None,
    counts: np.ndarray | None = None,
    extra_applicable: frozenset[str] | set[str] = frozenset(),
    seed: int = 0,
    benchmark: Benchmark | None = None,
) -> DimensionSummary:
    """One (model, dimension) cell. ``rows``: that cell's rows (stale already marked); ``prompts`` and
    ``counts``: the model's prompt list and the joint bootstrap draw (made here when not given);
    ``benchmark``: whose reference methods the cell is held to (default: the default benchmark)."""
    status = rows["status"]
    ok_all = rows[status == "ok"]
    ok, methods, n_other, note = _one_method(ok_all, dimension, benchmark)
    per_prompt = ok.groupby("prompt_id")["value"].mean()
    n_error = int((status == "error").sum())
    missing = rows[status == "missing"]
    n_na = int((status == "not_applicable").sum())
    n_stale = int((status == "stale").sum())
    current = rows[status != "stale"]
    # a prompt is applicable unless every current row of it is not_applicable; stale-only prompts are
    # applicable too (they wait to be re-scored) and so are prompts that failed before scoring
    by_prompt = current.groupby("prompt_id")["status"].agg(lambda s: bool((s == "not_applicable").all()))
    applicable_set = set(by_prompt[~by_prompt].index) | set(rows.loc[status == "stale", "prompt_id"])
    applicable_set -= set(by_prompt[by_prompt].index)
    applicable_set |= set(extra_applicable) | set(per_prompt.index)
    versions = sorted(set(current["metric_version"].astype(str))) if "metric_version" in current.columns else []
    method = " + ".join(sorted(methods))
    summary = DimensionSummary(
        dimension,
        None,
        None,
        None,
        0,
        n_error,
        len(missing),
        None,
        applicable=len(applicable_set),
        n_not_applicable=n_na,
        n_stale=n_stale,
        n_other_method=n_other,
        method=method,
        reference_method=is_reference(dimension, methods, benchmark) if methods else True,
        method_note=note,
        metric_version=",".join(versions),
    )
    if len(per_prompt) == 0:
        common = Counter(missing.error.dropna()).most_common(1)  # rows written elsewhere may lack a reason
        reason = common[0][0] if common else ("missing (no reason recorded)" if len(missing) else None)
        if reason is None and n_error:
            reason = "every video failed on this dimension"
        elif reason is None and n_stale and not len(current):
            reason = f"only stale rows ({n_stale}, older metric version): re-run to re-score them"
        elif reason is None and n_na:
            reason = "not applicable to any video"
        elif reason is None:
            reason = "no prompt of the suite applies to this dimension"
        summary.missing_reason = reason
        return summary
    if prompts is None:
        prompts = sorted(per_prompt.index)
    if counts is None:
        counts = bootstrap_counts(len(prompts), seed=seed)
    values = per_prompt.reindex(prompts).to_numpy(float)
    replicates = replicate_means(counts, values)
    low, high = percentile_ci(replicates)
    summary.mean, summary.ci_low, summary.ci_high = float(per_prompt.mean()), low, high
    summary.n, summary.replicates, summary.per_prompt = len(per_prompt), replicates, per_prompt
    summary.ci_draws = usable_draws(replicates)
    summary.subdimensions = subdimension_means(ok)
    return summary


def weighted_score(dims: dict[str, DimensionSummary], weights: dict[str, float]) -> WeightedScore:
    """The weighting's dimensions (in its order, the benchmark's) that have a mean, renormalised."""
    weighted = [d for d in weights if weights[d] > 0]
    used = [d for d in weighted if dims.get(d) and dims[d].mean is not None]
    total_weight = sum(weights[d] for d in weighted)
    covered = sum(weights[d] for d in used)
    if not used or covered <= 0:
        return WeightedScore(None, None, None, [], True, 0.0, 0.0, dimensions_weighted=len(weighted))
    complete = sum(weights[d] for d in used if dims[d].complete)
    w = np.array([weights[d] for d in used]) / covered
    value = float(sum(wi * dims[d].mean for wi, d in zip(w, used)))
    low = high = None
    draws = 0
    if all(dims[d].replicates is not None for d in used):
        replicates = sum(wi * dims[d].replicates for wi, d in zip(w, used))
        low, high = percentile_ci(replicates)
        draws = usable_draws(replicates)
    partial = complete < total_weight - 1e-12
    fewest = min(dims[d].n for d in used)
    return WeightedScore(
        value,
        low,
        high,
        used,
        partial,
        covered / total_weight,
        complete / total_weight,
        draws,
        dimensions_weighted=len(weighted),
        fewest_prompts=fewest,
    )


def summarise(
    results: pd.DataFrame,
    failures: pd.DataFrame,
    weights: dict[str, float],
    extra_applicable: dict[tuple[str, str], dict[str, set[str]]] | None = None,
    keys: tuple[str, ...] | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    benchmark: Benchmark | None = None,
) -> list[ModelSummary]:
    """One summary per (run, model), one cell per dimension of ``keys`` (the benchmark's, in its order;
    default: the weighting's), one joint bootstrap per model. ``results``: stale already marked."""
    keys = tuple(keys or weights)
    extra_applicable = extra_applicable or {}
    summaries = []
    models = results[["run", "model"]].drop_duplicates().itertuples(index=False)
    for run, model in models:
        rows = results[(results.run == run) & (results.model == model)]
        prompts = sorted(set(rows.loc[rows.status == "ok", "prompt_id"]))
        seed = bootstrap_seed(run, model, *prompts)
        counts = bootstrap_counts(len(prompts), samples, seed) if prompts else None
        extra = extra_applicable.get((run, model), {})
        dims = {
            d: summarise_dimension(
                rows[rows.dimension == d], d, prompts, counts, extra.get(d, set()), benchmark=benchmark
            )
            for d in keys
        }
        n_fail = int(((failures.run == run) & (failures.model == model)).sum()) if len(failures) else 0
        summaries.append(ModelSummary(run, model, dims, weighted_score(dims, weights), n_fail, seed, prompts))
    return label_by_run(summaries)


def paired_comparison(
    a: ModelSummary, b: ModelSummary, weights: dict[str, float], samples: int = BOOTSTRAP_SAMPLES
) -> PairedComparison | None:
    """Weighted-score difference A - B over the prompts both models scored, per dimension on the
    prompts both have, with one joint paired bootstrap over those prompts. Dimensions either lacks,
    or that the two measured by different methods or metric versions, are left out and named."""
    per_prompt: dict[str, tuple[pd.Series, pd.Series]] = {}  # dimension -> (A's, B's) per-prompt means
    left_out = []
    for d in weights:
        if weights[d] <= 0:
            continue
        x, y = a.dimensions.get(d), b.dimensions.get(d)
        if x is None or y is None or x.per_prompt is None or y.per_prompt is None:
            left_out.append(d)
            continue
        if x.method != y.method or x.metric_version != y.metric_version:  # not the same measurement
            left_out.append(d)
            continue
        if not len(x.per_prompt.index.intersection(y.per_prompt.index)):
            left_out.append(d)
            continue
        per_prompt[d] = (x.per_prompt, y.per_prompt)
    dims = list(per_prompt)
    if not dims:
        return None
    prompts = sorted(set().union(*(xs.index.intersection(ys.index) for xs, ys in per_prompt.values())))
    counts = bootstrap_counts(len(prompts), samples, bootstrap_seed(a.run, a.model, b.run, b.model, *prompts))
    total = sum(weights[d] for d in dims)
    value, replicates = 0.0, np.zeros(samples)
    for d, (xs, ys) in per_prompt.items():
        diff = (xs - ys).reindex(prompts).to_numpy(float)
        w = weights[d] / total
        value += w * float(np.nanmean(diff))
        replicates = replicates + w * replicate_means(counts, diff)
    low, high = percentile_ci(replicates)
    share = total / sum(w for w in weights.values() if w > 0)
    return PairedComparison(a.label, b.label, value, low, high, len(prompts), dims, share, left_out)


def paired_comparisons(summaries: list[ModelSummary], weights: dict[str, float]) -> list[PairedComparison]:
    """Every pair of measured models, in the given order."""
    out = []
    for i, a in enumerate(summaries):
        for b in summaries[i + 1 :]:
            pair = paired_comparison(a, b, weights)
            if pair is not None:
                out.append(pair)
    return out
