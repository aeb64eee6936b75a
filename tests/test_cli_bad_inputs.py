"""Every bad argument or input of the hardening review, driven through the CLI from one table: one line,
exit 2, and nothing computed (no store, no video); per-item failures give exit 1 and a report that
says nothing was scored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import write_suite
from wanbench.cli import app

runner = CliRunner()
SMALL = ["--option", "width=64", "--option", "height=48", "--option", "frames=6", "--flow", "dis", "-q"]
SCORE_FLAGS = ["--flow", "dis", "-q"]
PROMPT = {"id": "p0", "text": "a dog running", "dimensions": ["large_motion"]}

# (case, command line with {suite}/{out}/{file}/{empty}/{latin1}/{videos}, text the one line must hold)
CASES = [
    ("negative limit", "eval --model procedural --suite {suite} --out {out} --limit -1", "--limit must be a positive"),
    ("zero limit", "eval --model procedural --suite {suite} --out {out} --limit 0", "--limit must be a positive"),
    ("negative seed", "eval --model procedural --suite {suite} --out {out} --seed -5", "--seed -5: seeds must be"),
    ("huge seed", "eval --model procedural --suite {suite} --out {out} --seed 99999999999999999999", "seeds must be"),
    (
        "unknown weighting",
        "eval --model procedural --suite {suite} --out {out} --weighting nosuch",
        "unknown weighting",
    ),
    ("unknown reference", "eval --model procedural --suite {suite} --out {out} --reference nosuch", "reference table"),
    ("out is a file", "eval --model procedural --suite {suite} --out {file}", "is a file; give a folder"),
    ("out under a file", "eval --model procedural --suite {suite} --out {file}/run", "which is a file"),
    ("out not writable", "eval --model procedural --suite {suite} --out /proc/wanbench-run", "cannot write there"),
    ("label escapes the run", "eval --model procedural --suite {suite} --out {out} --name ../../x", "--name '../../x'"),
    ("absolute label", "eval --model procedural --suite {suite} --out {out} --name /tmp/x", "--name '/tmp/x'"),
    ("empty suite", "eval --model procedural --suite {empty} --out {out}", "has no prompts"),
    ("non-UTF-8 suite", "eval --model procedural --suite {latin1} --out {out}", "line 2, column 25: not UTF-8"),
    (
        "missing videos folder",
        "score --videos {out}/nowhere --name x --suite {suite} --out {out}",
        "video folder not found",
    ),
    ("unknown dimension", "eval --model procedural --suite {suite} --out {out} --dims nosuch", "unknown dimension"),
    ("score: negative seed", "score --videos {videos} --name x --suite {suite} --out {out} --seed -1", "seeds must be"),
    ("suite check: empty", "suite check {empty}", "has no prompts"),
    ("suite check: non-UTF-8", "suite check {latin1}", "not UTF-8"),
]


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(
        b'{"id": "a", "text": "ok", "dimensions": ["large_motion"]}\n'
        b'{"id": "b", "text": "caf\xe9", "dimensions": ["large_motion"]}\n'
    )
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "videos").mkdir()
    return {
        "suite": str(write_suite(tmp_path / "s.jsonl", [PROMPT])),
        "out": str(tmp_path / "run"),
        "file": str(tmp_path / "a_file"),
        "empty": str(tmp_path / "empty.jsonl"),
        "latin1": str(latin1),
        "videos": str(tmp_path / "videos"),
    }


@pytest.mark.parametrize("case,line,expected", CASES, ids=[c[0] for c in CASES])
def test_a_bad_input_is_one_line_and_exit_2_before_any_compute(
    places: dict[str, str], case: str, line: str, expected: str
) -> None:
    args = [part.format(**places) for part in line.split()]
    result = runner.invoke(app, args + {"eval": SMALL, "score": SCORE_FLAGS}.get(args[0], []))
    assert result.exit_code == 2, (case, result.output)
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], (case, result.output)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    run = Path(places["out"])
    assert not (run / "results.sqlite").exists() and not (run / "videos").exists(), case


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_out_is_one_line_and_exit_2(places: dict[str, str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        for out in (locked, locked / "run"):
            result = runner.invoke(
                app, ["eval", "--model", "procedural", "--suite", places["suite"], "--out", str(out)] + SMALL
            )
            assert result.exit_code == 2 and "cannot write there" in result.output
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("what", ["only broken videos", "no matching videos", "only malformed suite lines"])
def test_a_run_with_nothing_scored_writes_a_report_saying_so(places: dict[str, str], tmp_path: Path, what: str) -> None:
    videos = Path(places["videos"])
    suite = places["suite"]
    if what == "only broken videos":
        (videos / "p0.mp4").write_bytes(b"not a video at all")
    elif what == "only malformed suite lines":
        suite = str(tmp_path / "bad.jsonl")
        Path(suite).write_text('{"id": "p0"}\n{oops\n')
    result = runner.invoke(
        app, ["score", "--videos", str(videos), "--name", "x", "--suite", suite, "--out", places["out"]] + SCORE_FLAGS
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, KeyError)
    markdown = (Path(places["out"]) / "leaderboard.md").read_text()
    assert "Nothing was scored" in markdown
    assert "Nothing was scored" in (Path(places["out"]) / "report.html").read_text()
