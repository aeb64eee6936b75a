"""One writer per run directory, labels that cannot escape it, runs that survive a copy, and suite
failures that describe the suite as it is now."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_suite
from wanbench.run.lock import RunLockedError, run_lock
from wanbench.run.runner import EvalConfig, Evaluator, run_eval
from wanbench.run.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"width": 64, "height": 64, "frames": 6}


def prompts(n: int) -> list[dict]:
    return [
        {"id": f"p{i:02d}", "text": "a dog running", "dimensions": ["large_motion", "pixel_stability"]}
        for i in range(n)
    ]


def eval_command(suite: Path, out: Path) -> list[str]:
    return [
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
        "--quiet",
        "--no-report",
        "--flow",
        "dis",
    ] + [f"--option={k}={v}" for k, v in SMALL.items()]


def test_two_processes_on_one_out_write_each_row_and_video_once(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s.jsonl", prompts(6))
    out = tmp_path / "run"
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    both = [
        subprocess.Popen(eval_command(suite, out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in both]
    generated = sorted(out_text.count("6 videos generated") for _, out_text, _ in results)
    assert generated == [0, 1], results  # exactly one process made the videos
    for code, out_text, err_text in results:
        assert "Traceback" not in err_text
        if code == 2:  # it started while the other held the run: one line, nothing done
            assert "being written by another wanbench process" in err_text and len(err_text.strip().splitlines()) == 1
        else:  # it started after the other finished: everything was already there
            assert code == 0 and ("6 videos generated" in out_text or "12 rows already done" in out_text), out_text
    con = sqlite3.connect(out / "results.sqlite")
    counts = con.execute("SELECT COUNT(*), COUNT(DISTINCT prompt_id || dimension) FROM results").fetchone()
    videos = con.execute("SELECT path FROM videos").fetchall()
    con.close()
    assert counts == (12, 12)
    files = sorted(p.name for p in (out / "videos" / "procedural").iterdir())
    assert files == sorted(f"p{i:02d}-s0.mp4" for i in range(6))  # no leftover partial file
    assert all(not Path(p).is_absolute() for (p,) in videos)


def test_a_process_that_finds_the_run_locked_exits_2_with_one_line_before_any_compute(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s.jsonl", prompts(2))
    out = tmp_path / "run"
    from typer.testing import CliRunner

    from wanbench.cli import app

    with run_lock(out / "results.sqlite"):  # a writer holding the run (flock conflicts across open files)
        done = CliRunner().invoke(app, eval_command(suite, out)[3:])
    assert done.exit_code == 2, done.output
    assert done.output.strip() == (
        f"error: {out} is being written by another wanbench process (pid {os.getpid()}); "
        "wait for it to finish, or use another --out"
    )
    assert not (out / "videos").exists() and not (out / "results.sqlite").exists()


def test_the_lock_is_held_for_the_block_and_released_after(tmp_path: Path) -> None:
    store = tmp_path / "results.sqlite"
    with run_lock(store):
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from wanbench.run.lock import run_lock\nwith run_lock(sys.argv[1]): pass",
                str(store),
            ],
            env=os.environ | {"PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert probe.returncode != 0 and "RunLockedError" in probe.stderr and f"pid {os.getpid()}" in probe.stderr
    with run_lock(store):
        pass


@pytest.mark.parametrize("label", ["../../x", "/abs/x", "a/b", "..", ""])
def test_labels_that_would_leave_the_run_directory_are_refused(tmp_path: Path, label: str) -> None:
    with pytest.raises(ValueError, match="must be letters, digits"):
        Evaluator(EvalConfig(model="procedural", out=tmp_path / "run", name=label or " "))


def test_a_copied_run_resumes_with_no_new_rows_and_keeps_its_run_name(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s.jsonl", prompts(3))
    original = tmp_path / "a" / "run"
    config = dict(model="procedural", suite=str(suite), model_options=SMALL, flow="dis")
    first = run_eval(EvalConfig(out=original, **config))
    assert first.generated == 3 and first.rows_written == 6
    moved = tmp_path / "elsewhere" / "renamed"
    shutil.copytree(original, moved)
    shutil.rmtree(original)  # a move: nothing left at the old place
    second = run_eval(EvalConfig(out=moved, **config))
    assert (second.generated, second.rows_written, second.rows_skipped) == (0, 0, 6)
    with ResultStore(moved / "results.sqlite") as store:
        assert {r["run"] for r in store.results()} == {"run"} and store.first_run_name() == "run"

    from wanbench.report import write_report

    files = write_report([moved], moved, weighting="equal")
    assert len(files.summaries) == 1  # listed once, not as the old and the new name


def test_suite_failures_describe_the_current_suite_and_a_duplicate_is_not_a_failed_prompt(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    good = prompts(2)
    write_suite(path, good, extra_lines=['{"id": "p00", "text": "again", "dimensions": ["large_motion"]}', "{oops"])
    config = EvalConfig(model="procedural", suite=str(path), out=tmp_path / "run", model_options=SMALL, flow="dis")
    run_eval(config)
    with ResultStore(tmp_path / "run" / "results.sqlite") as store:
        failed = {f["prompt_id"] for f in store.failures()}
    assert "p00" not in failed and len(failed) == 2 and all(key.startswith("line-") for key in failed)
    write_suite(path, good)  # fixed
    summary = run_eval(config)
    with ResultStore(tmp_path / "run" / "results.sqlite") as store:
        assert store.failures() == []
    assert summary.exit_code == 0


def test_a_multi_line_error_becomes_one_line(tmp_path: Path) -> None:
    from wanbench.run.runner import score_one

    class Broken:
        name, version = "broken", "1"

        def score(self, *args):
            raise RuntimeError("first line\nsecond line\n\tthird")

    status, _, message = score_one(Broken(), None, None, None)
    assert status == "error" and message == "RuntimeError: first line second line third"


def test_run_locked_error_is_a_user_error() -> None:
    assert issubclass(RunLockedError, ValueError)  # the CLI turns it into one line and exit 2
