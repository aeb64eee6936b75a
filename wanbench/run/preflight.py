"""Checks of a run's arguments that must pass before any compute is spent.

Each failure is one ValueError line (the CLI prints it and exits 2): a limit or seed out of range,
a weighting or reference table that does not exist, an output folder that cannot be written, an
empty suite. Before these checks, a bad --weighting failed only after the whole run's compute.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, Benchmark
from wanbench.benchmark.flow_settings import check_flow_choice

MAX_SEED = 2**63 - 1  # seeds are stored as SQLite integers (signed 64 bit)


def check_limit(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise ValueError(f"--limit must be a positive number of prompts, got {limit}")


def check_seeds(seeds: Iterable[int]) -> None:
    seeds = list(seeds)
    if not seeds:
        raise ValueError("--seed: give at least one seed")
    for seed in seeds:
        if not 0 <= seed <= MAX_SEED:
            raise ValueError(f"--seed {seed}: seeds must be integers in 0..{MAX_SEED}")


def check_report_options(weighting: str, reference: str | None, benchmark: Benchmark | str = DEFAULT_BENCHMARK) -> None:
    """Load the weighting and the reference table now, not after the run."""
    from wanbench.benchmark.weightings import load_reference, load_weighting

    load_weighting(weighting, benchmark)
    if reference:
        load_reference(reference, benchmark)


def check_out_dir(out: Path) -> None:
    """``out`` must be (or become) a folder this process can write. The probe writes a temporary file
    into ``out``, or into its nearest existing parent when ``out`` does not exist yet, and creates
    nothing: a run that then fails to start (unknown model, missing weights) leaves no folder behind;
    the run's lock and store create ``out`` when it starts."""
    out = Path(out)
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir():
            where = "is a file" if parent == out else f"is under {parent}, which is a file"
            raise ValueError(f"--out {out} {where}; give a folder")
    existing = next((p for p in [out, *out.parents] if p.is_dir()), Path("."))
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".write-probe-"):
            pass
    except OSError as exc:
        raise ValueError(f"--out {out}: cannot write there ({exc.strerror or type(exc).__name__})") from None
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"--out {out}: cannot write there (permission denied)")


def check_suite(suite) -> None:
    """A suite with no lines at all has nothing to run (malformed lines still run, as error rows)."""
    if not suite.prompts and not suite.problems:
        raise ValueError(f"suite {suite.name} ({suite.path}) has no prompts")


def check_environment() -> None:
    """The WANBENCH_MAX_* decode limits, read now: a typo there used to surface after a video was made."""
    from wanbench.video import DecodeLimits

    DecodeLimits.from_env()


def check_judge_server(config) -> None:
    """A remote judge the run's dimensions need must answer now (as one line), not after the compute."""
    vlm = config.backbone_options.get("vlm", {})
    if not vlm.get("url"):  # a local judge: nothing to reach
        return
    from wanbench.benchmark.definition import load_benchmark
    from wanbench.dims.registry import get_dimension

    benchmark = load_benchmark(config.benchmark)
    names = config.dimensions or benchmark.keys
    if not any("vlm" in get_dimension(name, benchmark, config.backbone_options).needs for name in names):
        return
    from wanbench.backbones.judge.remote import probe_server

    reason = probe_server(str(vlm["url"]))
    if reason is not None:
        raise ValueError(
            f"--judge-url {vlm['url']}: no judge server answers there ({reason}); start it, or leave out --judge remote"
        )


def check_model_options(config) -> None:
    """The adapter's options by name, type and bounds, before any model loads; the config then holds
    the converted values (``use_dynamic_cfg=no`` is recorded and run as false, not as the text "no")."""
    from wanbench.adapters.base import check_adapter_options

    config.model_options = check_adapter_options(config.model, config.model_options)


def check_run(config, benchmark: Benchmark):
    """Every check above for one ``eval``/``score`` invocation, cheapest first; returns the loaded suite.
    ``EvalConfig.validate`` calls it, so the API and the CLI refuse the same things before any compute.
    (``config.model_options`` is replaced by the checked values.)"""
    from wanbench.prompts.suite import PROMPT_ID, load_suite

    if config.name is not None and not PROMPT_ID.match(config.name):
        raise ValueError(f"--name {config.name!r} must be letters, digits, '_', '.', '-' (it names a folder)")
    if config.dimensions is not None:
        benchmark.check_dimensions(list(config.dimensions))
    check_flow_choice(config.flow)
    if "vlm" in (config.backbone_options or {}):
        from wanbench.backbones.judge.backends import check_vlm_options

        check_vlm_options(config.backbone_options["vlm"])  # the judge backend and its own options
    check_limit(config.limit)
    check_seeds(config.seeds)
    check_environment()
    check_model_options(config)
    check_report_options(config.weighting or benchmark.default_weighting, config.reference, benchmark)
    suite = load_suite(config.suite)
    check_suite(suite)
    check_out_dir(config.out)
    check_judge_server(config)  # last: the only check that may wait on the network
    return suite
