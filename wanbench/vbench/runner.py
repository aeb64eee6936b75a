"""Score a folder of videos with VBench's own evaluators, one store row per (video, dimension, version).

Per dimension, the samples still to score (a resumed run skips rows already in the store) are sent
to the worker in chunks; each chunk is one call of VBench's ``compute_<dimension>`` and its rows
are written in one transaction, so a run killed at any instant loses at most the chunk in flight.
A dimension whose checkpoints (or detectron2) are absent gets ``missing`` rows with the reason and
the fetch command; VBench is not asked. Shards (``Shard``) split the samples by index, write
``RUN/shards/rank-R-of-W.sqlite`` and merge with ``wanbench merge RUN`` like every other run.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wanbench.model_weights import wanbench_home, weights_status
from wanbench.run.shards import SHARD_DIR, Shard
from wanbench.run.store import RESULTS_FILE, ResultRow, ResultStore
from wanbench.vbench.client import VBenchWorker, WorkerCrashed
from wanbench.vbench.dimensions import DIMENSIONS, METRIC_VERSION, VBENCH_VERSION, VBenchDimension, dimension
from wanbench.vbench.environment import vbench_package_dir, worker_python
from wanbench.vbench.naming import VBenchSample, custom_samples, load_standard_suite, standard_samples
from wanbench.vbench.weights import FOLDER

BACKEND = f"vbench {VBENCH_VERSION}"


@dataclass
class VBenchRunConfig:
    videos: Path
    out: Path
    model: str = "external"
    run: str = "vbench"
    dimensions: tuple[str, ...] = tuple(DIMENSIONS)
    mode: str = "standard"  # standard | custom (VBench's custom-input mode)
    suffix: str = ".mp4"  # standard mode: the samples' extension
    device: str = "cpu"
    chunk: int = 16  # samples per VBench call: resume granularity against model-loading cost
    shard: Shard = field(default_factory=Shard)
    threads: int | None = None
    retry_errors: bool = False
    python: Path | None = None  # VBench's interpreter (default: .venv-vbench)
    full_info: Path | None = None  # default: VBench_full_info.json of the installed vbench

    def validate(self) -> None:
        if self.mode not in ("standard", "custom"):
            raise ValueError(f"mode {self.mode!r}: expected standard or custom")
        if self.chunk < 1:
            raise ValueError("chunk must be at least 1")
        if not Path(self.videos).is_dir():
            raise ValueError(f"{self.videos}: not a folder of videos")
        for name in self.dimensions:
            dimension(name)


@dataclass
class VBenchRunSummary:
    store: Path
    statuses: Counter = field(default_factory=Counter)
    skipped_done: int = 0
    missing_samples: list[str] = field(default_factory=list)  # standard names not found in the folder
    reasons: dict[str, str] = field(default_factory=dict)  # dimension -> why missing / unsupported
    seconds: float = 0.0


def cache_dir() -> Path:
    """VBench's cache folder: the weights/vbench folder of wanbench's weights registry."""
    return wanbench_home() / "weights" / FOLDER


def missing_reason(dim: VBenchDimension, has_package) -> str | None:
    """Why ``dim`` cannot run here (absent checkpoints with their fetch command, or detectron2), or None."""
    absent = [name for name in dim.weights if weights_status(name).state in ("missing", "checksum-failed")]
    if absent:
        details = "; ".join(weights_status(name).detail for name in absent)
        fetch = " && ".join(f"wanbench weights fetch {name}" for name in absent)
        return f"VBench checkpoint absent: {details}; get it with `{fetch}`"
    if dim.needs and not has_package(dim.needs.split()[0]):
        return f"needs {dim.needs}"
    return None


def _package_probe(python: Path):
    found: dict[str, bool] = {}

    def has(package: str) -> bool:
        if package not in found:
            probe = f"import importlib.util, sys; sys.exit(0 if importlib.util.find_spec({package!r}) else 1)"
            found[package] = subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0
        return found[package]

    return has


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def _entries(dim: str, chunk: list[VBenchSample], mode: str) -> list[dict[str, Any]]:
    """VBench full-info entries for one chunk: the prompt's own entry (auxiliary info kept) with its videos."""
    by_prompt: dict[str, dict[str, Any]] = {}
    for sample in chunk:
        entry = by_prompt.setdefault(
            sample.prompt.id,
            {**sample.prompt.entry, "dimension": [dim], "video_list": []}
            if mode == "standard"
            else {"prompt_en": sample.prompt.text, "dimension": [dim], "video_list": []},
        )
        entry["video_list"].append(str(sample.path))
    return list(by_prompt.values())


def _value(result: Any) -> float | None:
    if isinstance(result, bool):
        return 1.0 if result else 0.0
    if isinstance(result, (int, float)):
        return float(result)
    return None


def _rows_from_answer(config, dim: VBenchDimension, chunk: list[VBenchSample], answer: dict, shas) -> list[ResultRow]:
    base = dict(run=config.run, model=config.model, metric_version=METRIC_VERSION, backend=BACKEND)
    if not answer.get("ok"):
        return [
            ResultRow(
                prompt_id=s.prompt.id,
                seed=s.index,
                dimension=dim.row_name,
                status="error",
                error=f"VBench {dim.name}: {answer.get('error')}",
                video_sha256=shas[s.path],
                **base,
            )
            for s in chunk
        ]
    results: dict[str, list[dict]] = {}
    for item in answer.get("video_results", []):
        if isinstance(item, dict) and "video_path" in item:
            results.setdefault(str(item["video_path"]), []).append(item)
    seconds = float(answer.get("seconds", 0.0)) / max(len(chunk), 1)
    rows = []
    for sample in chunk:
        found = results.get(str(sample.path), [])
        item = found.pop(0) if found else None  # a file listed twice in a chunk has two results
        value = _value(item.get("video_results")) if item else None
        common = dict(
            prompt_id=sample.prompt.id,
            seed=sample.index,
            dimension=dim.row_name,
            video_sha256=shas[sample.path],
            seconds=seconds,
            **base,
        )
        if item is None:
            rows.append(
                ResultRow(
                    status="error",
                    error=f"VBench {dim.name} returned no result for this video (VBench skips videos it cannot read)",
                    **common,
                )
            )
        elif value is None:
            rows.append(
                ResultRow(
                    status="error",
                    error=f"VBench {dim.name} returned a non-numeric result",
                    details={"vbench_result": item},
                    **common,
                )
            )
        else:
            details = {k: v for k, v in item.items() if k != "video_path"}
            details["file"] = sample.path.name
            rows.append(ResultRow(status="ok", value=value, details=details, **common))
    return rows


def score_vbench(config: VBenchRunConfig) -> VBenchRunSummary:
    """Score ``config.videos`` with VBench; rows go to the run's store (or this shard's)."""
    config.validate()
    python = config.python or worker_python()
    full_info = config.full_info or vbench_package_dir(python) / "VBench_full_info.json"
    dims = [dimension(name) for name in config.dimensions]
    out = Path(config.out)
    store_path = out / SHARD_DIR / config.shard.store_name if config.shard.active else out / RESULTS_FILE
    summary = VBenchRunSummary(store=store_path)
    if config.mode == "custom":
        unsupported = [d for d in dims if not d.custom_input]
        for d in unsupported:
            summary.reasons[d.name] = "VBench's custom-input mode does not support it (needs auxiliary info)"
        dims = [d for d in dims if d.custom_input]
        samples = custom_samples(Path(config.videos), tuple(d.name for d in dims))
    else:
        suite = load_standard_suite(full_info)
        samples, summary.missing_samples = standard_samples(
            Path(config.videos), suite, {d.name for d in dims}, config.suffix
        )
    samples = [s for k, s in enumerate(samples) if config.shard.takes(k)]
    start = time.perf_counter()
    with ResultStore(store_path) as store:
        done = store.done_keys(config.run, config.model, config.retry_errors)
        if config.shard.active and (out / RESULTS_FILE).is_file():
            with ResultStore(out / RESULTS_FILE, readonly=True) as main:
                done |= main.done_keys(config.run, config.model, config.retry_errors)
        invocation = store.start_invocation(
            config.run,
            config.model,
            {
                "benchmark": "vbench",
                "mode": config.mode,
                "dimensions": [d.name for d in dims],
                "chunk": config.chunk,
                "device": config.device,
                "shard": f"{config.shard.rank}/{config.shard.world}",
            },
            {"vbench": VBENCH_VERSION, "python": sys.version.split()[0]},
            _sha256(full_info) if config.mode == "standard" else "",
        )
        status = "failed"
        try:
            prompts = {
                s.prompt.id: (s.prompt.id, s.prompt.text, {"vbench": list(s.prompt.dimensions)}) for s in samples
            }
            store.record_prompts(config.run, prompts.values())
            shas = {}
            for sample in samples:
                if sample.path not in shas:
                    shas[sample.path] = _sha256(sample.path)
                    store.record_video(
                        config.run,
                        config.model,
                        sample.prompt.id,
                        sample.index,
                        str(sample.path),
                        shas[sample.path],
                        0.0,
                    )
            has_package = _package_probe(python)
            with VBenchWorker(python, cache_dir(), config.threads) as worker:
                for dim in dims:
                    pending = [
                        s
                        for s in samples
                        if dim.name in s.prompt.dimensions
                        and (s.prompt.id, s.index, dim.row_name, METRIC_VERSION) not in done
                    ]
                    summary.skipped_done += sum(1 for s in samples if dim.name in s.prompt.dimensions) - len(pending)
                    if not pending:
                        continue
                    reason = missing_reason(dim, has_package)
                    if reason:
                        summary.reasons[dim.name] = reason
                        rows = [
                            ResultRow(
                                config.run,
                                config.model,
                                s.prompt.id,
                                s.index,
                                dim.row_name,
                                METRIC_VERSION,
                                "missing",
                                backend=BACKEND,
                                error=reason,
                                video_sha256=shas[s.path],
                            )
                            for s in pending
                        ]
                        store.write_results(rows)
                        summary.statuses["missing"] += len(rows)
                        continue
                    for first in range(0, len(pending), config.chunk):
                        chunk = pending[first : first + config.chunk]
                        request = {
                            "dimension": dim.name,
                            "entries": _entries(dim.name, chunk, config.mode),
                            "device": config.device,
                        }
                        try:
                            answer = worker.ask(request)
                        except WorkerCrashed as exc:
                            answer = {"ok": False, "error": str(exc)}
                        rows = _rows_from_answer(config, dim, chunk, answer, shas)
                        store.write_results(rows)
                        summary.statuses.update(r.status for r in rows)
            status = "finished"
        finally:
            store.finish_invocation(invocation, status)
    summary.seconds = time.perf_counter() - start
    return summary
