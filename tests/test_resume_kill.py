"""A run killed with SIGKILL mid-way resumes with every row present exactly once."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import write_suite
from wanbench.video import read_video


def count_rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(db, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def test_sigkill_then_resume(tmp_path: Path) -> None:
    actions = ["walking", "running", "jumping", "spinning"]  # a still camera keeps a static region: all rows ok
    prompts = [
        {
            "id": f"p{i:02d}",
            "text": "t",
            "dimensions": ["large_motion", "pixel_stability", "camera_control"],
            "camera": "static",
            "scene": "forest",
            "action": actions[i % len(actions)],
            "subject": {"name": "dog", "kind": "animal"},
        }
        for i in range(40)
    ]
    suite = write_suite(tmp_path / "s.jsonl", prompts)
    out = tmp_path / "run"
    db = out / "results.sqlite"
    command = [
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
        "--option",
        "width=96",
        "--option",
        "height=64",
        "--option",
        "frames=16",
    ]
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while count_rows(db) < 6 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed; make the suite longer"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = count_rows(db)
    assert 0 < partial < 120

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(db)
    keys = con.execute(
        "SELECT prompt_id, seed, dimension, metric_version, COUNT(*) FROM results"
        " GROUP BY prompt_id, seed, dimension, metric_version"
    ).fetchall()
    invocations = con.execute("SELECT status FROM invocations ORDER BY id").fetchall()
    con.close()
    assert len(keys) == 40 * 3 and all(row[4] == 1 for row in keys)
    assert invocations[0][0] == "running" and invocations[-1][0] == "finished"  # the killed one never finished
    # A half-written video never takes a real name: every named mp4 decodes.
    named = sorted(out.glob("videos/procedural/*.mp4"))
    assert len(named) == 40
    assert all(read_video(path).num_frames == 16 for path in named)
