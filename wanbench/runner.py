"""generate -> decode once -> shared features -> score every applicable dimension -> store.

The loop is resumable: rows already in the store are skipped, a recorded video whose file still
matches its sha256 is not generated again, and each video's rows are committed together. Nothing
that goes wrong with one prompt stops the run: it becomes a failure or an error row, with a
one-line message. A sharded run (``rank``/``world_size``; wanbench/shards.py) does its share of the
items into its own store and reads the main one to skip what is merged there.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from wanbench.adapters.base import AdapterError, ModelAdapter, make_adapter
from wanbench.backbones.base import BACKBONES, Backbone, BackboneUnavailable, FeatureCache, constructor_options
from wanbench.dims.base import Dimension, DimensionUnavailable, NotApplicable, NotScorable, Score
from wanbench.dims.names import DIMENSION_KEYS
from wanbench.dims.registry import get_dimension
from wanbench.dims.judge_dims import judge_asks
from wanbench.overlap import Loaded, overlapped
from wanbench.generation_text import ExtendSettings, GenerationText
from wanbench.provenance import provenance
from wanbench.runlock import run_lock
from wanbench.shards import SHARD_DIR, Shard, merge_shards, torchrun_barrier
from wanbench.store import RESULTS_FILE, ResultRow, ResultStore
from wanbench.suite import PROMPT_ID, Prompt, Suite, load_suite
from wanbench.video import file_sha256



class RunMismatchError(ValueError):
    """A run directory resumed with a different model configuration under the same label."""


@dataclass
class EvalConfig:
    model: str
    suite: str = "smoke"
    out: Path = Path("runs/eval")
    seeds: tuple[int, ...] = (0,)
    dimensions: tuple[str, ...] | None = None  # None: all 14
    model_options: dict[str, Any] = field(default_factory=dict)
    name: str | None = None  # how the model is labelled in results (default: the adapter's name)
    flow_backend: str = "auto"  # auto (RAFT if its weights are present, else DIS) | raft | dis
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


@dataclass
class EvalSummary:
    run_dir: Path
    model: str
    prompts: int = 0
    videos: int = 0
    generated: int = 0
    rows_written: int = 0
    rows_skipped: int = 0
    ok: int = 0
    errors: int = 0
    missing: int = 0
    not_applicable: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    store: Path | None = None  # where this process wrote its rows
    merged: bool = True  # False: this shard's rows wait in RUN/shards/ for a merge

    @property
    def exit_code(self) -> int:
        return 1 if self.errors or self.failures else 0


FailureSink = Callable[[str], None]  # receives each failure's one-line message


FLOW_BACKENDS = {"auto": "flow", "flow": "flow", "raft": "flow-raft", "dis": "flow-dis"}


def build_backbones(dimensions: list[Dimension], flow_backend: str = "auto",
                    options: dict[str, dict[str, Any]] | None = None) -> dict[str, Backbone]:
    """One instance per backbone the dimensions need (built lazily: nothing loads until first use)."""
    if flow_backend not in FLOW_BACKENDS:
        raise ValueError(f"unknown flow backend {flow_backend!r}; choose {', '.join(sorted(set(FLOW_BACKENDS) - {'flow'}))}")
    chosen = {"flow": FLOW_BACKENDS[flow_backend]}
    options = options or {}
    backbones: dict[str, Backbone] = {}
    for dim in dimensions:
        if not dim.status().implemented:
            continue
        for need in dim.needs:
            registered = chosen.get(need, need)
            if need not in backbones and registered in BACKBONES:
                # options may name the registered backbone ("flow-raft") or the role it fills ("flow")
                cls = BACKBONES.get(registered)
                backbones[need] = cls(**constructor_options(cls, registered, need, options))
    return backbones


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


def one_line(message: str) -> str:
    """Messages go into tables and terminals one per line: collapse newlines and runs of spaces."""
    return " ".join(str(message).split())


def score_one(dim: Dimension, video: Any, prompt: Prompt, features: FeatureCache) -> tuple[str, Score | None, str | None]:
    """(status, score, message) for one dimension on one video; never raises."""
    try:
        return "ok", dim.score(video, prompt, features), None
    except (DimensionUnavailable, BackboneUnavailable) as exc:
        return "missing", None, one_line(str(exc))
    except NotApplicable as exc:  # nothing to measure in this video: neither a score nor a failure
        return "not_applicable", None, one_line(str(exc))
    except NotScorable as exc:
        return "error", None, one_line(str(exc))
    except Exception as exc:  # a broken metric on one video must not stop the run
        return "error", None, one_line(f"{type(exc).__name__}: {exc}")


class Evaluator:
    """Runs one model over one suite into one run directory."""

    def __init__(self, config: EvalConfig, adapter: ModelAdapter | None = None,
                 on_failure: FailureSink | None = None) -> None:
        self.config = config
        self.adapter = adapter or make_adapter(config.model, **config.model_options)
        base = config.name or self.adapter.name
        if not PROMPT_ID.match(base):  # the label names a folder of videos: no '/', '..' or absolute paths
            raise ValueError(f"model label {base!r} must be letters, digits, '_', '.', '-' (it names a folder)")
        self.generation_text = GenerationText(config.lang, config.extend, Path(config.out))
        self.label = self.generation_text.label(base)  # NAME, NAME@zh, NAME+ext: still one folder name
        self.run = Path(config.out).name  # replaced by the name the run's store recorded first (relocatable runs)
        self.on_failure = on_failure or (lambda message: None)
        names = config.dimensions or DIMENSION_KEYS
        self.dimensions = [get_dimension(name).configured(config.backbone_options) for name in names]
        self.backbones = build_backbones(self.dimensions, config.flow_backend, config.backbone_options)
        self.main_store: ResultStore | None = None  # a shard's read-only view of the run's main store

    def video_path(self, prompt: Prompt, seed: int) -> Path:
        return Path(self.config.out) / "videos" / self.label / f"{prompt.id}-s{seed}.mp4"

    def run_suite(self, suite: Suite | None = None, progress: Callable[[int, int], None] | None = None) -> EvalSummary:
        config = self.config
        suite = suite or load_suite(config.suite)
        prompts = suite.prompts[: config.limit] if config.limit else suite.prompts
        shard = Shard(config.rank, config.world_size)
        items = [(p, seed) for p in prompts for seed in config.seeds]
        items = [item for i, item in enumerate(items) if shard.takes(i)]
        run_dir = Path(config.out)
        main_path = run_dir / RESULTS_FILE
        store_path = run_dir / SHARD_DIR / shard.store_name if shard.active else main_path
        summary = EvalSummary(run_dir=run_dir, model=self.label, prompts=len({p.id for p, _ in items}),
                              store=store_path, merged=not shard.active)
        start = time.perf_counter()
        with run_lock(store_path), ResultStore(store_path) as store:
            self.main_store = ResultStore(main_path, readonly=True) if shard.active and main_path.is_file() else None
            try:
                self.run = (self.main_store and self.main_store.first_run_name()) or store.first_run_name() or self.run
                self._run_items(store, suite, items, shard, summary, progress)
            finally:
                if self.main_store is not None:
                    self.main_store.close()
                self.main_store = None
                self.adapter.finish()  # e.g. the other ranks of a Ulysses group stop waiting for prompts
        if shard.active and torchrun_barrier() and shard.rank == 0:
            merge_shards(run_dir, RESULTS_FILE)
            summary.merged, summary.store = True, main_path
        summary.seconds = time.perf_counter() - start
        return summary

    def _run_items(self, store: ResultStore, suite: Suite, items: list[tuple[Prompt, int]], shard: Shard,
                   summary: EvalSummary, progress: Callable[[int, int], None] | None) -> None:
        config = self.config
        adapter_info = self.adapter.info()
        scoring = settings_fingerprint({"flow": config.flow_backend, "backbones": config.backbone_options})
        self._check_same_model(store, adapter_info, scoring)
        run_config = config.to_dict() | {"adapter": adapter_info, "scoring": scoring, "suite_path": str(suite.path),
                                         "suite": {"name": suite.name, "version": suite.version, "sha256": suite.sha256},
                                         "generation_text": self.generation_text.describe()}
        invocation = store.start_invocation(self.run, self.label, run_config, provenance(), suite.sha256)
        store.record_prompts(self.run, [(p.id, p.text_in(config.lang), {k: v for k, v in p.to_dict().items() if k not in ('id', 'text')})
                                       for p in {p.id: p for p, _ in items}.values()])
        if shard.rank == 0:  # the suite as it is now: problems of an earlier version of it are gone
            store.clear_failures(self.run, self.label, "suite")
        for problem in suite.problems if shard.rank == 0 else ():
            message = one_line(f"suite {suite.name}: {problem}")
            duplicate = problem.field == "id" and problem.message.startswith("duplicate")
            # a duplicate line is a problem of that line, not of the prompt it repeats (which is scored)
            key = f"line-{problem.line}" if duplicate or not problem.prompt_id else problem.prompt_id
            store.record_failure(self.run, self.label, key, -1, "suite", message)
            summary.failures.append(message)
            self.on_failure(message)
        done = store.done_keys(self.run, self.label, retry_errors=config.retry_errors)
        if self.main_store is not None:
            done |= self.main_store.done_keys(self.run, self.label, retry_errors=config.retry_errors)
        status = "failed"
        try:
            prepared = (self._prepare(store, prompt, seed, done, summary) for prompt, seed in items)
            loads = overlapped(prepared, self.backbones, config.prefetch,
                               asks_of=lambda item: judge_asks(item[2], item[0]))  # item: (prompt, seed, todo, rows)
            for count, loaded in enumerate(loads, start=1):
                self._score_loaded(store, loaded, summary)
                if progress:
                    progress(count, len(items))
            status = "finished"
        finally:
            store.finish_invocation(invocation, status)

    def _check_same_model(self, store: ResultStore, adapter_info: dict[str, Any], scoring: dict[str, Any]) -> None:
        """Resuming must not mix results under one label: refuse if the adapter or the scoring settings
        (flow backend, judge, detector and other backbone options) changed."""
        earlier_runs = (self.main_store.invocations() if self.main_store is not None else []) + store.invocations()
        for earlier in sorted(earlier_runs, key=lambda i: i["started"], reverse=True):
            if earlier["run"] == self.run and earlier["model"] == self.label:
                previous = earlier["config"].get("adapter")
                if previous is not None and previous != json.loads(json.dumps(adapter_info, default=str)):
                    raise RunMismatchError(
                        f"{self.config.out} already holds results for {self.label!r} made with other model settings "
                        f"({previous} now {adapter_info}); use another --out or --name")
                text_before = earlier["config"].get("generation_text")
                if text_before is not None and text_before != self.generation_text.describe():
                    raise RunMismatchError(
                        f"{self.config.out} already holds results for {self.label!r} generated from other text "
                        f"({text_before} now {self.generation_text.describe()}); use another --out or --name")
                before = earlier["config"].get("scoring")
                if before is not None and before != scoring:
                    raise RunMismatchError(
                        f"{self.config.out} already holds results for {self.label!r} scored with other settings "
                        f"({before} now {scoring}); use another --out, or the same --flow/--judge/--artifacts options")
                return

    def _prepare(self, store: ResultStore, prompt: Prompt, seed: int, done: set,
                 summary: EvalSummary) -> tuple[tuple, Path | None, tuple[str, ...]]:
        """(item, video path or None when there is nothing to score, backbones its dimensions need);
        generates the video if needed. Runs in the caller's thread: it writes the store."""
        dims = [d for d in self.dimensions if d.applies_to(prompt)]
        todo = [d for d in dims if (prompt.id, seed, d.name, d.version) not in done]
        summary.rows_skipped += len(dims) - len(todo)
        if not todo:
            return (prompt, seed, [], []), None, ()
        # Dimensions that cannot run at all are reported missing without touching the video.
        unavailable = [d for d in todo if not d.status().implemented]
        todo = [d for d in todo if d.status().implemented]
        rows = [self._missing_row(prompt, seed, d) for d in unavailable]
        summary.missing += len(rows)
        path = self._video(store, prompt, seed, summary) if todo else None
        needed = tuple(dict.fromkeys(name for d in todo for name in d.needs))
        return (prompt, seed, todo, rows), path, needed

    def _score_loaded(self, store: ResultStore, loaded: Loaded, summary: EvalSummary) -> None:
        prompt, seed, todo, rows = loaded.item
        if loaded.error is not None:
            self._fail(store, prompt, seed, "decode", str(loaded.error), summary)
            return
        if loaded.video is None:
            if rows:
                store.write_results(rows)
                summary.rows_written += len(rows)
            return
        video, features = loaded.video, loaded.features
        summary.videos += 1
        for dim in todo:
            began = time.perf_counter()
            status, score, message = score_one(dim, video, prompt, features)
            rows.append(ResultRow(
                run=self.run, model=self.label, prompt_id=prompt.id, seed=seed, dimension=dim.name,
                metric_version=dim.version, status=status, value=score.value if score else None,
                details=score.details if score else None, backend=score.backend if score else "",
                video_sha256=video.sha256 or "", seconds=time.perf_counter() - began, error=message,
            ))
            counter = {"ok": "ok", "error": "errors", "missing": "missing", "not_applicable": "not_applicable"}[status]
            setattr(summary, counter, getattr(summary, counter) + 1)
            if status == "error":
                self.on_failure(f"{prompt.id} seed {seed} {dim.name}: {message}")
        store.write_results(rows)
        summary.rows_written += len(rows)

    def _missing_row(self, prompt: Prompt, seed: int, dim: Dimension) -> ResultRow:
        return ResultRow(run=self.run, model=self.label, prompt_id=prompt.id, seed=seed, dimension=dim.name,
                         metric_version=dim.version, status="missing",
                         error=f"not implemented yet: {dim.status().note}")

    def _video(self, store: ResultStore, prompt: Prompt, seed: int, summary: EvalSummary) -> Path | None:
        """The video file for (prompt, seed): reused if recorded and unchanged, else produced."""
        recorded = store.video(self.run, self.label, prompt.id, seed)
        if recorded is None and self.main_store is not None:
            recorded = self.main_store.video(self.run, self.label, prompt.id, seed)
        found = self._recorded_path(recorded["path"]) if recorded else None
        if found is not None and file_sha256(found) == recorded["sha256"]:
            return found
        began = time.perf_counter()
        try:
            asked = self.generation_text.prompt_for(prompt)  # the chosen language, extended if asked
            path = Path(self.adapter.generate(asked, seed, self.video_path(prompt, seed)))
            sha = file_sha256(path)
        except Exception as exc:  # one prompt that cannot be generated must not stop the run
            stage = "find" if self.adapter.finds_existing else "generate"  # a folder of exports finds, not makes
            message = str(exc) if isinstance(exc, AdapterError) else f"{type(exc).__name__}: {exc}"
            self._fail(store, prompt, seed, stage, message, summary)
            return None
        if not self.adapter.finds_existing:
            summary.generated += 1
        store.record_video(self.run, self.label, prompt.id, seed, self._stored_path(path), sha,
                           time.perf_counter() - began)
        return path

    def _stored_path(self, path: Path) -> str:
        """Videos inside the run directory are recorded relative to it, so a copied or moved run finds them."""
        run_dir = Path(self.config.out).resolve()
        try:
            return Path(path).resolve().relative_to(run_dir).as_posix()
        except ValueError:
            return str(Path(path).resolve())

    def _recorded_path(self, stored: str) -> Path | None:
        """The file a recorded path names: relative to the run directory (or, for older stores, to the cwd)."""
        path = Path(stored)
        for candidate in ([path] if path.is_absolute() else [Path(self.config.out) / path, path]):
            if candidate.is_file():
                return candidate
        return None

    def _fail(self, store: ResultStore, prompt: Prompt, seed: int, stage: str, message: str,
              summary: EvalSummary) -> None:
        message = one_line(message)
        line = f"{prompt.id} seed {seed}: {stage} failed: {message}"
        store.record_failure(self.run, self.label, prompt.id, seed, stage, message)
        summary.failures.append(line)
        self.on_failure(line)


def run_eval(config: EvalConfig, on_failure: FailureSink | None = None,
             progress: Callable[[int, int], None] | None = None) -> EvalSummary:
    """Library entry point behind ``wanbench eval`` and ``wanbench score``."""
    return Evaluator(config, on_failure=on_failure).run_suite(progress=progress)
