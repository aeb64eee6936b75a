"""Issue 30 item 13: a damaged, empty or full store is one line naming the file and the remedy (not a
wanbench bug), and a report never reads a 0-byte store as an empty run over the old report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SMALL
from wanbench.cli import app
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.run.store import ResultRow, ResultStore, StoreError

runner = CliRunner()


def one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "please report" not in lines[0]
    return lines[0]


def test_report_of_a_zero_byte_store_refuses_and_keeps_the_old_report(tmp_path: Path, tiny_suite: Path) -> None:
    out = tmp_path / "run"
    run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL))
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0
    before = (out / "report.html").read_bytes()
    (out / "results.sqlite").write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        Path(f"{out / 'results.sqlite'}{suffix}").unlink(missing_ok=True)
    line = one_error_line(runner.invoke(app, ["report", str(out)]))
    assert "results.sqlite is empty (0 bytes)" in line
    assert (out / "report.html").read_bytes() == before


@pytest.mark.parametrize("command", ["report", "eval"])
def test_a_damaged_store_names_the_file_and_the_remedy(tmp_path: Path, tiny_suite: Path, command: str) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "results.sqlite").write_bytes(os.urandom(4096))
    args = ["report", str(out)] if command == "report" else ["eval", "--model", "procedural"]
    if command == "eval":
        args += ["--suite", str(tiny_suite), "--out", str(out), "--flow", "dis", "-q"]
        args += [f"--option={k}={v}" for k, v in SMALL.items()]
    line = one_error_line(runner.invoke(app, args))
    assert f"{out / 'results.sqlite'}: damaged or not a wanbench store" in line and "another --out" in line


def test_a_full_disk_names_the_store(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "results.sqlite") as store:
        store.db.execute("PRAGMA max_page_count = 8")  # SQLite answers SQLITE_FULL as a full disk would
        rows = [ResultRow("r", "m", f"p{i}", 0, "large_motion", "1", "error", error="x" * 2000) for i in range(200)]
        with pytest.raises(StoreError, match="the disk is full .*free some space"):
            store.write_results(rows)
