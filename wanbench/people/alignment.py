"""How far the benchmark agrees with people, and weights fitted to people's votes.

Inputs are votes (wanbench.people.votes) and the per-video dimension scores of run directories. A vote
compares two models' videos of the same prompt and seed; its outcome is +1 (model_a preferred),
-1 (model_b) or 0 (tie). "Both bad" votes say nothing about which is better: they are counted and
kept for inter-annotator agreement, and left out of every preference figure.

- Human ratings: Bradley-Terry strengths (P(a beats b) = sigmoid(r_a - r_b), ties half a win each),
  with bootstrap CIs over votes.
- Agreement of a score with people: pairwise accuracy (share of decisive votes whose winner has the
  higher score; an exact score tie counts one half) and Kendall tau-b between score differences and
  outcomes, each with a bootstrap CI.
- Fitting: ``bradley-terry`` (the default: non-negative logistic regression of the outcome on score
  differences) and ``pearson`` (the Wan report's method: each dimension's Pearson correlation between
  its score difference and the outcome, negatives clipped to 0, normalised to sum 1). Pearson looks at
  one dimension at a time, so when dimensions are correlated every dimension that moves with a weighted
  one gets weight too (docs/alignment.md has the measured loss). Held-out accuracy comes from K-fold
  cross-validation grouped by prompt, so no prompt is both fitted and judged.

Every bootstrap here (ratings, agreement, held-out accuracy, win rates) uses BOOTSTRAP_SAMPLES
percentile resamples drawn from seed SEED, so `wanbench align` and the report print the same digits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.people.votes import OVERALL, Vote, VoteError
from wanbench.safe_write import replacing, write_text

BOOTSTRAP_SAMPLES = 500  # the one bootstrap setting of every human-alignment figure (align and report)
SEED = 0
FOLDS = 5
METHODS = ("bradley-terry", "pearson")
DEFAULT_METHOD = "bradley-terry"
EXPORT_DECIMALS = 4  # alignment.csv/.json: accuracies, tau-b, ratings to 1e-4, far below their CIs' width
DIMS = list(DIMENSION_KEYS)


# -- data ------------------------------------------------------------------------------------------
def load_video_scores(run_dirs: Sequence[Path]) -> pd.DataFrame:
    """Rows (model, prompt_id, seed), one column per dimension: the mean of its ok rows of the current
    metric version (the read model's stale rule), NaN when none.

    Models are identified by their label; one label in two run directories is refused (ambiguous)."""
    from wanbench.evaluation.read import load_evaluation

    results = load_evaluation([Path(r) for r in run_dirs], weighting="equal").results
    owners = results.groupby("model")["run"].unique()
    clashes = {m: list(r) for m, r in owners.items() if len(r) > 1}
    if clashes:
        model, runs = next(iter(clashes.items()))
        raise VoteError(f"model {model!r} appears in runs {', '.join(runs)}: votes could not tell them apart")
    ok = results[results.status == "ok"]
    table = ok.pivot_table(index=["model", "prompt_id", "seed"], columns="dimension", values="value", aggfunc="mean")
    return table.reindex(columns=DIMS).astype(float)


@dataclass
class VoteData:
    """Votes of one question joined to the two videos' scores."""

    frame: pd.DataFrame  # prompt_id, seed, model_a, model_b, annotator, winner (decisive and ties only)
    scores_a: np.ndarray  # (n, 14), NaN where a dimension has no score
    scores_b: np.ndarray
    outcome: np.ndarray  # +1 a preferred, -1 b preferred, 0 tie
    both_bad: int = 0
    unmatched: int = 0  # votes whose videos have no scores in the given runs

    def __len__(self) -> int:
        return len(self.outcome)

    @property
    def diffs(self) -> np.ndarray:
        return self.scores_a - self.scores_b

    def subset(self, index: np.ndarray) -> VoteData:
        return VoteData(
            self.frame.iloc[index].reset_index(drop=True),
            self.scores_a[index],
            self.scores_b[index],
            self.outcome[index],
            0,
            0,
        )


def vote_data(votes: Sequence[Vote], scores: pd.DataFrame | None, question: str = OVERALL) -> VoteData:
    chosen = [v for v in votes if v.question == question]
    both_bad = sum(v.winner == "both_bad" for v in chosen)
    chosen = [v for v in chosen if v.winner != "both_bad"]
    rows, sa, sb, unmatched = [], [], [], 0
    empty = np.full(len(DIMS), np.nan)
    lookup = {} if scores is None else dict(zip(scores.index, scores.to_numpy(float)))
    for v in chosen:
        if scores is not None:
            a, b = lookup.get((v.model_a, v.prompt_id, v.seed)), lookup.get((v.model_b, v.prompt_id, v.seed))
            if a is None or b is None:
                unmatched += 1
                continue
        else:
            a = b = empty
        rows.append((v.prompt_id, v.seed, v.model_a, v.model_b, v.annotator, v.winner))
        sa.append(a)
        sb.append(b)
    frame = pd.DataFrame(rows, columns=["prompt_id", "seed", "model_a", "model_b", "annotator", "winner"])
    outcome = frame["winner"].map({"a": 1, "b": -1, "tie": 0}).to_numpy(int) if rows else np.zeros(0, int)
    shape = (len(rows), len(DIMS))
    return VoteData(frame, np.array(sa).reshape(shape), np.array(sb).reshape(shape), outcome, both_bad, unmatched)


def weighted_video_scores(scores: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """Per video: weights renormalised over the dimensions it has (as aggregate does per model)."""
    w = np.array([weights.get(d, 0.0) for d in DIMS])
    present = ~np.isnan(scores) & (w > 0)
    mass = (present * w).sum(axis=1)
    total = np.where(present, scores, 0.0) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mass > 0, total / mass, np.nan)


# -- agreement -------------------------------------------------------------------------------------
def pairwise_accuracy(diff: np.ndarray, outcome: np.ndarray) -> tuple[float | None, int]:
    """Share of decisive votes the score difference gets right (a zero difference counts 1/2)."""
    keep = (outcome != 0) & ~np.isnan(diff)
    if not keep.any():
        return None, 0
    agree = np.sign(diff[keep]) * outcome[keep]
    return float(np.mean((agree > 0) + 0.5 * (agree == 0))), int(keep.sum())


class TauB:
    """Kendall tau-b of score differences against outcomes, for the data and for bootstrap resamples.

    The outcome takes a few values, so concordant minus discordant pairs are counted level against
    level on the sorted distinct differences. A resample is a vector of multiplicities over the votes,
    so no resample is sorted again. Same value as scipy.stats.kendalltau's tau-b (tested)."""

    def __init__(self, diff: np.ndarray, outcome: np.ndarray) -> None:
        keep = ~np.isnan(diff)
        self.n = int(keep.sum())
        self.x_values, self.x_index = np.unique(diff[keep], return_inverse=True)
        self.levels, self.y_index = np.unique(outcome[keep], return_inverse=True)

    def __call__(self, counts: np.ndarray | None = None) -> float | None:
        counts = np.ones(self.n) if counts is None else np.asarray(counts, float)
        if self.n < 2 or len(self.levels) < 2 or len(self.x_values) < 2:
            return None
        size = len(self.x_values)
        per_level = [
            np.bincount(self.x_index[self.y_index == k], counts[self.y_index == k], size)
            for k in range(len(self.levels))
        ]
        s = 0.0
        for low in range(len(per_level)):
            below_or_at = np.cumsum(per_level[low])
            strictly_below = below_or_at - per_level[low]
            strictly_above = below_or_at[-1] - below_or_at
            for high in range(low + 1, len(per_level)):
                s += float(per_level[high] @ (strictly_below - strictly_above))
        total = counts.sum()
        pairs = total * (total - 1) / 2
        x_counts = np.sum(per_level, axis=0)
        y_counts = np.array([c.sum() for c in per_level])
        x_ties = float((x_counts * (x_counts - 1)).sum() / 2)
        y_ties = float((y_counts * (y_counts - 1)).sum() / 2)
        denominator = (pairs - x_ties) * (pairs - y_ties)
        return None if denominator <= 0 else float(s / np.sqrt(denominator))


def tau_b(diff: np.ndarray, outcome: np.ndarray) -> float | None:
    """Kendall tau-b (None when either side is constant)."""
    return TauB(diff, outcome)()


def bootstrap_ci(
    values: Callable[[np.ndarray], float | None], n: int, samples: int = BOOTSTRAP_SAMPLES, seed: int = SEED
) -> tuple[float | None, float | None]:
    """Percentile 95% CI of ``values(index)`` over resamples of n votes with replacement."""
    if n == 0:
        return None, None
    rng = np.random.default_rng(seed)
    draws = [values(rng.integers(0, n, n)) for _ in range(samples)]
    defined = np.array([d for d in draws if d is not None], float)
    if len(defined) < samples // 2:
        return None, None
    low, high = np.percentile(defined, [2.5, 97.5])
    return float(low), float(high)


@dataclass
class Agreement:
    name: str  # a dimension key, or "weighting:<name>"
    accuracy: float | None
    accuracy_ci: tuple[float | None, float | None]
    tau: float | None
    tau_ci: tuple[float | None, float | None]
    n: int  # votes with a score difference
    note: str = ""

    def row(self) -> dict[str, object]:
        return {
            "name": self.name,
            "accuracy": self.accuracy,
            "accuracy_low": self.accuracy_ci[0],
            "accuracy_high": self.accuracy_ci[1],
            "tau_b": self.tau,
            "tau_low": self.tau_ci[0],
            "tau_high": self.tau_ci[1],
            "votes": self.n,
            "note": self.note,
        }


def agreement(
    name: str, diff: np.ndarray, outcome: np.ndarray, samples: int = BOOTSTRAP_SAMPLES, note: str = ""
) -> Agreement:
    keep = ~np.isnan(diff)
    d, y = diff[keep], outcome[keep]
    accuracy, _ = pairwise_accuracy(d, y)
    tau = TauB(d, y)
    return Agreement(
        name,
        accuracy,
        bootstrap_ci(lambda i: pairwise_accuracy(d[i], y[i])[0], len(d), samples),
        tau(),
        bootstrap_ci(lambda i: tau(np.bincount(i, minlength=len(d))), len(d), samples),
        len(d),
        note,
    )


# -- human ratings ---------------------------------------------------------------------------------
def pair_arrays(frame: pd.DataFrame, models: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model indices of each vote's a and b, and the share of a win a gets (1, 0, or 1/2 for a tie)."""
    index = {m: i for i, m in enumerate(models)}
    return (
        frame["model_a"].map(index).to_numpy(int),
        frame["model_b"].map(index).to_numpy(int),
        frame["winner"].map({"a": 1.0, "b": 0.0, "tie": 0.5}).to_numpy(float),
    )


def bradley_terry_ratings(a: np.ndarray, b: np.ndarray, p: np.ndarray, models: int, ridge: float = 1e-3) -> np.ndarray:
    """Strengths r (mean 0) maximising sum log sigmoid(r_winner - r_loser); a tie is half a win each.

    Votes are summed into a model-by-model table first, then Newton steps on the (concave) penalised
    log-likelihood; the small ridge keeps a model that never lost (or never won) finite."""
    wins = np.zeros((models, models))
    np.add.at(wins, (a, b), p)
    np.add.at(wins, (b, a), 1 - p)
    games = wins + wins.T
    r = np.zeros(models)
    for _ in range(100):
        prob = 1 / (1 + np.exp(-(r[:, None] - r[None, :])))
        grad = (wins - games * prob).sum(axis=1) - 2 * ridge * r
        curvature = games * prob * (1 - prob)
        hessian = curvature - np.diag(curvature.sum(axis=1)) - 2 * ridge * np.eye(models)
        step = np.linalg.lstsq(hessian, -grad, rcond=None)[0]  # least squares: ratings shift freely without ridge
        r = r + step
        if np.abs(step).max() < 1e-10:
            break
    return r - r.mean()


@dataclass
class HumanRating:
    model: str
    rating: float
    ci: tuple[float, float]
    votes: int
    win_rate: float  # wins + ties/2 over votes


def human_ratings(data: VoteData, samples: int = BOOTSTRAP_SAMPLES, seed: int = SEED) -> list[HumanRating]:
    frame = data.frame
    models = sorted(set(frame.model_a) | set(frame.model_b))
    if not models:
        return []
    a, b, p = pair_arrays(frame, models)
    point = bradley_terry_ratings(a, b, p, len(models))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(samples):
        resample = rng.integers(0, len(p), len(p))
        draws.append(bradley_terry_ratings(a[resample], b[resample], p[resample], len(models)))
    low, high = np.percentile(np.array(draws), [2.5, 97.5], axis=0)
    out = []
    for i, m in enumerate(models):
        as_a, as_b = frame[frame.model_a == m], frame[frame.model_b == m]
        points = (
            (as_a.winner == "a").sum()
            + (as_b.winner == "b").sum()
            + 0.5 * ((as_a.winner == "tie").sum() + (as_b.winner == "tie").sum())
        )
        n = len(as_a) + len(as_b)
        out.append(HumanRating(m, float(point[i]), (float(low[i]), float(high[i])), n, float(points / n)))
    return sorted(out, key=lambda h: -h.rating)


# -- inter-annotator agreement ---------------------------------------------------------------------
@dataclass
class AnnotatorAgreement:
    question: str
    items: int  # (prompt, seed, pair) judged by two or more annotators
    judgements: int
    percent_agreement: float | None  # over all pairs of annotators on the same item
    fleiss_kappa: float | None  # chance-corrected, categories a / b / tie / both_bad


def annotator_agreement(votes: Sequence[Vote], question: str = OVERALL) -> AnnotatorAgreement:
    items: dict[tuple, list[str]] = {}
    for v in votes:
        if v.question == question:
            items.setdefault((v.prompt_id, v.seed, v.model_a, v.model_b), []).append(v.winner)
    shared = [w for w in items.values() if len(w) >= 2]
    if not shared:
        return AnnotatorAgreement(question, 0, 0, None, None)
    categories = ["a", "b", "tie", "both_bad"]
    counts = np.array([[w.count(c) for c in categories] for w in shared], float)
    n_i = counts.sum(axis=1)
    p_i = ((counts**2).sum(axis=1) - n_i) / (n_i * (n_i - 1))
    pairs = n_i * (n_i - 1) / 2
    percent = float((p_i * pairs).sum() / pairs.sum())
    p_bar = float(p_i.mean())
    p_j = counts.sum(axis=0) / counts.sum()
    p_e = float((p_j**2).sum())
    kappa = None if p_e >= 1 else (p_bar - p_e) / (1 - p_e)
    return AnnotatorAgreement(question, len(shared), int(n_i.sum()), percent, kappa)


# -- fitting ---------------------------------------------------------------------------------------
def fit_pearson(data: VoteData) -> np.ndarray:
    """Per dimension: Pearson r of (score_a - score_b) with the outcome, clipped at 0, summing to 1.

    The report's method. Each r is marginal: a dimension correlated with a weighted one correlates with
    the outcome too, so correlated dimensions share weight they do not carry (tested; use bradley-terry)."""
    diffs, y = data.diffs, data.outcome.astype(float)
    r = np.zeros(len(DIMS))
    for j in range(len(DIMS)):
        keep = ~np.isnan(diffs[:, j])
        x, t = diffs[keep, j], y[keep]
        if len(x) >= 2 and x.std() > 0 and t.std() > 0:
            r[j] = np.corrcoef(x, t)[0, 1]
    r = np.clip(r, 0.0, None)
    if r.sum() <= 0:
        raise VoteError("no dimension's score difference correlates positively with the votes: nothing to fit")
    return r / r.sum()


def fit_bradley_terry(data: VoteData, ridge: float = 1e-3) -> np.ndarray:
    """Non-negative c maximising sum log P(outcome), P(a preferred) = sigmoid(c . (s_a - s_b)); w = c / sum c.

    A missing dimension contributes no difference; a tie counts half a win each way."""
    x = np.nan_to_num(data.diffs, nan=0.0)
    p = (data.outcome + 1) / 2.0

    def loss(c: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ c
        nll = np.sum(np.logaddexp(0, z) - p * z) + ridge * np.sum(c**2)
        return float(nll), x.T @ (1 / (1 + np.exp(-z)) - p) + 2 * ridge * c

    c = minimize(loss, np.full(len(DIMS), 1.0), jac=True, method="L-BFGS-B", bounds=[(0, None)] * len(DIMS)).x
    if c.sum() <= 0:
        raise VoteError("the Bradley-Terry fit put zero weight on every dimension: the votes follow no score")
    return c / c.sum()


FITTERS: dict[str, Callable[[VoteData], np.ndarray]] = {"pearson": fit_pearson, "bradley-terry": fit_bradley_terry}


def fold_of_votes(frame: pd.DataFrame, folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """Fold index per vote, grouped by prompt (all votes of one prompt share a fold)."""
    prompts = sorted(frame["prompt_id"].unique())
    groups = prompts if len(prompts) >= folds else None
    rng = np.random.default_rng(seed)
    if groups is None:  # too few prompts: folds of votes
        return rng.permutation(len(frame)) % folds
    order = rng.permutation(len(groups))
    fold_of_prompt = {groups[i]: k % folds for k, i in enumerate(order)}
    return frame["prompt_id"].map(fold_of_prompt).to_numpy(int)


def held_out_diffs(data: VoteData, method: str, folds: int = FOLDS) -> tuple[np.ndarray, list[np.ndarray]]:
    """Weighted-score differences of each vote under weights fitted without its fold, and the fold weights."""
    fold = fold_of_votes(data.frame, folds)
    diff = np.full(len(data), np.nan)
    fitted = []
    for k in range(folds):
        test = np.flatnonzero(fold == k)
        train = np.flatnonzero(fold != k)
        if len(test) == 0 or len(train) == 0:
            continue
        w = FITTERS[method](data.subset(train))
        fitted.append(w)
        weights = dict(zip(DIMS, w))
        part = data.subset(test)
        diff[test] = weighted_video_scores(part.scores_a, weights) - weighted_video_scores(part.scores_b, weights)
    return diff, fitted


def weighting_diff(data: VoteData, weights: dict[str, float]) -> np.ndarray:
    return weighted_video_scores(data.scores_a, weights) - weighted_video_scores(data.scores_b, weights)


@dataclass
class FitResult:
    method: str
    weights: dict[str, float]
    votes: int
    folds: int
    held_out: dict[str, dict[str, float | None]]  # weighting -> {accuracy, low, high, votes}
    fold_weights: list[dict[str, float]] = field(default_factory=list)
    votes_sha256: str = ""

    def to_json(self) -> dict[str, object]:
        """The weighting file: ``weights`` is what ``--weighting`` reads, the rest says where it came from."""
        return {
            "weights": self.weights,
            "method": self.method,
            "votes": self.votes,
            "folds": self.folds,
            "held_out_accuracy": self.held_out,
            "votes_sha256": self.votes_sha256,
            "note": "fitted by wanbench weighting fit; held-out accuracy is K-fold cross-validated by prompt",
        }


def votes_fingerprint(data: VoteData) -> str:
    text = data.frame.sort_values(list(data.frame.columns)).to_csv(index=False)
    return hashlib.sha256(text.encode()).hexdigest()


def fit_weighting(
    data: VoteData,
    method: str,
    reference: dict[str, dict[str, float]] | None = None,
    folds: int = FOLDS,
    samples: int = BOOTSTRAP_SAMPLES,
) -> FitResult:
    """Fit on all votes; report held-out accuracy of the method beside fixed reference weightings."""
    if method not in FITTERS:
        raise VoteError(f"unknown method {method!r}: use {' or '.join(METHODS)}")
    if (data.outcome != 0).sum() < 2 * folds:
        raise VoteError(f"{(data.outcome != 0).sum()} decisive votes with scores: need at least {2 * folds} to fit")
    weights = FITTERS[method](data)
    diff, fold_weights = held_out_diffs(data, method, folds)
    held_out = {f"fitted ({method})": _accuracy_entry(diff, data.outcome, samples)}
    for name, ref in (reference or {}).items():
        held_out[name] = _accuracy_entry(weighting_diff(data, ref), data.outcome, samples)
    return FitResult(
        method,
        dict(zip(DIMS, (float(w) for w in weights))),
        len(data),
        folds,
        held_out,
        [dict(zip(DIMS, (float(x) for x in w))) for w in fold_weights],
        votes_fingerprint(data),
    )


def _accuracy_entry(diff: np.ndarray, outcome: np.ndarray, samples: int) -> dict[str, float | None]:
    keep = ~np.isnan(diff)
    accuracy, n = pairwise_accuracy(diff, outcome)
    low, high = bootstrap_ci(lambda i: pairwise_accuracy(diff[keep][i], outcome[keep][i])[0], int(keep.sum()), samples)
    return {"accuracy": accuracy, "low": low, "high": high, "votes": n}


def write_weighting(result: FitResult, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(result.to_json(), indent=2) + "\n")
    return path


# -- the whole alignment report --------------------------------------------------------------------
@dataclass
class AlignmentReport:
    ratings: list[HumanRating]
    benchmark: dict[str, dict[str, float]]  # weighting -> model -> mean per-video weighted score
    dimensions: list[Agreement]
    weightings: list[Agreement]
    questions: list[Agreement]  # per-dimension questions against that dimension's score
    annotators: list[AnnotatorAgreement]
    votes: int
    both_bad: int
    unmatched: int
    fitted: dict[str, float] | None = None
    fitted_method: str | None = None


def model_benchmark_scores(scores: pd.DataFrame, weights: dict[str, float]) -> dict[str, float]:
    per_video = weighted_video_scores(scores.to_numpy(float), weights)
    series = pd.Series(per_video, index=scores.index.get_level_values("model"))
    return {m: float(v) for m, v in series.groupby(level=0).mean().items() if not np.isnan(v)}


def align(
    votes: Sequence[Vote],
    scores: pd.DataFrame,
    weightings: dict[str, dict[str, float]],
    fit_method: str | None = DEFAULT_METHOD,
    samples: int = BOOTSTRAP_SAMPLES,
) -> AlignmentReport:
    """Every alignment figure for the overall votes (and any per-dimension questions)."""
    data = vote_data(votes, scores)
    if len(data) == 0:
        raise VoteError(
            f"no vote matches a scored video of these runs ({data.unmatched} unmatched, {data.both_bad} both-bad)"
        )
    diffs = data.diffs
    dims = [agreement(d, diffs[:, j], data.outcome, samples) for j, d in enumerate(DIMS)]
    rows = [
        agreement(f"weighting:{name}", weighting_diff(data, w), data.outcome, samples) for name, w in weightings.items()
    ]
    benchmark = {name: model_benchmark_scores(scores, w) for name, w in weightings.items()}
    fitted = None
    decisive = int((data.outcome != 0).sum())
    if fit_method and decisive < 2 * FOLDS:
        rows.append(
            Agreement(
                f"fitted:{fit_method}",
                None,
                (None, None),
                None,
                (None, None),
                0,
                f"not fitted: {decisive} decisive votes, {2 * FOLDS} needed",
            )
        )
    elif fit_method:
        try:
            held, _ = held_out_diffs(data, fit_method)
            rows.append(
                agreement(
                    f"fitted:{fit_method}", held, data.outcome, samples, note=f"{FOLDS}-fold cross-validated by prompt"
                )
            )
            fitted = dict(zip(DIMS, (float(x) for x in FITTERS[fit_method](data))))
            benchmark[f"fitted:{fit_method}"] = model_benchmark_scores(scores, fitted)
        except VoteError as exc:
            rows.append(Agreement(f"fitted:{fit_method}", None, (None, None), None, (None, None), 0, str(exc)))
    questions = []
    for q in sorted({v.question for v in votes} - {OVERALL}):
        if q in DIMS:
            qd = vote_data(votes, scores, q)
            questions.append(
                agreement(
                    q,
                    qd.diffs[:, DIMS.index(q)],
                    qd.outcome,
                    samples,
                    note="votes on this question vs this dimension's score",
                )
            )
    annotators = [annotator_agreement(votes, q) for q in sorted({v.question for v in votes})]
    return AlignmentReport(
        human_ratings(data, samples),
        benchmark,
        dims,
        rows,
        questions,
        annotators,
        len(data),
        data.both_bad,
        data.unmatched,
        fitted,
        fit_method if fitted else None,
    )


def _f(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _ci(ci: tuple[float | None, float | None]) -> str:
    return "" if ci[0] is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def alignment_markdown(report: AlignmentReport) -> str:
    lines = [
        "# Human alignment\n",
        f"\n{report.votes} votes with scores ({report.both_bad} both-bad votes left out of preferences, "
        f"{report.unmatched} votes on videos these runs did not score). 95% CIs: percentile bootstrap, "
        f"{BOOTSTRAP_SAMPLES} resamples, seed {SEED}.\n",
        "\n## Human ratings (Bradley-Terry, 95% bootstrap CI)\n\n",
        "| model | rating | 95% CI | votes | win rate | "
        + " | ".join(f"benchmark ({n})" for n in report.benchmark)
        + " |\n",
        "|---|---|---|---|---|" + "---|" * len(report.benchmark) + "\n",
    ]
    for h in report.ratings:
        bench = " | ".join(_f(b.get(h.model)) for b in report.benchmark.values())
        lines.append(f"| {h.model} | {h.rating:+.3f} | {_ci(h.ci)} | {h.votes} | {h.win_rate:.3f} | {bench} |\n")
    for title, rows in (
        ("Per dimension", report.dimensions),
        ("Per weighting", report.weightings),
        ("Per-dimension questions", report.questions),
    ):
        if not rows:
            continue
        lines.append(
            f"\n## {title}: agreement with votes\n\n| name | pairwise accuracy | 95% CI | Kendall tau-b "
            "| 95% CI | votes | note |\n|---|---|---|---|---|---|---|\n"
        )
        for a in rows:
            lines.append(
                f"| {a.name} | {_f(a.accuracy)} | {_ci(a.accuracy_ci)} | {_f(a.tau)} | {_ci(a.tau_ci)} "
                f"| {a.n} | {a.note} |\n"
            )
    lines.append(
        "\n## Inter-annotator agreement\n\n| question | items | judgements | percent agreement "
        "| Fleiss' kappa |\n|---|---|---|---|---|\n"
    )
    for g in report.annotators:
        lines.append(
            f"| {g.question or 'overall'} | {g.items} | {g.judgements} | {_f(g.percent_agreement)} "
            f"| {_f(g.fleiss_kappa)} |\n"
        )
    if report.fitted:
        lines.append(f"\n## Fitted weights ({report.fitted_method}, all votes)\n\n| dimension | weight |\n|---|---|\n")
        lines.extend(f"| {d} | {w:.4f} |\n" for d, w in report.fitted.items())
    return "".join(lines)


def rounded(value: object, decimals: int = EXPORT_DECIMALS) -> object:
    """Floats in nested lists and dicts rounded for the exported files (not for any computation)."""
    if isinstance(value, float):
        return round(value, decimals)
    if isinstance(value, dict):
        return {k: rounded(v, decimals) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v, decimals) for v in value]
    return value


def alignment_json(report: AlignmentReport) -> dict[str, object]:
    return {
        "votes": report.votes,
        "both_bad": report.both_bad,
        "unmatched": report.unmatched,
        "ratings": [
            {
                "model": h.model,
                "rating": h.rating,
                "low": h.ci[0],
                "high": h.ci[1],
                "votes": h.votes,
                "win_rate": h.win_rate,
            }
            for h in report.ratings
        ],
        "benchmark": report.benchmark,
        "dimensions": [a.row() for a in report.dimensions],
        "weightings": [a.row() for a in report.weightings],
        "questions": [a.row() for a in report.questions],
        "annotator_agreement": [vars(g) for g in report.annotators],
        "fitted": {"method": report.fitted_method, "weights": report.fitted} if report.fitted else None,
    }


def write_alignment(report: AlignmentReport, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "alignment.md"
    write_text(md, alignment_markdown(report))
    js = out_dir / "alignment.json"
    write_text(js, json.dumps(rounded(alignment_json(report)), indent=2) + "\n")
    csv_path = out_dir / "alignment.csv"
    rows = [{"kind": "dimension", **a.row()} for a in report.dimensions]
    rows += [{"kind": "weighting", **a.row()} for a in report.weightings]
    rows += [{"kind": "question", **a.row()} for a in report.questions]
    rows += [
        {
            "kind": "rating",
            "name": h.model,
            "accuracy": None,
            "rating": h.rating,
            "rating_low": h.ci[0],
            "rating_high": h.ci[1],
            "votes": h.votes,
            "win_rate": h.win_rate,
        }
        for h in report.ratings
    ]
    with replacing(csv_path, "w", encoding="utf-8", newline="") as handle:
        pd.DataFrame(rows).round(EXPORT_DECIMALS).to_csv(handle, index=False)
    return [md, csv_path, js]
