"""Issue 30 item 9 (parts): advice that can be followed, a videos table with a column per asked
dimension, and a merge of part of a sharded run that says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SMALL, write_suite
from tests.test_shards import config
from wanbench import readiness
from wanbench.api import load_run
from wanbench.readiness import Blocker, dimension_readiness, readiness_line
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.run.shards import merge_shards


def test_no_fetch_advice_for_weights_without_a_public_source() -> None:
    assert Blocker("artifacts", "no artifact detector: train one", weights=["yolo-artifacts"]).fix == ""
    assert Blocker("vlm", "missing", weights=["qwen2-vl-7b"]).fix == "wanbench weights fetch qwen2-vl-7b"


def test_summary_names_one_judge_and_no_make_demo_outside_a_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path))  # nothing fetched here
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    rows = dimension_readiness()
    monkeypatch.setattr(readiness, "in_source_checkout", lambda: False)
    line = readiness_line(rows)
    assert "qwen2-vl-7b" in line and "qwen2-vl-2b" not in line and "qwen2.5-vl-7b" not in line
    assert "make demo" not in line and "yolo-artifacts" not in line
    monkeypatch.setattr(readiness, "in_source_checkout", lambda: True)
    assert "make demo" in readiness_line(rows)


def test_videos_has_a_column_for_every_asked_dimension(tmp_path: Path) -> None:
    suite = write_suite(
        tmp_path / "s.jsonl", [{"id": "p0", "text": "a dog runs", "dimensions": ["large_motion", "image_quality"]}]
    )
    out = tmp_path / "run"
    run_eval(EvalConfig(model="procedural", suite=str(suite), out=out, model_options=SMALL, flow="dis"))
    table = load_run(out).videos()
    assert {"large_motion", "image_quality"} <= set(table.columns)  # image quality has no weights: NaN
    assert table["image_quality"].isna().all() and table["large_motion"].notna().all()


def test_merging_one_of_two_shards_names_the_missing_one(tmp_path: Path) -> None:
    suite = write_suite(
        tmp_path / "s.jsonl",
        [{"id": f"p{i}", "text": f"a dog number {i}", "dimensions": ["large_motion"]} for i in range(4)],
    )
    out = tmp_path / "sharded"
    run_eval(config(suite, out, 0, 2))
    assert merge_shards(out).missing == ["1/2"]
    run_eval(config(suite, out, 1, 2))
    assert merge_shards(out).missing == []


def test_every_command_help_has_an_example() -> None:
    import typer.main

    from wanbench.cli import app

    def leaves(command, path):
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from leaves(sub, [*path, name])
        else:
            yield " ".join(path), command.help or ""

    lacking = [name for name, text in leaves(typer.main.get_command(app), []) if "Example:" not in text]
    assert not lacking, lacking


@pytest.mark.parametrize(
    "args,expected",
    [
        (["eval", "--model", "procedural", "--limit", "x"], "Invalid value for '--limit'"),
        (["eval"], "Missing option '--model'"),
        (["evl"], "No such command 'evl'"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], expected: str) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "wanbench", *args], capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and expected in lines[0] and "--help" in lines[0]
