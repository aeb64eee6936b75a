"""One read model: an Evaluation, loaded once and read-only from run directories.

Every reader (report, terminal tables, the Python API, plot, leaderboard, alignment) calls
``load_evaluation`` and reads the same object, so they cannot disagree about which rows count. The
stale rule lives here and only here (``current_versions`` and ``mark_stale``):

- A (run, model)'s current metric version of a dimension is the one the benchmark's method composes
  now (``wanbench.benchmark.versions``: the declared formula version, the judge template's version,
  the flow settings' hash) under the backbone options of that model's latest invocation.
- A row is stale when its version is not that current one: the definition, a template or a flow
  default moved on since it was scored (a resume re-scores it).
- Rows of dimensions the benchmark does not declare are not read into its summaries.

Each store is opened once, with SQLite's ``mode=ro``: reading a run never writes to it. Nothing here
imports torch, OpenCV, a backbone or a dimension class.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, Benchmark, load_benchmark
from wanbench.benchmark.methods import row_method
from wanbench.benchmark.versions import benchmark_versions
from wanbench.benchmark.weightings import load_reference, load_weighting
from wanbench.evaluation.aggregate import (
    BOOTSTRAP_SAMPLES,
    FAILURE_COLUMNS,
    RESULT_COLUMNS,
    ModelSummary,
    PairedComparison,
    paired_comparisons,
    summarise,
)
from wanbench.run.store import RESULTS_FILE, ResultStore

Versions = dict[tuple[str, str], dict[str, str]]  # (run, model) -> dimension -> current metric version


@dataclass
class StoreContents:
    """Everything a reader needs from one run directory's store, read in one pass."""

    run_dir: Path
    results: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    invocations: list[dict[str, Any]]
    prompts: list[dict[str, Any]]
    videos: list[dict[str, Any]]


def read_store(run_dir: Path) -> StoreContents:
    """Read a run directory's store once, read-only; a folder holding only unmerged shards is named as such."""
    db = Path(run_dir) / RESULTS_FILE
    if not db.is_file():
        from wanbench.run.shards import shard_paths

        if shard_paths(run_dir):
            raise FileNotFoundError(f"no {RESULTS_FILE} in {run_dir} yet, only shards: wanbench merge {run_dir}")
        raise FileNotFoundError(f"no {RESULTS_FILE} in {run_dir}: is it a wanbench run directory?")
    with ResultStore(db, readonly=True) as store:
        return StoreContents(
            Path(run_dir), store.results(), store.failures(), store.invocations(), store.prompts(), store.videos()
        )


def current_versions(invocations: list[dict[str, Any]], results: pd.DataFrame, benchmark: Benchmark) -> Versions:
    """(run, model) -> dimension -> the metric version its rows must carry to count: the one the
    benchmark's method composes today under that model's latest invocation's backbone options (the
    judge template and flow settings included), whatever version the rows were scored with."""
    options: dict[tuple[str, str], dict] = {}
    for item in sorted(invocations, key=lambda i: (i["started"], i.get("id", 0))):
        options[(item["run"], item["model"])] = item["config"].get("backbone_options") or {}
    models = set(options)
    if len(results):
        models |= set(results[["run", "model"]].drop_duplicates().itertuples(index=False, name=None))
    cache: dict[str, dict[str, str]] = {}
    out: Versions = {}
    for key in models:
        mine = options.get(key, {})  # rows without an invocation: the default options
        text = json.dumps(mine, sort_keys=True, default=str)
        if text not in cache:
            cache[text] = benchmark_versions(benchmark, mine)
        out[key] = cache[text]
    return out


def mark_stale(results: pd.DataFrame, versions: Versions, benchmark: Benchmark) -> pd.DataFrame:
    """A copy whose rows of a non-current metric version have status ``stale`` (the stored status kept
    in ``stored_status``) and whose rows carry their ``method``."""
    out = results.copy()
    out["stored_status"] = out["status"]
    if len(out):
        current = [versions.get((r, m), {}).get(d) for r, m, d in zip(out["run"], out["model"], out["dimension"])]
        stale = [
            d in benchmark.keys and str(v) != c for d, v, c in zip(out["dimension"], out["metric_version"], current)
        ]
        out.loc[pd.Series(stale, index=out.index), "status"] = "stale"
        out["method"] = [
            row_method(d, b, x, benchmark) for d, b, x in zip(out["dimension"], out["backend"], out["details"])
        ]
    else:
        out["method"] = pd.Series(dtype=str)
    return out


def failed_applicability(
    failures: pd.DataFrame, invocations: list[dict[str, Any]], benchmark: Benchmark
) -> dict[tuple[str, str], dict[str, set[str]]]:
    """(run, model) -> dimension -> prompts that failed before scoring (generation, decoding) but that
    the dimension applies to (by its declaration): applicable and unscored. Read from the run's suite;
    a suite that can no longer be found leaves those prompts out (their failures are still listed)."""
    from wanbench.prompts.suite import load_suite

    out: dict[tuple[str, str], dict[str, set[str]]] = {}
    if not len(failures):
        return out
    for (run, model), failed in failures[failures.stage != "suite"].groupby(["run", "model"]):
        mine = [i for i in invocations if i["run"] == run and i["model"] == model]
        if not mine:
            continue
        config = mine[-1]["config"]
        try:
            suite = load_suite(config.get("suite_path") or config.get("suite", "smoke"))
        except Exception:  # the suite moved or changed: nothing more can be said
            continue
        by_id = {p.id: p for p in suite.prompts}
        specs = [benchmark.dimension(n) for n in (config.get("dimensions") or benchmark.keys) if n in benchmark.keys]
        for prompt_id in set(failed.prompt_id):
            prompt = by_id.get(prompt_id)
            for spec in specs:
                if prompt is not None and spec.applies(prompt.dimensions):
                    out.setdefault((run, model), {}).setdefault(spec.key, set()).add(prompt_id)
    return out


@dataclass
class Evaluation:
    """Runs as one benchmark reads them under one weighting: the rows (stale marked), the per-model
    summaries with CIs, the paired comparisons, and what the stores recorded beside the rows."""

    benchmark: Benchmark
    run_dirs: list[Path]
    weighting: str
    weights: dict[str, float]
    results: pd.DataFrame = field(repr=False)
    failures: pd.DataFrame = field(repr=False)
    versions: Versions
    summaries: list[ModelSummary]
    invocations: list[dict[str, Any]] = field(repr=False)
    prompt_texts: dict[tuple[str, str], str] = field(repr=False)
    videos: dict[tuple[str, str, str, int], tuple[Path, str]] = field(repr=False)  # key -> (run dir, stored path)
    reference_name: str | None = None
    reference: pd.DataFrame | None = field(default=None, repr=False)
    samples: int = BOOTSTRAP_SAMPLES

    @property
    def weighting_label(self) -> str:
        """The weighting's name as reports print it (a file by its file name)."""
        return self.weighting if self.weighting in self.benchmark.weightings else Path(self.weighting).name

    @cached_property
    def pairs(self) -> list[PairedComparison]:
        return paired_comparisons(self.summaries, self.weights)

    def leaderboard(self) -> pd.DataFrame:
        """Ranked rows (full coverage), then partial ones (rank NA), then the reference rows if any."""
        from wanbench.report.tables import leaderboard_frame

        return leaderboard_frame(self.summaries, self.reference, self.benchmark)

    def video_path(self, run: str, model: str, prompt_id: str, seed: int) -> Path | None:
        found = self.videos.get((run, model, prompt_id, int(seed)))
        if found is None:
            return None
        run_dir, stored = found
        path = Path(stored)
        return path if path.is_absolute() else run_dir / path


def load_evaluation(
    run_dirs: list[Path] | list[str] | Path | str,
    benchmark: str | Benchmark = DEFAULT_BENCHMARK,
    weighting: str | None = None,
    reference: str | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
) -> Evaluation:
    """Read ``run_dirs`` as ``benchmark`` under ``weighting`` (default: the benchmark's), with a
    reference table beside them if asked. Bad names fail before any store is read."""
    bench = load_benchmark(benchmark)
    dirs = [Path(run_dirs)] if isinstance(run_dirs, (str, Path)) else [Path(r) for r in run_dirs]
    weighting = weighting or bench.default_weighting
    weights = load_weighting(weighting, bench)
    reference_table = load_reference(reference, bench) if reference else None
    contents = [read_store(d) for d in dirs]
    results = pd.DataFrame([r for c in contents for r in c.results], columns=RESULT_COLUMNS)
    failures = pd.DataFrame([f for c in contents for f in c.failures], columns=FAILURE_COLUMNS)
    invocations = [i for c in contents for i in c.invocations]
    versions = current_versions(invocations, results, bench)
    marked = mark_stale(results, versions, bench)
    summaries = summarise(
        marked, failures, weights, failed_applicability(failures, invocations, bench), bench.keys, samples, bench
    )
    texts = {(p["run"], p["prompt_id"]): p["text"] for c in contents for p in c.prompts}
    videos = {
        (v["run"], v["model"], v["prompt_id"], int(v["seed"])): (c.run_dir, v["path"])
        for c in contents
        for v in c.videos
    }
    return Evaluation(
        bench,
        dirs,
        weighting,
        weights,
        marked,
        failures,
        versions,
        summaries,
        invocations,
        texts,
        videos,
        reference,
        reference_table,
        samples,
    )
