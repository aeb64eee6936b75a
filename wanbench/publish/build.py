"""Run the published models on the published suite slices and write their reports.

Runs go to a work folder (temporary unless given, never committed); only text, results.json and
charts come out. Every written file is free of clocks and machine paths, so the same code gives the
same files; what does depend on the machine (git commit, package versions) sits in one marked block
of each README that comparisons skip (``wanbench.publish.compare``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wanbench.publish.readme import provenance_block, readme_text
from wanbench.publish.settings import FULL, PublishSettings, SuiteSlice

SUITE_HEADER = "suite"


@dataclass
class SliceResult:
    """One suite slice as published: its file's sha256, prompt ids, and the document written."""

    slice: SuiteSlice
    sha256: str
    source_sha256: str
    prompts: int
    document: dict[str, Any]


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """One torch and one OpenCV thread: two fresh builds at two threads gave different wan-tiny clips
    on the same machine (a camera label flipped), one thread gave the same bytes every time."""
    import cv2
    import torch

    threads, cv_threads = torch.get_num_threads(), cv2.getNumThreads()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        cv2.setNumThreads(cv_threads)


@contextlib.contextmanager
def offline_environment(home: Path) -> Iterator[None]:
    """No scoring weights and no network: the 3 flow dimensions score, the other 11 are missing on
    every machine alike (weights a user fetched must not change what the repository publishes)."""
    names = {"WANBENCH_HOME": home / "wanbench", "HF_HOME": home / "hf", "HF_HUB_OFFLINE": "1"}
    saved = {name: os.environ.get(name) for name in names}
    try:
        for name, value in names.items():
            os.environ[name] = str(value)
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def write_slice(spec: SuiteSlice, folder: Path) -> tuple[Path, str, str, int]:
    """Write the slice as a suite file named after it; returns (path, its sha256, source sha256, prompts)."""
    from wanbench.hashing import file_sha256
    from wanbench.prompts.suite import resolve_suite_path

    source = resolve_suite_path(spec.suite)
    lines = source.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if SUITE_HEADER in json.loads(line) and "id" not in json.loads(line)]
    prompts = [line for line in lines if "id" in json.loads(line)]
    if spec.dimension:
        prompts = [line for line in prompts if spec.dimension in json.loads(line).get("dimensions", ())]
    if spec.cameras:
        prompts = [line for line in prompts if json.loads(line).get("camera") in spec.cameras]
    prompts = prompts[:: spec.stride][: spec.limit]
    if not prompts:
        raise ValueError(f"suite slice {spec.name}: no prompts left in {spec.suite}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.name}.jsonl"
    path.write_text("\n".join(header + prompts) + "\n", encoding="utf-8")
    return path, file_sha256(path), file_sha256(source), len(prompts)


def run_slice(settings: PublishSettings, suite: Path, runs: Path, floor: Path) -> list[Path]:
    """Generate and score the slice with every model (resumable: a finished run is not redone)."""
    from wanbench.run.runner import EvalConfig, run_eval

    dirs = []
    for entry in settings.models:
        options = dict(entry.options) | ({"weights": str(floor)} if entry.random_weights else {})
        out = runs / entry.label
        run_eval(
            EvalConfig(
                model=entry.adapter,
                name=entry.label,
                suite=str(suite),
                out=out,
                seeds=(settings.seed,),
                model_options=options,
                flow=settings.flow,
                prefetch=0,
            )
        )
        dirs.append(out)
    return dirs


class Scrubber:
    """Replaces machine paths (the work folder, the package's folder) with stable names."""

    def __init__(self, work: Path) -> None:
        import wanbench

        package = Path(wanbench.__file__).resolve().parent
        home = work / "home" / "wanbench"  # what offline_environment points WANBENCH_HOME at
        self.pairs = [(str(home.resolve()), "$WANBENCH_HOME"), (str(home), "$WANBENCH_HOME")]
        self.pairs += [(str(work.resolve()), "<work>"), (str(work), "<work>"), (str(package), "<wanbench>")]

    def text(self, text: str) -> str:
        for old, new in self.pairs:
            text = text.replace(old, new)
        return text

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


# Per invocation, what the published results.json keeps: what was asked and what it ran with; not
# when, where, by which argv or on which device (those are the machine's, not the code's).
KEPT_CONFIG = ("adapter", "benchmark", "flow", "metric_versions", "model_options", "scoring", "seeds", "suite")
LEGACY_CONFIG_KEYS = {"flow": "flow_backend"}  # the name a key had in runs recorded before it was renamed


def kept_config(config: dict[str, Any]) -> dict[str, Any]:
    return {key: config.get(key, config.get(LEGACY_CONFIG_KEYS.get(key, key))) for key in KEPT_CONFIG}


def published_document(evaluation: Any, scrub: Scrubber) -> dict[str, Any]:
    """results.json as ``wanbench report`` writes it, its provenance cut to the machine-free part."""
    from wanbench.report.results_json import results_document

    document = results_document(evaluation, evaluation.leaderboard())
    kept = [
        {
            "run": item["run"],
            "model": item["model"],
            "status": item["status"],
            "suite_sha256": item["suite_sha256"],
            "config": kept_config(item["config"]),
            "started": None,  # the schema's fields, without the clock ...
            "finished": None,
            "provenance": {},  # ... or the machine (commit and packages: the README's provenance block)
        }
        for item in document["provenance"]
    ]
    # a resumed build adds an invocation that asked the same: one entry per distinct ask, so a
    # build resumed from kept runs publishes what a fresh one does
    unique = {json.dumps(entry, sort_keys=True, default=str): entry for entry in kept}
    document["provenance"] = list(unique.values())
    return scrub.value(json.loads(json.dumps(document, default=str)))


def publish_slice(evaluation: Any, work_report: Path, out: Path, scrub: Scrubber) -> dict[str, Any]:
    """leaderboard.md, results.json and charts/ of one slice into ``out``."""
    from wanbench.report import write_report
    from wanbench.report.results_json import write_results_json

    files = write_report(evaluation, work_report)
    out.mkdir(parents=True, exist_ok=True)
    (out / "leaderboard.md").write_text(scrub.text(files.markdown.read_text(encoding="utf-8")), encoding="utf-8")
    document = published_document(evaluation, scrub)
    write_results_json(out / "results.json", document)
    charts = out / "charts"
    shutil.rmtree(charts, ignore_errors=True)
    charts.mkdir()
    for chart in sorted(files.charts):
        shutil.copyfile(chart, charts / chart.name)
    return document


def build_reports(out: Path, settings: PublishSettings = FULL, work: Path | None = None) -> list[SliceResult]:
    """Rebuild ``out`` (its slice folders and README; other files there are left alone) from fresh
    runs in ``work`` (a temporary folder, removed after, when None; kept and resumed when given)."""
    from wanbench.evaluation.read import load_evaluation
    from wanbench.publish.floor import random_release

    out = Path(out)
    with contextlib.ExitStack() as stack:
        if work is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wanbench-reports-")))
        work = Path(work)
        scrub = Scrubber(work)
        stack.enter_context(offline_environment(work / "home"))
        stack.enter_context(single_thread())
        floor = work / "wan-tiny-random"
        if any(m.random_weights for m in settings.models) and not (floor / "Wan2.1_VAE.pth").exists():
            random_release(floor, settings.random_weights_seed)
        results = []
        for spec in settings.slices:
            suite, sha, source_sha, count = write_slice(spec, work / "suites")
            dirs = run_slice(settings, suite, work / "runs" / spec.name, floor)
            evaluation = load_evaluation(dirs)
            document = publish_slice(evaluation, work / "report" / spec.name, out / spec.name, scrub)
            results.append(SliceResult(spec, sha, source_sha, count, document))
        (out / "README.md").write_text(readme_text(settings, results, provenance_block()), encoding="utf-8")
    return results
