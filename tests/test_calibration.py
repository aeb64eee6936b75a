"""`wanbench calibrate`: random weights fail every learned check, missing ones skip, verdicts are kept
per weights sha256 and reach `weights status`, a run's provenance and its report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import SMALL, write_suite
from tests.tiny_backbones import entry, install_tiny_judge, install_tiny_weights
from wanbench.calibration import CHECKS, backbone_weights, calibrate, calibration_state, run_calibration
from wanbench.calibration import checks as calibration_checks
from wanbench.calibration.data import DataMissing
from wanbench.cli import app
from wanbench.report.calibration import calibration_html, uncalibrated_notes
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.run.store import ResultStore

LEARNED = [c.name for c in CHECKS if c.name != "flow-dis-epe"]


@pytest.fixture(scope="module")
def random_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Tiny random weights for every backbone and the judge, in a home of this module's own (the
    verdicts it stores must not reach other tests' runs)."""
    home = tmp_path_factory.mktemp("calibration-home")
    options = install_tiny_weights(home)
    install_tiny_judge(home)
    options["vlm"] = {"weights": "qwen2-vl-2b"}
    return home, options


@pytest.fixture
def home(random_home, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict]:
    monkeypatch.setenv("WANBENCH_HOME", str(random_home[0]))
    return random_home


@pytest.mark.slow
def test_random_weights_fail_every_learned_check(home, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check runs its real code path; to keep the test to about a minute on 2 cores, image
    quality orders 2 of its 4 photos' ladders and the judge counts 2 of its 4 clips."""
    from wanbench.calibration import clips

    monkeypatch.setattr(calibration_checks, "QUALITY_PHOTOS", ("astronaut", "coffee"))
    monkeypatch.setattr(clips, "COUNTS", (1, 3))
    _, options = home
    report = calibrate(options)
    by_name = {r.name: r for r in report.results}
    assert list(by_name) == [c.name for c in CHECKS]
    # the weight-free DIS passes on the stereo pair: the data and the measure are right
    dis = by_name["flow-dis-epe"]
    assert dis.status == "pass" and dis.figure is not None and dis.figure <= 1.5 and dis.weights == ()
    for name in LEARNED:  # each ran to a figure (no crash, no skip) and failed
        result = by_name[name]
        assert result.status == "fail" and result.figure is not None, result.line()
    assert by_name["flow-raft-epe"].figure > 5.0  # far from DIS's 1.27 px
    expected = {
        entry("raft-large"),
        entry("musiq-koniq"),
        "maniqa-koniq",
        "laion-aesthetic",
        "clip-vit-l-14",
        "dino-vitb16",
        "yolo-coco",
        "qwen2-vl-2b",
    }
    assert report.stored == {name: "fail" for name in expected}
    assert {name: calibration_state(name) for name in expected} == report.stored

    # `weights status` shows the stored verdicts without rehashing
    shown = json.loads(CliRunner().invoke(app, ["weights", "status", "--json"]).stdout)
    states = {row["name"]: row["calibration"] for row in shown}
    assert states["clip-vit-l-14"] == "fail" and states["raft-large"] == "not calibrated"


def test_missing_weights_and_data_skip_never_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))  # no weights at all
    report = calibrate(only=["flow-raft-epe", "clip-captions", "detector-person", "judge-count"])
    assert [r.status for r in report.results] == ["skipped"] * 4
    assert all("wanbench weights fetch" in r.detail for r in report.results)
    assert report.stored == {} and not report.failed

    def no_photos(name: str) -> np.ndarray:
        raise DataMissing("scikit-image is not installed (pip install 'wanbench[data]')")

    monkeypatch.setattr(calibration_checks, "stereo_pair", lambda side: no_photos("stereo"))
    (dis,) = calibrate(only=["flow-dis-epe"]).results
    assert dis.status == "skipped" and "scikit-image" in dis.detail


def test_unknown_check_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["calibrate", "--only", "no-such-check"])
    assert result.exit_code == 2 and "unknown check 'no-such-check'" in result.output


def test_verdict_belongs_to_the_bytes(home) -> None:
    """Other bytes under the same entry name are other weights: not calibrated until checked again."""
    path, options = home
    report = calibrate(options, only=["dino-subjects"])
    assert report.stored == {"dino-vitb16": "fail"} and calibration_state("dino-vitb16") == "fail"
    weights = path / "weights" / "dino-vitb16" / "config.json"
    original = weights.read_text()
    try:
        weights.write_text(original.replace("{", "{\n", 1))  # same model, other bytes
        assert calibration_state("dino-vitb16") == "not calibrated"
    finally:
        weights.write_text(original)
    calibrate(options, only=["dino-subjects"])
    assert calibration_state("dino-vitb16") == "fail"


def test_cli_prints_each_figure_and_exits_1_on_a_failure(home) -> None:
    result = CliRunner().invoke(app, ["calibrate", "--only", "flow-dis-epe", "--no-save"])
    assert result.exit_code == 0, result.output
    assert "flow-dis-epe: 1.267 (needs <= 1.5 px) PASS" in result.output


def test_backbone_weights_name_what_a_run_loads(home) -> None:
    from wanbench.dims.registry import get_dimension
    from wanbench.run.scoring import build_backbones

    _, options = home
    dims = [get_dimension(name) for name in ("image_quality", "id_consistency", "large_motion")]
    backbones = build_backbones(dims, "raft", options)
    loaded = {name: backbone_weights(b) for name, b in backbones.items()}
    assert loaded["flow"] == (entry("raft-large"),)
    assert set(loaded["iqa"]) == {entry("musiq-koniq"), "maniqa-koniq", "laion-aesthetic"}
    assert loaded["dino"] == ("dino-vitb16", "yolo-coco")
    assert backbone_weights(build_backbones(dims[2:], "dis", options)["flow"]) == ()


@pytest.mark.slow
def test_a_run_records_calibration_and_the_report_says_so(home, tmp_path: Path) -> None:
    _, options = home
    suite = write_suite(
        tmp_path / "suite.jsonl",
        [{"id": "pan", "text": "a pan", "dimensions": ["large_motion"], "camera": "pan_left", "scene": "forest"}],
    )

    def recorded(out: Path) -> dict:
        config = EvalConfig(
            model="procedural",
            suite=str(suite),
            out=out,
            model_options=SMALL,
            dimensions=("large_motion",),  # the run's backbones: RAFT alone
            flow="raft",
            backbone_options=options,
        )
        run_eval(config)
        with ResultStore(out / "results.sqlite") as store:
            (invocation,) = store.invocations()
        return invocation

    calibrate(options, only=["flow-raft-epe"])  # the tiny RAFT fails
    invocation = recorded(tmp_path / "run")
    raft = entry("raft-large")
    assert invocation["provenance"]["calibration"] == {"weights": {raft: "fail"}, "not_passed": [raft]}
    (note,) = uncalibrated_notes([invocation])
    assert f"{raft} fail" in note
    html = calibration_html([invocation | {"model": "<b>m</b>"}])
    assert "&lt;b&gt;m&lt;/b&gt;" in html and "<b>m</b>" not in html  # escaped

    from wanbench.report import write_report

    files = write_report([tmp_path / "run"], tmp_path / "report")
    assert f"{raft} fail" in files.html.read_text() and f"{raft} fail" in files.markdown.read_text()
    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "results.schema.json").read_text())
    assert files.results_json is not None
    document = json.loads(files.results_json.read_text())
    jsonschema.validate(document, schema)  # the recorded calibration is the documented shape
    (recorded_provenance,) = document["provenance"]
    assert recorded_provenance["provenance"]["calibration"]["not_passed"] == [raft]


def test_run_calibration_lists_present_weights_only(home) -> None:
    """Weight-free backends have nothing to calibrate; missing weights score nothing (their dimensions
    are reported missing), so a run does not list them either."""
    from wanbench.backbones.clip import ClipBackbone
    from wanbench.backbones.flow import DISFlow
    from wanbench.backbones.judge.backbone import VLMBackbone

    _, options = home
    assert run_calibration({"flow": DISFlow()}) == {"weights": {}, "not_passed": []}
    recorded = run_calibration({"clip": ClipBackbone(**options["clip"]), "vlm": VLMBackbone(weights="qwen2-vl-7b")})
    assert set(recorded["weights"]) == {"clip-vit-l-14"}  # qwen2-vl-7b is not installed here
