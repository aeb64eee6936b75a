"""The command line's outer surface: version, crash handling, and commands that compose."""

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from wanbench import __version__
from wanbench.cli import app


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"wanbench {__version__}"


def test_unexpected_error_is_one_short_line_and_debug_shows_traceback(tmp_path: Path):
    # A store whose recorded settings are not JSON makes the library fail in a way no usage check
    # foresees (a file that is not SQLite at all is a named user error now: issue 30 item 13).
    import sqlite3

    from wanbench.run.store import ResultStore

    run = tmp_path / "broken"
    with ResultStore(run / "results.sqlite") as store:
        store.start_invocation("broken", "m", {}, {}, "0" * 64)
    with sqlite3.connect(run / "results.sqlite") as db:
        db.execute("UPDATE invocations SET config = '{not json'")
    command = [sys.executable, "-m", "wanbench", "report", str(run)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("wanbench crashed:") and "--debug" in lines[0], done.stderr
    debug = subprocess.run(
        [sys.executable, "-m", "wanbench", "--debug", "report", str(run)], capture_output=True, text=True, timeout=120
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_leaderboard_skips_folders_that_are_not_runs(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs" / "not-a-run").mkdir(parents=True)
    result = CliRunner().invoke(app, ["leaderboard", str(tmp_path / "runs" / "not-a-run")])
    assert result.exit_code == 2
    assert "no run directory" in result.output
    assert not (tmp_path / "leaderboard").exists()


def test_failed_eval_leaves_no_folder_and_missing_training_weights_is_one_line(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["eval", "--model", "nosuch", "--out", str(tmp_path / "runs" / "x")])
    assert result.exit_code == 2 and "unknown model 'nosuch'" in result.output
    assert not (tmp_path / "runs").exists()
    (tmp_path / "clips").mkdir()
    result = CliRunner().invoke(app, ["train", "--videos", "clips", "--weights", "RELEASE_DIR"])
    assert result.exit_code == 2 and "RELEASE_DIR" in result.output
    assert "Traceback" not in result.output


def test_a_library_value_error_is_a_crash_not_a_usage_error():
    import numpy as np
    import pytest

    from wanbench.cli import user_errors

    with pytest.raises(ValueError):
        with user_errors():
            np.zeros(3).reshape(2, 2)  # raised inside numpy: not a message meant for the user
    import typer

    with pytest.raises(typer.Exit):
        with user_errors():
            from wanbench.run.preflight import check_limit

            check_limit(-1)  # raised by our own check: a usage error


def test_progress_reaches_a_log_before_the_end(tmp_path: Path):
    """Into a pipe (a log, CI) the live bar shows nothing until the end: plain lines report progress."""
    command = [sys.executable, "-m", "wanbench", "eval", "--model", "procedural", "--limit", "4", "--dims"]
    command += ["large_motion", "--flow", "dis", "--no-report", "--out", str(tmp_path / "run")]
    command += ["--option", "width=64", "--option", "height=48", "--option", "frames=9"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stderr.splitlines() if line.startswith("procedural on smoke: ")]
    assert [s.split(": ")[1].split(" ")[0] for s in steps] == ["1/4", "2/4", "3/4", "4/4"], done.stderr
