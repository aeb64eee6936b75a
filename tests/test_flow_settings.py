"""Flow settings are part of the flow dimensions' metric version, and flow options reach only the
backend that takes them.

Changing RAFT's defaults (12 iterations, 48 pairs, backward check -> 20 iterations, 4 pairs, forward
only) changed the numbers without changing the version, so rows of both would have averaged. Now the
version carries a hash of every flow setting that changes the numbers, read from the backends'
constructors, so a changed default or option makes the older rows stale.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from pathlib import Path

import pytest

from tests.conftest import SMALL
from wanbench.backbones.flow import AutoFlow, DISFlow, RAFTFlow
from wanbench.benchmark import flow_settings as settings
from wanbench.benchmark.definition import load_benchmark
from wanbench.benchmark.flow_settings import flow_settings
from wanbench.benchmark.versions import benchmark_versions
from wanbench.dims.registry import get_dimension
from wanbench.evaluation.read import load_evaluation
from wanbench.run.runner import EvalConfig, build_backbones, run_eval
from wanbench.run.store import ResultStore

FLOW_DIMS = ("large_motion", "pixel_stability", "camera_control")
FORMER_RAFT_DEFAULTS = {"iterations": 12, "max_pairs": 48, "backward": True}


def versions(options: dict | None = None) -> dict[str, str]:
    return {d: v for d, v in benchmark_versions(load_benchmark(), options).items() if d in FLOW_DIMS}


def with_default(monkeypatch: pytest.MonkeyPatch, cls: type, **changed) -> None:
    """Change a backend's defaults as a code change to them would: in the one place they are written
    (wanbench/benchmark/flow_settings.py), which the constructor's defaults were read from."""
    name = {"RAFTFlow": "RAFT_DEFAULTS", "DISFlow": "DIS_DEFAULTS"}[cls.__name__]
    monkeypatch.setattr(settings, name, dataclasses.replace(getattr(settings, name), **changed))
    methods = tuple(
        dataclasses.replace(m, defaults=dataclasses.replace(m.defaults, **changed))
        if m.cls.endswith(f":{cls.__name__}")
        else m
        for m in settings.FLOW_METHODS
    )
    monkeypatch.setattr(settings, "FLOW_METHODS", methods)
    parameters = [p for p in inspect.signature(cls.__init__).parameters.values() if p.default is not p.empty]
    monkeypatch.setattr(cls.__init__, "__defaults__", tuple(changed.get(p.name, p.default) for p in parameters))


def test_the_backends_take_their_defaults_from_the_settings_data() -> None:
    for cls, defaults in ((RAFTFlow, settings.RAFT_DEFAULTS), (DISFlow, settings.DIS_DEFAULTS)):
        parameters = inspect.signature(cls).parameters.values()
        assert {p.name: p.default for p in parameters} == dataclasses.asdict(defaults), cls


def test_every_setting_that_changes_flow_numbers_changes_the_version() -> None:
    now = versions()
    assert versions({}) == now == versions({"flow": {"iterations": 20}})  # a default, spelled out
    assert versions({"flow-raft": {"span_seconds": 0.5}}) == now != versions({"flow": {"span_seconds": 0.5}})  # DIS: 0
    assert versions({"flow": {"batch": 1, "device": "cpu"}}) == now  # how fields are computed, not their values
    assert versions({"vlm": {"judge": "local"}}) == now  # not a flow option
    for option, value in (
        ("iterations", 12),
        ("max_pairs", 16),
        ("span_seconds", 0.25),
        ("max_side", 128),
        ("backward", True),
        ("weights", "other-raft"),
        ("arch", "raft_small"),
        ("preset", "fast"),
    ):
        changed = versions({"flow": {option: value}})
        assert all(changed[d] != now[d] for d in FLOW_DIMS), option
    former = versions({"flow-raft": FORMER_RAFT_DEFAULTS})
    assert all(former[d] != now[d] for d in FLOW_DIMS)
    assert now["camera_control"].startswith("4.t") and now["large_motion"].startswith("3.f")


def test_a_changed_default_changes_the_version_without_anyone_bumping_it(monkeypatch) -> None:
    before = versions()
    with_default(monkeypatch, RAFTFlow, iterations=12)
    assert RAFTFlow().iterations == 12 and flow_settings()["raft"]["iterations"] == 12
    after = versions()
    assert all(after[d] != before[d] for d in FLOW_DIMS)


def test_rows_scored_under_other_flow_defaults_are_stale_and_rescored_not_averaged(
    tmp_path: Path, tiny_suite: Path
) -> None:
    out = tmp_path / "run"
    config = EvalConfig(
        model="procedural",
        suite=str(tiny_suite),
        out=out,
        model_options=SMALL,
        dimensions=("large_motion",),
        flow="dis",
    )
    with pytest.MonkeyPatch.context() as old_code:  # the "old" code: DIS on 2 pairs per clip
        with_default(old_code, DISFlow, max_pairs=2)
        first = run_eval(config)
        old_version = get_dimension("large_motion").version
    # the new code: the real defaults (48 pairs), and no one bumped a version by hand
    assert get_dimension("large_motion").version != old_version

    marked = load_evaluation(out, weighting="equal").results
    assert set(marked["status"]) == {"stale"}  # nothing of the old settings is read as current
    cell = load_evaluation(out, weighting="equal").summaries[0].dimensions["large_motion"]
    assert cell.mean is None and cell.n_stale == first.rows_written and "stale" in cell.missing_reason

    again = run_eval(config)  # resuming re-scores every stale row under the current settings
    assert again.rows_written == first.rows_written and again.rows_skipped == 0
    evaluation = load_evaluation(out, weighting="equal")
    marked = evaluation.results
    cell = evaluation.summaries[0].dimensions["large_motion"]
    current = marked[(marked.status == "ok")]
    assert cell.n_stale == first.rows_written and cell.n == len(current)
    assert cell.mean == pytest.approx(current.groupby("prompt_id")["value"].mean().mean())
    assert set(current["metric_version"]) == {get_dimension("large_motion").version}
    with ResultStore(out / "results.sqlite") as store:
        stored = {r["metric_version"] for r in store.results()}
    assert stored == {old_version, get_dimension("large_motion").version}  # both kept, only one averaged


def test_a_run_with_flow_options_reads_its_own_rows_as_current(tmp_path: Path, tiny_suite: Path) -> None:
    out = tmp_path / "run"
    options = {"flow": {"max_pairs": 3}}
    run_eval(
        EvalConfig(
            model="procedural",
            suite=str(tiny_suite),
            out=out,
            model_options=SMALL,
            dimensions=FLOW_DIMS,
            flow="dis",
            backbone_options=options,
        )
    )
    results = marked = load_evaluation(out).results
    assert "stale" not in set(marked["status"]) and set(marked["stored_status"]) <= {"ok", "not_applicable", "missing"}
    assert set(results["metric_version"]) == {get_dimension(d).configured(options).version for d in FLOW_DIMS}
    assert set(results["metric_version"]).isdisjoint(versions().values())  # not the defaults' versions


# --- flow options reach only the backend that takes them ----------------------------------------


def test_dis_run_ignores_raft_weights_given_for_the_flow_role(tmp_path: Path, tiny_suite: Path) -> None:
    """``eval --flow dis`` with RAFT weights in the flow role's options used to crash with
    "unexpected keyword argument 'weights'"."""
    options = {"flow": {"weights": "raft-large", "iterations": 12, "max_pairs": 3}}
    summary = run_eval(
        EvalConfig(
            model="procedural",
            suite=str(tiny_suite),
            out=tmp_path / "run",
            model_options=SMALL,
            dimensions=("large_motion",),
            flow="dis",
            backbone_options=options,
        )
    )
    assert summary.ok == summary.rows_written > 0 and summary.errors == 0
    with ResultStore(tmp_path / "run" / "results.sqlite") as store:
        backends = {r["backend"] for r in store.results()}
    assert len(backends) == 1 and "opencv-dis" in backends.pop()
    (flow,) = build_backbones([get_dimension("large_motion")], "dis", options).values()
    assert isinstance(flow, DISFlow) and flow.max_pairs == 3  # the option DIS takes still reaches it


def test_options_asked_of_a_backend_that_does_not_take_them_are_one_clear_error() -> None:
    with pytest.raises(ValueError) as info:
        build_backbones([get_dimension("large_motion")], "dis", {"flow-dis": {"weights": "raft-large"}})
    message = str(info.value)
    assert "'flow-dis'" in message and "'weights'" in message and "max_pairs" in message and "\n" not in message
    with pytest.raises(ValueError, match="'iteratons'"):  # a typo no flow backend takes
        build_backbones([get_dimension("large_motion")], "auto", {"flow": {"iteratons": 5}})


def test_auto_flow_gives_each_backend_the_options_it_takes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path / "empty-home"))  # no RAFT weights: the DIS fallback
    flow = AutoFlow(weights="raft-large", iterations=12, max_pairs=5, preset="fast")
    assert isinstance(flow.chosen, DISFlow) and (flow.chosen.max_pairs, flow.chosen.preset) == (5, "fast")
    assert (flow.raft.iterations, flow.raft.max_pairs) == (12, 5)


def test_each_flow_method_is_named_in_one_table_and_every_layer_reads_it(tmp_path: Path, tiny_suite: Path) -> None:
    from wanbench.backbones.base import BACKBONES
    from wanbench.benchmark.methods import ALTERNATIVES, row_method
    from wanbench.calibration.checks import CHECKS

    assert settings.FLOW_CHOICES == ("auto", "raft", "dis")
    for method in settings.FLOW_METHODS:
        backbones = build_backbones([get_dimension("large_motion")], method.choice)
        assert type(backbones["flow"]) is BACKBONES.get(method.backbone)  # the choice builds its backbone
        assert type(backbones["flow"]).method == method  # which labels what it computes
        assert f"{method.backbone}-epe" in {check.name for check in CHECKS}
        # a row is labelled by what it recorded; the backend string is read only for rows that recorded none
        assert row_method("large_motion", "some future backend", {"method": method.label}) == method.label
    assert ALTERNATIVES["flow"] == settings.FLOW_LABELS == ("RAFT", "DIS")
    assert row_method("large_motion", "opencv-dis/medium (cv2 5) [fallback: raft-large weights missing]") == "DIS"
    assert row_method("large_motion", "torchvision raft_large sha256:abc (iters 20)") == "RAFT"
    assert row_method("large_motion", "something else") == "unknown flow"
    assert row_method("human_artifacts", "some future judge", {"method": "judge"}) == "judge"  # not only flow
    with pytest.raises(ValueError, match="--flow 'rafts': use one of auto, raft, dis"):
        EvalConfig(model="procedural", suite=str(tiny_suite), out=tmp_path / "x", flow="rafts").validate()

    out = tmp_path / "run"
    run_eval(
        EvalConfig(
            model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL, dimensions=FLOW_DIMS, flow="dis"
        )
    )
    with ResultStore(out / "results.sqlite", readonly=True) as store:
        rows = [r for r in store.results() if r["status"] == "ok"]
    assert rows and {json.loads(r["details"])["method"] for r in rows} == {"DIS"}
    cell = load_evaluation(out, weighting="equal").summaries[0].dimensions["large_motion"]
    assert cell.method == "DIS" and not cell.reference_method  # the definition's reference method is RAFT
