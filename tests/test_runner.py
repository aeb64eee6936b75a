"""End-to-end runs of the evaluator: rows, resume, missing dimensions and bad input."""

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SMALL, frozen_clip, write_suite
from wanbench.dims.base import Score
from wanbench.dims.flow_dims import LargeMotion
from wanbench.run.runner import EvalConfig, Evaluator, run_eval
from wanbench.run.store import ResultStore
from wanbench.video import write_video


def nan_score(self, video, prompt, features) -> Score:
    return Score(float("nan"), backend="test")  # Score refuses NaN: the runner must record an error


def rows(run_dir: Path) -> list[dict]:
    with ResultStore(run_dir / "results.sqlite") as store:
        return store.results()


def test_eval_writes_one_row_per_applicable_dimension(tmp_path: Path, tiny_suite: Path) -> None:
    out = tmp_path / "run"
    summary = run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL))
    assert summary.exit_code == 0 and summary.generated == 3
    got = {(r["prompt_id"], r["dimension"]): r for r in rows(out)}
    assert set(got) == {
        ("static-1", "pixel_stability"),
        ("static-1", "image_quality"),
        ("pan-1", "large_motion"),
        ("pan-1", "camera_control"),
        ("run-1", "large_motion"),
        ("run-1", "pixel_stability"),
    }
    assert got[("static-1", "pixel_stability")]["status"] == "ok"
    assert got[("static-1", "pixel_stability")]["value"] > 0.99
    assert got[("pan-1", "large_motion")]["value"] > got[("run-1", "large_motion")]["value"] > 0
    missing = got[("static-1", "image_quality")]
    assert (
        missing["status"] == "missing"
        and missing["value"] is None
        and "wanbench weights fetch musiq-koniq" in missing["error"]
    )
    ok = got[("pan-1", "large_motion")]
    assert ok["backend"].startswith("opencv-dis") and len(ok["video_sha256"]) == 64
    assert "diagonals_per_second" in json.loads(ok["details"])


def test_rerun_skips_finished_rows_and_videos(tmp_path: Path, tiny_suite: Path) -> None:
    config = EvalConfig(model="procedural", suite=str(tiny_suite), out=tmp_path / "run", model_options=SMALL)
    first = run_eval(config)
    before = {(r["prompt_id"], r["dimension"]): (r["value"], r["created"]) for r in rows(config.out)}
    second = run_eval(config)
    after = {(r["prompt_id"], r["dimension"]): (r["value"], r["created"]) for r in rows(config.out)}
    assert second.generated == 0 and second.rows_skipped == first.ok
    assert {k: v for k, v in after.items() if v[0] is not None} == {k: v for k, v in before.items() if v[0] is not None}


def test_provenance_is_recorded(tmp_path: Path, tiny_suite: Path) -> None:
    config = EvalConfig(
        model="procedural", suite=str(tiny_suite), out=tmp_path / "run", model_options=SMALL, seeds=(0, 1)
    )
    run_eval(config)
    with ResultStore(config.out / "results.sqlite") as store:
        (inv,) = store.invocations()
    assert inv["status"] == "finished" and len(inv["suite_sha256"]) == 64
    assert inv["config"]["seeds"] == [0, 1] and inv["config"]["adapter"]["render"]["width"] == 64
    prov = inv["provenance"]
    assert {"python", "packages", "git", "device"} <= set(prov)
    assert "numpy" in prov["packages"] and "cpus" in prov["device"]


def test_the_summary_counts_the_rows_the_store_holds(tmp_path: Path, tiny_suite: Path) -> None:
    from collections import Counter

    from wanbench.run.runner import RowStatus

    summary = run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=tmp_path / "run", model_options=SMALL))
    stored = Counter(RowStatus(r["status"]) for r in rows(tmp_path / "run"))
    assert summary.statuses == stored and summary.rows_written == sum(stored.values())
    assert (summary.ok, summary.missing) == (stored[RowStatus.OK], stored[RowStatus.MISSING]) and summary.ok > 0
    assert summary.counts_line().startswith(
        f"3 prompts, 3 videos generated, {summary.ok} scores, {summary.missing} missing"
    )


def test_same_seed_same_video_same_scores(tmp_path: Path, tiny_suite: Path) -> None:
    a = run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=tmp_path / "a", model_options=SMALL))
    b = run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=tmp_path / "b", model_options=SMALL))
    assert a.ok == b.ok

    def strip(rs: list[dict]) -> list[tuple]:
        return sorted((r["prompt_id"], r["dimension"], r["value"], r["video_sha256"]) for r in rs)

    assert strip(rows(tmp_path / "a")) == strip(rows(tmp_path / "b"))


def test_bad_input_gives_error_rows_and_the_run_continues(tmp_path: Path) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    write_video(videos / "good.mp4", frozen_clip(), fps=8)
    (videos / "corrupt.mp4").write_bytes(b"\x00\x01garbage" * 100)
    (videos / "empty.mp4").write_bytes(b"")
    suite = write_suite(
        tmp_path / "s.jsonl",
        [
            {"id": "good", "text": "t", "dimensions": ["pixel_stability"]},
            {"id": "corrupt", "text": "t", "dimensions": ["pixel_stability"]},
            {"id": "empty", "text": "t", "dimensions": ["pixel_stability"]},
            {"id": "absent", "text": "t", "dimensions": ["pixel_stability"]},
        ],
        extra_lines=['{"id": "broken", "text": 5, "dimensions": ["pixel_stability"]}'],
    )
    messages: list[str] = []
    config = EvalConfig(
        model="folder", name="ext", suite=str(suite), out=tmp_path / "run", model_options={"videos": videos}
    )
    summary = Evaluator(config, on_failure=messages.append).run_suite()
    assert summary.exit_code == 1
    assert summary.ok == 1
    with ResultStore(config.out / "results.sqlite") as store:
        failures = {(f["prompt_id"], f["stage"]): f["message"] for f in store.failures()}
    assert set(failures) == {("corrupt", "decode"), ("empty", "decode"), ("absent", "find"), ("broken", "suite")}
    assert "empty" in failures[("empty", "decode")] and "corrupt.mp4" in failures[("corrupt", "decode")]
    assert "line 5" in failures[("broken", "suite")] and "'text'" in failures[("broken", "suite")]
    assert all("\n" not in m for m in messages) and len(messages) == 4


def test_nan_scores_become_error_rows(tmp_path: Path, tiny_suite: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LargeMotion, "score", nan_score)
    summary = run_eval(
        EvalConfig(
            model="procedural",
            suite=str(tiny_suite),
            out=tmp_path / "run",
            model_options=SMALL,
            dimensions=("large_motion",),
        )
    )
    assert summary.errors == 2 and summary.ok == 0 and summary.exit_code == 1
    assert all("not a finite number" in r["error"] for r in rows(tmp_path / "run"))


def test_retry_errors_rescoring(tmp_path: Path, tiny_suite: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = EvalConfig(
        model="procedural",
        suite=str(tiny_suite),
        out=tmp_path / "run",
        model_options=SMALL,
        dimensions=("large_motion",),
    )
    with monkeypatch.context() as patch:
        patch.setattr(LargeMotion, "score", nan_score)
        run_eval(config)
    assert run_eval(config).errors == 0 and {r["status"] for r in rows(config.out)} == {"error"}
    config.retry_errors = True
    assert run_eval(config).ok == 2 and {r["status"] for r in rows(config.out)} == {"ok"}


def test_regenerates_a_video_whose_file_changed(tmp_path: Path, tiny_suite: Path) -> None:
    config = EvalConfig(model="procedural", suite=str(tiny_suite), out=tmp_path / "run", model_options=SMALL)
    run_eval(config)
    video = next((config.out / "videos" / "procedural").glob("pan-1-s0.mp4"))
    video.write_bytes(b"tampered")
    db = sqlite3.connect(config.out / "results.sqlite")
    with db:
        db.execute("DELETE FROM results WHERE prompt_id = 'pan-1'")
    db.close()
    summary = run_eval(config)
    assert summary.generated == 1 and summary.exit_code == 0


def test_resuming_with_other_model_settings_is_refused(tmp_path: Path, tiny_suite: Path) -> None:
    from wanbench.run.runner import RunMismatchError

    out = tmp_path / "run"
    run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL))
    changed = SMALL | {"width": 96}
    with pytest.raises(RunMismatchError, match="other model settings"):
        run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=changed))
    # another label in the same directory is fine, and so is the same settings again
    run_eval(EvalConfig(model="procedural", name="wide", suite=str(tiny_suite), out=out, model_options=changed))
    assert run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL)).generated == 0


def test_resuming_with_other_scoring_settings_is_refused(tmp_path: Path, tiny_suite: Path) -> None:
    from wanbench.run.runner import RunMismatchError, settings_fingerprint

    out = tmp_path / "run"
    run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL))
    with pytest.raises(RunMismatchError, match="scored with other settings"):
        run_eval(
            EvalConfig(
                model="procedural",
                suite=str(tiny_suite),
                out=out,
                model_options=SMALL,
                flow="dis",  # another scoring setting (a remote judge is now asked first: issue 30)
            )
        )
    assert run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL)).generated == 0
    # the fingerprint names functions and classes, never their addresses, so it is the same in every process
    assert settings_fingerprint({"f": settings_fingerprint, "p": Path("a")}) == {
        "f": "wanbench.run.runner.settings_fingerprint",
        "p": "a",
    }
