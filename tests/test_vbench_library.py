"""The VBench runner's fast parts: checkpoint entries and missing reasons, generation under VBench's
names, the one-line errors of `--benchmark vbench`. The end-to-end runs are in test_vbench_runner.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wanbench.cli import app
from wanbench.model_weights import WEIGHTS, weights_status
from wanbench.vbench import environment
from wanbench.vbench.dimensions import DIMENSIONS
from wanbench.vbench.naming import prompt_from_filename, sample_name
from wanbench.vbench.runner import cache_dir, missing_reason
from wanbench.vbench.weights import CHECKPOINTS, _extract


def test_every_checkpoint_is_a_weights_entry_in_vbench_s_layout():
    needed = {name for d in DIMENSIONS.values() for name in d.weights}
    assert needed == {c.name for c in CHECKPOINTS}
    for entry in CHECKPOINTS:
        spec = WEIGHTS.get(entry.name)
        assert spec.local_dir() == cache_dir() and spec.files == tuple(entry.sources)
        assert spec.fetcher == "wanbench.vbench.weights:fetch_checkpoint"
    assert "detectron2" in WEIGHTS.get("vbench-grit").note


def test_missing_reason_names_the_file_and_the_fetch_command():
    raft = DIMENSIONS["dynamic_degree"]
    reason = missing_reason(raft, has_package=lambda name: True)
    assert reason and "raft_model/models/raft-things.pth" in reason and "wanbench weights fetch vbench-raft" in reason
    path = cache_dir() / "raft_model" / "models" / "raft-things.pth"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"planted")
    assert weights_status("vbench-raft").state == "unverified"  # no digest is published for it
    assert missing_reason(raft, has_package=lambda name: True) is None
    assert missing_reason(DIMENSIONS["temporal_flickering"], has_package=lambda name: False) is None
    grit = DIMENSIONS["color"]
    (cache_dir() / "grit_model").mkdir()
    (cache_dir() / "grit_model" / "grit_b_densecap_objectdet.pth").write_bytes(b"planted")
    assert "detectron2" in missing_reason(grit, has_package=lambda name: False)


def test_zip_extraction_stays_inside_its_folder(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("dino-main/hubconf.py", "dependencies = []\n")
        bundle.writestr("dino-main/../../escaped.py", "no")
        bundle.writestr("models/raft-things.pth", b"weights")
    _extract(archive, "dino-main/", tmp_path / "repo")
    assert (tmp_path / "repo" / "hubconf.py").read_text() == "dependencies = []\n"
    assert not (tmp_path / "escaped.py").exists() and not (tmp_path.parent / "escaped.py").exists()
    _extract(archive, "models/raft-things.pth", tmp_path / "w" / "raft-things.pth")
    assert (tmp_path / "w" / "raft-things.pth").read_bytes() == b"weights"


def test_vbench_names():
    assert sample_name("a cat", 3) == "a cat-3.mp4"
    assert prompt_from_filename("a cat-3.mp4") == ("a cat", 3)
    assert prompt_from_filename("a dog.mp4") == ("a dog", 0)
    assert prompt_from_filename("a-b-c-12.gif") == ("a-b-c", 12)


def test_generation_writes_vbench_standard_names(tmp_path, monkeypatch):
    from wanbench.vbench import pipeline

    full_info = tmp_path / "VBench_full_info.json"
    full_info.write_text(
        '[{"prompt_en": "a red cube", "dimension": ["temporal_flickering"]},'
        ' {"prompt_en": "a dog running", "dimension": ["dynamic_degree", "motion_smoothness"]},'
        ' {"prompt_en": "a red cube", "dimension": ["subject_consistency"]}]'
    )
    monkeypatch.setattr(pipeline, "vbench_package_dir", lambda: tmp_path)
    options = {"width": 64, "height": 64, "frames": 5}
    made = pipeline.generate_standard_suite("procedural", options, tmp_path / "run", samples=2)
    names = sorted(p.name for p in made.folder.iterdir())
    assert names == ["a dog running-0.mp4", "a dog running-1.mp4", "a red cube-0.mp4", "a red cube-1.mp4"]
    assert (made.made, made.kept) == (4, 0)
    again = pipeline.generate_standard_suite("procedural", options, tmp_path / "run", samples=2)
    assert (again.made, again.kept) == (0, 4)  # resume: nothing made twice


def test_cli_errors_are_one_line(tmp_path, monkeypatch):
    (tmp_path / "videos").mkdir()
    monkeypatch.setenv(environment.ENV_VARIABLE, str(tmp_path / "no-python"))
    result = CliRunner().invoke(
        app, ["score", "--videos", str(tmp_path / "videos"), "--name", "x", "--benchmark", "vbench"]
    )
    assert result.exit_code == 2 and "no such interpreter" in result.output
    monkeypatch.setenv(environment.ENV_VARIABLE, __import__("sys").executable)
    result = CliRunner().invoke(
        app,
        ["score", "--videos", str(tmp_path / "videos"), "--name", "x", "--benchmark", "vbench", "--dims", "nosuch"],
    )
    assert result.exit_code == 2 and "unknown VBench dimension 'nosuch'" in result.output


@pytest.mark.parametrize("mode", ["sideways"])
def test_bad_mode_is_refused(tmp_path, mode):
    from wanbench.vbench.runner import VBenchRunConfig

    with pytest.raises(ValueError, match="expected standard or custom"):
        VBenchRunConfig(videos=tmp_path, out=tmp_path / "r", mode=mode).validate()


def test_summary_lines_show_scores_with_coverage_beside_table4(tmp_path):
    from collections import Counter

    from wanbench.vbench.pipeline import summary_lines
    from wanbench.vbench.runner import VBenchRunSummary
    from wanbench.vbench.scores import scores_from_rows

    rows = [
        dict(model="m", prompt_id=f"p{k}", seed=0, dimension=d, metric_version="vbench-0.1.5", status="ok", value=v)
        for k, v in enumerate((0.95, 0.97, 0.99))
        for d in ("temporal_flickering", "motion_smoothness")
    ]
    scores = scores_from_rows(rows, resamples=50)
    run = VBenchRunSummary(store=tmp_path / "results.sqlite", statuses=Counter(ok=6, missing=3))
    run.reasons["imaging_quality"] = (
        "VBench checkpoint absent: ...; get it with `wanbench weights fetch vbench-musiq-spaq`"
    )
    text = "\n".join(summary_lines(run, scores))
    assert "6 ok" in text and "3 missing" in text and "wanbench weights fetch vbench-musiq-spaq" in text
    assert "Quality n/a (2/7 dimensions)" in text and "Total n/a" in text
    assert "Wan 14B (2025-02-24) 86.67 / 84.44 / 86.22" in text


class _ScriptedWorker:
    """Stands in for VBench's worker process: answers from a script, or crashes, per request."""

    script: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        self.asked = 0

    def ask(self, request):
        from wanbench.vbench.client import WorkerCrashed

        paths = [p for entry in request["entries"] for p in entry["video_list"]]
        what = _ScriptedWorker.script.pop(0)
        if what == "crash":
            raise WorkerCrashed("VBench's worker ended (exit status -9) while evaluating temporal_flickering")
        results = [{"video_path": p, "video_results": 0.5} for p in paths]
        if what == "odd":  # VBench skipped the first video and returned a non-number for the second
            results = [{"video_path": paths[1], "video_results": "n/a"}]
        return {"ok": True, "video_results": results, "seconds": 2.0}

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def test_a_crashed_chunk_is_error_rows_and_a_rerun_retries_them(tmp_path, monkeypatch):
    import sys

    from wanbench.run.store import ResultStore
    from wanbench.vbench import runner

    full_info = tmp_path / "full_info.json"
    full_info.write_text(
        '[{"prompt_en": "a", "dimension": ["temporal_flickering"]}, '
        '{"prompt_en": "b", "dimension": ["temporal_flickering"]}]'
    )
    videos = tmp_path / "videos"
    videos.mkdir()
    for name in ("a-0.mp4", "a-1.mp4", "b-0.mp4", "b-1.mp4"):
        (videos / name).write_bytes(name.encode())
    monkeypatch.setattr(runner, "VBenchWorker", _ScriptedWorker)
    config = runner.VBenchRunConfig(
        videos=videos,
        out=tmp_path / "run",
        dimensions=("temporal_flickering",),
        chunk=2,
        python=Path(sys.executable),
        full_info=full_info,
    )
    _ScriptedWorker.script = ["crash", "odd"]
    first = runner.score_vbench(config)
    assert first.statuses == {"error": 4}
    with ResultStore(first.store) as store:
        errors = {(r["prompt_id"], r["seed"]): r["error"] for r in store.results()}
    assert "worker ended" in errors[("vbench-0001", 0)] and "worker ended" in errors[("vbench-0001", 1)]
    assert "no result" in errors[("vbench-0002", 0)] and "non-numeric" in errors[("vbench-0002", 1)]
    _ScriptedWorker.script = ["fine"]
    assert runner.score_vbench(config).statuses == {}  # error rows count as done unless retried
    _ScriptedWorker.script = ["fine", "fine"]
    retried = runner.score_vbench(runner.VBenchRunConfig(**{**config.__dict__, "retry_errors": True}))
    assert retried.statuses == {"ok": 4}
    with ResultStore(first.store) as store:
        assert {r["value"] for r in store.results()} == {0.5} and {r["seconds"] for r in store.results()} == {1.0}
