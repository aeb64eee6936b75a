"""``wanbench eval/score --benchmark vbench``: generate VBench's standard suite, score it, summarise.

Generation writes ``RUN/videos/{prompt}-{i}.mp4`` (VBench's standard names, five samples per prompt,
seed = sample number) through the model's adapter, each file under a temporary name first so a
killed run never leaves a truncated sample behind; scoring is ``runner.score_vbench``; the summary
is VBench's Quality / Semantic / Total (``scores``) beside the report's Table 4.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wanbench.run.shards import Shard
from wanbench.run.store import RESULTS_FILE, ResultStore
from wanbench.vbench.dimensions import DIMENSIONS
from wanbench.vbench.environment import vbench_package_dir, worker_python
from wanbench.vbench.naming import SAMPLES_PER_PROMPT, load_standard_suite, sample_name
from wanbench.vbench.runner import VBenchRunConfig, VBenchRunSummary, score_vbench
from wanbench.vbench.scores import VBenchScores, scores_from_rows


@dataclass
class GenerationSummary:
    folder: Path
    made: int
    kept: int  # already there (resume)


def generate_standard_suite(
    model: str,
    model_options: dict[str, Any],
    out: Path,
    dimensions: tuple[str, ...] = tuple(DIMENSIONS),
    samples: int = SAMPLES_PER_PROMPT,
    limit: int | None = None,
    shard: Shard | None = None,
) -> GenerationSummary:
    """VBench's standard prompts of ``dimensions`` (the first ``limit``), ``samples`` videos each."""
    from wanbench.adapters.base import make_adapter
    from wanbench.prompts.suite import Prompt

    suite = [
        p
        for p in load_standard_suite(vbench_package_dir() / "VBench_full_info.json")
        if set(p.dimensions) & set(dimensions)
    ]
    texts = list(dict.fromkeys(p.text for p in suite))[:limit]  # a text listed twice is one set of files
    folder = Path(out) / "videos"
    folder.mkdir(parents=True, exist_ok=True)
    shard = shard or Shard()
    adapter = None
    made = kept = 0
    items = [(text, i) for text in texts for i in range(samples)]
    for k, (text, index) in enumerate(items):
        if not shard.takes(k):
            continue
        target = folder / sample_name(text, index)
        if target.is_file():
            kept += 1
            continue
        adapter = adapter or make_adapter(model, **model_options)
        prompt = Prompt(id=f"vbench-sample-{k:05d}", text=text, dimensions=())
        partial = folder / f".{os.getpid()}.{k}.partial.mp4"
        written = Path(adapter.generate(prompt, index, partial))
        os.replace(written, target)
        made += 1
    if adapter is not None:
        adapter.finish()
    return GenerationSummary(folder, made, kept)


def summarise(run_dir: Path, model: str | None = None, resamples: int = 1000) -> VBenchScores:
    """VBench's scores of a run's merged store."""
    with ResultStore(Path(run_dir) / RESULTS_FILE, readonly=True) as store:
        rows = store.results()
    return scores_from_rows(rows, model=model, resamples=resamples)


def score_folder(config: VBenchRunConfig) -> tuple[VBenchRunSummary, VBenchScores | None]:
    """Score, then summarise when this process wrote the run's main store (not a shard)."""
    worker_python()  # one clear line when VBench's environment is absent, before anything is written
    summary = score_vbench(config)
    if config.shard.active:
        return summary, None
    return summary, summarise(config.out, config.model)


def is_vbench(benchmark: str) -> bool:
    """Whether ``--benchmark`` names VBench (by name or a definition file declaring it)."""
    from wanbench.benchmark.definition import load_benchmark

    return load_benchmark(benchmark).name == "vbench"


def summary_lines(run: VBenchRunSummary, scores: VBenchScores | None) -> list[str]:
    """What the CLI prints: row counts, why dimensions are missing, VBench's scores beside Table 4."""
    from wanbench.vbench.reference import paper_table4

    counts = ", ".join(f"{n} {status}" for status, n in sorted(run.statuses.items())) or "nothing new"
    lines = [f"VBench rows: {counts}; {run.skipped_done} already done; store {run.store}"]
    if run.missing_samples:
        lines.append(f"{len(run.missing_samples)} standard sample(s) not in the folder, e.g. {run.missing_samples[0]}")
    lines += [f"  {name}: {reason}" for name, reason in sorted(run.reasons.items())]
    if scores is None:
        return [*lines, f"rows in {run.store}; when every shard is done: wanbench merge {run.store.parent.parent}"]

    def percent(key: str) -> str:
        value = getattr(scores, key)
        if value is None:
            return "n/a"
        low, high = scores.intervals.get(key, (float("nan"), float("nan")))
        return f"{100 * value:.2f} [{100 * low:.2f}, {100 * high:.2f}]"

    coverage = scores.coverage()
    lines.append(
        f"VBench (95% CI over {scores.prompts} prompts): Quality {percent('quality')} ({coverage['quality']}), "
        f"Semantic {percent('semantic')} ({coverage['semantic']}), Total {percent('total')}"
    )
    lines.append(
        "Table 4 (Quality / Semantic / Total): "
        + "; ".join(
            f"{m} {r['quality']:.2f} / {r['semantic']:.2f} / {r['total']:.2f}" for m, r in paper_table4().items()
        )
    )
    return lines
