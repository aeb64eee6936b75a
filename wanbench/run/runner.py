"""generate -> decode once -> shared features -> score every applicable dimension -> store.

The loop is resumable: rows already in the store are skipped, a recorded video whose file still
matches its sha256 is not generated again, and each video's rows are committed together. Nothing
that goes wrong with one prompt stops the run: it becomes a failure or an error row, with a
one-line message. A sharded run (``rank``/``world_size``; wanbench/run/shards.py) does its share of the
items into its own store and reads the main one to skip what is merged there.

The parts, each in its own module: where videos come from (video_source), decoding ahead of scoring
(overlap), scoring one video (scoring), a resumed run's identity check (run_identity), and the
bookkeeping of rows, failures and counts (run_log). This module only orders them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wanbench.adapters.base import ModelAdapter, make_adapter
from wanbench.benchmark.definition import DEFAULT_BENCHMARK, load_benchmark
from wanbench.benchmark.flow_settings import AUTO
from wanbench.calibration import run_calibration
from wanbench.dims.base import Dimension
from wanbench.dims.judge_dims import judge_plans
from wanbench.dims.registry import get_dimension
from wanbench.prompts.generation_text import ExtendSettings, GenerationText
from wanbench.prompts.suite import PROMPT_ID, Prompt, Suite
from wanbench.run.identity import RunMismatchError, check_same_settings
from wanbench.run.lock import run_lock
from wanbench.run.log import EvalSummary, FailureSink, RowStatus, RunLog, one_line
from wanbench.run.overlap import Loaded, overlapped
from wanbench.run.provenance import provenance
from wanbench.run.scoring import build_backbones, score_one, score_video
from wanbench.run.shards import SHARD_DIR, Shard, merge_shards, torchrun_barrier
from wanbench.run.store import RESULTS_FILE, ResultStore
from wanbench.run.video_source import VideoFailed, VideoSource

# The runner is the library's entry point for a run: callers import these parts from here.
__all__ = [
    "EvalConfig",
    "EvalSummary",
    "Evaluator",
    "FailureSink",
    "RESULTS_FILE",
    "RowStatus",
    "RunMismatchError",
    "build_backbones",
    "run_eval",
    "score_one",
    "settings_fingerprint",
]

Progress = Callable[[int, int], None]  # (items done, items in all)


@dataclass
class EvalConfig:
    """One ``eval``/``score`` run. ``validate()`` checks every field before any compute; the Evaluator
    calls it first, so the Python API refuses what the CLI refuses, in the same words."""

    model: str
    suite: str | None = None  # None: the benchmark's default suite
    out: Path = Path("runs/eval")
    seeds: tuple[int, ...] = (0,)
    dimensions: tuple[str, ...] | None = None  # None: every dimension of the benchmark
    benchmark: str = DEFAULT_BENCHMARK  # a packaged benchmark's name or a definition file
    weighting: str | None = None  # how results are read back (None: the benchmark's default)
    reference: str | None = None  # a reference table to read beside them
    model_options: dict[str, Any] = field(default_factory=dict)
    name: str | None = None  # how the model is labelled in results (default: the adapter's name)
    flow: str = AUTO  # flow_settings.FLOW_CHOICES: auto (RAFT if its weights are present, else DIS) | raft | dis
    backbone_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> constructor kwargs
    retry_errors: bool = False
    limit: int | None = None  # only the first N prompts of the suite
    rank: int = 0  # this process's shard of the (prompt, seed) items ...
    world_size: int = 1  # ... out of this many (torchrun sets both through RANK and WORLD_SIZE)
    prefetch: int = 1  # videos decoded (and their flow computed) ahead while one scores; 0: sequential
    lang: str = "en"  # which text the model generates from (en: text, zh: text_zh); part of the label
    extend: ExtendSettings | None = None  # rewrite each prompt through an LLM server before generating

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"] = str(self.out)
        return data

    def validate(self) -> Suite:
        """Refuse a bad benchmark, dimension, weighting, reference, limit, seed, name, suite or output
        folder (one ValueError line each) before any model or backbone is built; returns the suite.
        Fills in the benchmark's defaults (suite, weighting) where none was given."""
        from wanbench.run.preflight import check_run

        bench = load_benchmark(self.benchmark)
        self.suite = self.suite or bench.default_suite
        self.weighting = self.weighting or bench.default_weighting
        return check_run(self, bench)


def settings_fingerprint(value: Any) -> Any:
    """A JSON-able, process-independent description of scoring settings (no object addresses)."""
    import dataclasses

    if isinstance(value, dict):
        return {str(k): settings_fingerprint(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [settings_fingerprint(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: settings_fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    return f"{type(value).__module__}.{type(value).__qualname__}"


@dataclass
class WorkItem:
    """One (prompt, seed) of this process's share and the dimensions it still needs scored."""

    prompt: Prompt
    seed: int
    todo: list[Dimension]


class Evaluator:
    """Runs one model over one suite into one run directory."""

    def __init__(
        self, config: EvalConfig, adapter: ModelAdapter | None = None, on_failure: FailureSink | None = None
    ) -> None:
        self.config = config
        self.suite = config.validate()  # every check before the adapter (a model load) or any backbone
        self.benchmark = load_benchmark(config.benchmark)
        self.adapter = adapter or make_adapter(config.model, **config.model_options)
        base = config.name or self.adapter.name
        if not PROMPT_ID.match(base):  # the label names a folder of videos: no '/', '..' or absolute paths
            raise ValueError(f"model label {base!r} must be letters, digits, '_', '.', '-' (it names a folder)")
        self.generation_text = GenerationText(config.lang, config.extend, Path(config.out))
        self.label = self.generation_text.label(base)  # NAME, NAME@zh, NAME+ext: still one folder name
        self.run = Path(config.out).name  # replaced by the name the run's store recorded first (relocatable runs)
        self.on_failure = on_failure or (lambda message: None)
        names = config.dimensions or self.benchmark.keys
        self.dimensions = [get_dimension(name, self.benchmark, config.backbone_options) for name in names]
        self.backbones = build_backbones(self.dimensions, config.flow, config.backbone_options)

    def run_suite(self, suite: Suite | None = None, progress: Progress | None = None) -> EvalSummary:
        """Do this process's share of ``suite`` (default: the configured one); merge shards when last."""
        config = self.config
        suite = suite or self.suite
        prompts = suite.prompts[: config.limit] if config.limit else suite.prompts
        shard = Shard(config.rank, config.world_size)
        items = [(p, seed) for p in prompts for seed in config.seeds]
        items = [item for i, item in enumerate(items) if shard.takes(i)]
        run_dir = Path(config.out)
        main_path = run_dir / RESULTS_FILE
        store_path = run_dir / SHARD_DIR / shard.store_name if shard.active else main_path
        summary = EvalSummary(
            run_dir=run_dir,
            model=self.label,
            prompts=len({p.id for p, _ in items}),
            store=store_path,
            merged=not shard.active,
        )
        start = time.perf_counter()
        with run_lock(store_path), ResultStore(store_path) as store:
            main_store = ResultStore(main_path, readonly=True) if shard.active and main_path.is_file() else None
            try:
                self.run = (main_store and main_store.first_run_name()) or store.first_run_name() or self.run
                self._run_items(store, main_store, suite, items, shard.rank, summary, progress)
            finally:
                if main_store is not None:
                    main_store.close()
                self.adapter.finish()  # e.g. the other ranks of a Ulysses group stop waiting for prompts
        if shard.active and torchrun_barrier() and shard.rank == 0:
            merge_shards(run_dir, RESULTS_FILE)
            summary.merged, summary.store = True, main_path
        summary.seconds = time.perf_counter() - start
        return summary

    def _run_items(
        self,
        store: ResultStore,
        main_store: ResultStore | None,
        suite: Suite,
        items: list[tuple[Prompt, int]],
        rank: int,
        summary: EvalSummary,
        progress: Progress | None,
    ) -> None:
        """One invocation in the store: its settings, the suite's problems, then every item in order."""
        config = self.config
        invocation = self._start_invocation(store, main_store, suite, items)
        log = RunLog(store, self.run, self.label, summary, self.on_failure)
        if rank == 0:  # the suite as it is now: problems of an earlier version of it are gone
            store.clear_failures(self.run, self.label, "suite")
            self._record_suite_problems(suite, log)
        done = store.done_keys(self.run, self.label, retry_errors=config.retry_errors)
        if main_store is not None:
            done |= main_store.done_keys(self.run, self.label, retry_errors=config.retry_errors)
        source = VideoSource(
            self.adapter, self.generation_text, Path(config.out), self.run, self.label, store, main_store
        )
        status = "failed"
        try:
            prepared = self._prepare(items, done, source, log)
            loads = overlapped(
                prepared, self.backbones, config.prefetch, plans_of=lambda item: judge_plans(item.todo, item.prompt)
            )  # one batch per video
            for count, loaded in enumerate(loads, start=1):
                self._score(loaded, log)
                if progress:
                    progress(count, len(items))
            status = "finished"
        finally:
            store.finish_invocation(invocation, status)

    def _start_invocation(
        self, store: ResultStore, main_store: ResultStore | None, suite: Suite, items: list[tuple[Prompt, int]]
    ) -> int:
        """Refuse a resume under changed settings, then record this invocation and the prompts it asks."""
        config = self.config
        adapter_info = self.adapter.info()
        scoring = settings_fingerprint({"flow": config.flow, "backbones": config.backbone_options})
        earlier = (main_store.invocations() if main_store is not None else []) + store.invocations()
        kept = store.kept(self.run, self.label) + (main_store.kept(self.run, self.label) if main_store else 0)
        changed = check_same_settings(
            earlier, config.out, self.run, self.label, adapter_info, self.generation_text.describe(), scoring, kept
        )
        if changed:  # nothing was kept under the earlier settings: what they left unfinished is redone
            store.forget_unfinished(self.run, self.label)
        run_config = config.to_dict() | {
            "adapter": adapter_info,
            "scoring": scoring,
            "suite_path": str(suite.path),
            "suite": {"name": suite.name, "version": suite.version, "sha256": suite.sha256},
            "generation_text": self.generation_text.describe(),
            "benchmark": {"name": self.benchmark.name, "version": self.benchmark.version},
            "metric_versions": {d.name: d.version for d in self.dimensions},  # provenance: the versions scored with
            "settings_used": self.adapter.settings_used(),  # the adapter's effective settings (defaults filled)
        }
        # which of the run's weights passed `wanbench calibrate` (for these bytes): shown by the report
        recorded = provenance() | {"calibration": run_calibration(self.backbones)}
        invocation = store.start_invocation(self.run, self.label, run_config, recorded, suite.sha256)
        store.record_prompts(
            self.run,
            [
                (p.id, p.text_in(config.lang), {k: v for k, v in p.to_dict().items() if k not in ("id", "text")})
                for p in {p.id: p for p, _ in items}.values()
            ],
        )
        return invocation

    def _record_suite_problems(self, suite: Suite, log: RunLog) -> None:
        for problem in suite.problems:
            message = one_line(f"suite {suite.name}: {problem}")
            duplicate = problem.field == "id" and problem.message.startswith("duplicate")
            # a duplicate line is a problem of that line, not of the prompt it repeats (which is scored)
            key = f"line-{problem.line}" if duplicate or not problem.prompt_id else problem.prompt_id
            log.failure(key, -1, "suite", message, message)

    def _prepare(
        self, items: list[tuple[Prompt, int]], done: set, source: VideoSource, log: RunLog
    ) -> Iterator[tuple[WorkItem, Path | None, tuple[str, ...]]]:
        """Per item: (its work, its video or None when there is nothing to score, the backbones its
        dimensions need). Lazily, in the caller's thread: getting a video may generate it and write the store."""
        for prompt, seed in items:
            dims = [d for d in self.dimensions if d.applies_to(prompt)]
            todo = [d for d in dims if (prompt.id, seed, d.name, d.version) not in done]
            log.skipped(len(dims) - len(todo))
            path = self._video(source, prompt, seed, log) if todo else None
            yield WorkItem(prompt, seed, todo), path, tuple(dict.fromkeys(name for d in todo for name in d.needs))

    def _video(self, source: VideoSource, prompt: Prompt, seed: int, log: RunLog) -> Path | None:
        try:
            path, generated = source.get(prompt, seed)
        except VideoFailed as failed:
            log.item_failed(prompt.id, seed, failed.stage, failed.message)
            return None
        if generated:
            log.generated()
        return path

    def _score(self, loaded: Loaded, log: RunLog) -> None:
        item: WorkItem = loaded.item
        if loaded.error is not None:
            log.item_failed(item.prompt.id, item.seed, "decode", str(loaded.error))
        elif loaded.video is not None and loaded.features is not None:  # both or neither (overlap.load)
            log.scored(
                score_video(item.todo, loaded.video, item.prompt, item.seed, loaded.features, self.run, self.label)
            )


def run_eval(
    config: EvalConfig, on_failure: FailureSink | None = None, progress: Progress | None = None
) -> EvalSummary:
    """Library entry point behind ``wanbench eval`` and ``wanbench score``."""
    return Evaluator(config, on_failure=on_failure).run_suite(progress=progress)
