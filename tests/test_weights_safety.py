"""No file in a weights folder can run code: model.json is allow-listed, ultralytics' safe load is
forced, pickles are opened only after a full sha256 match, and a prefix never verifies a file."""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_suite
from wanbench.backbones.detector import YoloDetector, convert_ultralytics_checkpoint, quiet_ultralytics, save_detector
from wanbench.backbones.detector_safety import check_meta, private_config_dir, restricted_build
from wanbench.model_weights import WeightsError, WeightSpec, weights_status

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def good_detector(tmp_path_factory: pytest.TempPathFactory) -> Path:
    quiet_ultralytics()
    from ultralytics.nn.tasks import DetectionModel

    model = DetectionModel("yolov8n.yaml", nc=2, verbose=False)
    return save_detector(model, ["person", "hand"], tmp_path_factory.mktemp("det") / "good", imgsz=64)


def planted(good: Path, folder: Path, marker: Path, where: str) -> Path:
    """A copy of a real detector whose model.json tries to create ``marker`` through ``where``."""
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes((good / "model.safetensors").read_bytes())
    meta = json.loads((good / "model.json").read_text())
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    if where == "activation":
        meta["arch"]["activation"] = f"{payload} or nn.SiLU()"
    elif where == "module":
        meta["arch"]["backbone"][0][2] = "eval"
    elif where == "arg":
        meta["arch"]["backbone"][0][3][0] = payload
    elif where == "key":
        meta["arch"]["__class__"] = payload
    (folder / "model.json").write_text(json.dumps(meta))
    return folder


def test_a_real_detector_passes_the_allow_list_and_loads(good_detector: Path) -> None:
    check_meta(json.loads((good_detector / "model.json").read_text()))
    detector = YoloDetector(good_detector, imgsz=64)
    assert detector.names == {0: "person", 1: "hand"}


@pytest.mark.parametrize("where", ["activation", "module", "arg", "key"])
def test_a_planted_model_json_is_refused_and_runs_nothing(good_detector: Path, tmp_path: Path, where: str) -> None:
    marker = tmp_path / "PWNED"
    folder = planted(good_detector, tmp_path / "evil", marker, where)
    with pytest.raises(WeightsError) as info:
        YoloDetector(folder)
    assert "refusing to build this detector" in str(info.value) and "\n" not in str(info.value)
    assert not marker.exists()


def test_ultralytics_safe_load_is_a_second_guard(good_detector: Path, tmp_path: Path) -> None:
    """Even with our allow-list bypassed, the forced safe load never evaluates the activation string."""
    marker = tmp_path / "PWNED"
    meta = json.loads((planted(good_detector, tmp_path / "evil", marker, "activation") / "model.json").read_text())
    with restricted_build():
        from ultralytics.nn.tasks import DetectionModel

        with pytest.raises(TypeError, match="activation"):  # ultralytics refuses the expression
            DetectionModel(meta["arch"], nc=2, verbose=False)
    assert not marker.exists()
    assert os.environ["ULTRALYTICS_SAFE_LOAD"] == "1"


def test_scoring_with_a_planted_detector_runs_nothing_in_a_fresh_process(good_detector: Path, tmp_path: Path) -> None:
    """Through the CLI, with the caller's environment asking for unsafe loading: an error row, no code run."""
    marker = tmp_path / "PWNED"
    folder = planted(good_detector, tmp_path / "evil", marker, "activation")
    suite = write_suite(
        tmp_path / "s.jsonl",
        [{"id": "p0", "text": "a person waving", "dimensions": ["human_artifacts"], "has_human": True}],
    )
    out = tmp_path / "run"
    env = os.environ | {"PYTHONPATH": str(ROOT), "ULTRALYTICS_SAFE_LOAD": "0"}
    env.pop("YOLO_CONFIG_DIR", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "wanbench",
            "eval",
            "--model",
            "procedural",
            "--suite",
            str(suite),
            "--out",
            str(out),
            "--dims",
            "human_artifacts",
            "--artifacts-weights",
            str(folder),
            "--quiet",
            "--no-report",
            "--option",
            "width=64",
            "--option",
            "height=64",
            "--option",
            "frames=4",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert not marker.exists()
    con = sqlite3.connect(out / "results.sqlite")
    status, error = con.execute("SELECT status, error FROM results").fetchone()
    con.close()
    assert status == "error" and "refusing to build this detector" in error and "\n" not in error


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch PWNED_BY_PICKLE",))


def test_a_pickle_is_not_opened_without_a_full_matching_sha256(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    pt_file = tmp_path / "yolo11n.pt"
    pt_file.write_bytes(pickle.dumps(_Evil()))
    with pytest.raises(WeightsError, match="no full sha256"):
        convert_ultralytics_checkpoint(pt_file, tmp_path / "out", "0ebbc80d")
    with pytest.raises(WeightsError, match="sha256 mismatch"):
        convert_ultralytics_checkpoint(pt_file, tmp_path / "out", "0" * 64)
    assert not (tmp_path / "PWNED_BY_PICKLE").exists() and not (tmp_path / "out").exists()


def test_a_sha256_prefix_alone_never_verifies(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))
    folder = tmp_path / "weights" / "prefix-test"
    folder.mkdir(parents=True)
    (folder / "a.bin").write_bytes(b"hello")  # sha256 2cf24dba5fb0a30e...
    spec = WeightSpec(
        name="prefix-test", description="", used_by="", files=("a.bin",), licence="x", sha256={"a.bin": "2cf24dba"}
    )
    assert weights_status(spec).state == "checksum-failed"


def test_pinned_downloads_carry_full_digests() -> None:
    from wanbench.backbones.detector import COCO_SHA256
    from wanbench.model_weights import WEIGHTS

    pins = [v for name in WEIGHTS.names() for v in WEIGHTS.get(name).sha256.values()] + [COCO_SHA256]
    assert pins and all(len(v) == 64 and int(v, 16) >= 0 for v in pins)


def test_the_ultralytics_config_folder_is_private_to_the_process() -> None:
    folder = Path(private_config_dir())
    assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert folder.name.startswith("wanbench-ultralytics-") and folder.name != "wanbench-ultralytics"


def test_a_pinned_ultralytics_checkpoint_converts_through_the_weights_only_loader(tmp_path: Path) -> None:
    import torch

    quiet_ultralytics()
    from ultralytics.nn.tasks import DetectionModel

    from wanbench.hashing import file_sha256

    model = DetectionModel("yolov8n.yaml", nc=2, verbose=False)
    model.names = {0: "person", 1: "hand"}
    pt_file = tmp_path / "tiny.pt"
    torch.save({"model": model.half(), "train_args": {"imgsz": 64}}, pt_file)  # ultralytics' checkpoint layout
    folder = convert_ultralytics_checkpoint(pt_file, tmp_path / "converted", file_sha256(pt_file))
    detector = YoloDetector(folder)
    assert detector.names == {0: "person", 1: "hand"} and detector.imgsz == 64


@pytest.mark.parametrize(
    "change",
    [
        lambda arch: arch["backbone"][0][3].__setitem__(0, 1_000_000),  # a layer of a million channels
        lambda arch: arch.__setitem__("nc", 100_000),
        lambda arch: arch["scales"].__setitem__("n", [0.33, 1e6, 1024]),
        lambda arch: arch["backbone"][0][3].__setitem__(0, float("nan")),
    ],
    ids=["channels", "classes", "width-scale", "nan"],
)
def test_model_json_sizes_are_bounded(good_detector: Path, change) -> None:
    """Issue 30 item 14: the allow-list bounds sizes, not only names (a 1e6-channel layer used to pass)."""
    meta = json.loads((good_detector / "model.json").read_text())
    change(meta["arch"])
    with pytest.raises(WeightsError, match="refusing to build this detector"):
        check_meta(meta)
