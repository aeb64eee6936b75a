"""Sharded runs: every item scored exactly once across ranks, merged into the same rows as one run."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SMALL, write_suite
from wanbench.evaluation.read import read_store
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.run.shards import Shard, merge_shards, shard_paths
from wanbench.run.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]
DIMS = ("large_motion", "camera_control")


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    prompts = [
        {
            "id": f"p{i}",
            "text": f"a red ball rolls, the camera pans left {i}",
            "dimensions": list(DIMS),
            "camera": "pan_left",
        }
        for i in range(5)
    ]
    return write_suite(tmp_path / "five.jsonl", prompts)


def config(suite: Path, out: Path, rank: int = 0, world: int = 1) -> EvalConfig:
    return EvalConfig(
        model="procedural",
        suite=str(suite),
        out=out,
        model_options=SMALL,
        dimensions=DIMS,
        seeds=(0, 1),
        rank=rank,
        world_size=world,
    )


def values(run_dir: Path) -> dict:
    with ResultStore(run_dir / "results.sqlite") as store:
        return {(r["prompt_id"], r["seed"], r["dimension"]): r["value"] for r in store.results()}


def test_shard_parsing_and_a_partition_of_the_items() -> None:
    assert Shard.parse("3/8") == Shard(3, 8) and not Shard().active
    for bad in ("8/8", "-1/2", "a/b", "3"):
        with pytest.raises(ValueError):
            Shard.parse(bad)
    shards = [Shard(r, 3) for r in range(3)]
    assert all(sum(s.takes(i) for s in shards) == 1 for i in range(20))


def test_independent_shards_merge_into_the_rows_of_one_run(tmp_path: Path, suite: Path) -> None:
    whole = tmp_path / "whole"
    run_eval(config(suite, whole))
    sharded = tmp_path / "sharded"
    parts = [run_eval(config(suite, sharded, rank, 3)) for rank in range(3)]
    assert [p.merged for p in parts] == [False] * 3  # no rendezvous: rows wait in shards/
    assert len(shard_paths(sharded)) == 3 and not (sharded / "results.sqlite").exists()
    with pytest.raises(FileNotFoundError, match="only shards: wanbench merge"):
        read_store(sharded)
    assert sum(p.rows_written for p in parts) == len(values(whole)) == 5 * 2 * 2
    merged = merge_shards(sharded)
    assert len(merged.merged) == 3 and not merged.kept and merged.rows == 20 and shard_paths(sharded) == []
    assert values(sharded) == values(whole)
    assert merge_shards(sharded).rows == 0  # nothing left to merge; merging is idempotent
    with ResultStore(sharded / "results.sqlite") as store:
        assert len(store.invocations()) == 3 and all(i["status"] == "finished" for i in store.invocations())
    again = run_eval(config(suite, sharded, 1, 3))  # a re-run shard sees the merged rows and skips them
    assert again.rows_written == 0 and again.rows_skipped == parts[1].rows_written == 6 and again.generated == 0


def test_a_shard_still_running_is_merged_but_kept(tmp_path: Path, suite: Path) -> None:
    out = tmp_path / "run"
    run_eval(config(suite, out, 0, 2))
    (path,) = shard_paths(out)
    with ResultStore(path) as store:
        store.start_invocation("run", "procedural", {}, {}, "")  # as a rank killed or still at work leaves it
    result = merge_shards(out)
    assert result.kept == [path] and result.rows == 10 and path.exists()  # items 0, 2, 4, 6, 8 x 2 dimensions
    assert len(values(out)) == 10


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_torchrun_style_ranks_meet_and_rank_zero_merges(tmp_path: Path, suite: Path) -> None:
    out = tmp_path / "run"
    port = str(free_port())
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
        "--dims",
        ",".join(DIMS),
        "--seed",
        "0",
        "--seed",
        "1",
        "--quiet",
        "--weighting",
        "equal",
        *[f"--option={k}={v}" for k, v in SMALL.items()],
    ]
    ranks = []
    for rank in range(2):
        env = os.environ | {
            "RANK": str(rank),
            "WORLD_SIZE": "2",
            "LOCAL_RANK": str(rank),
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": port,
        }
        ranks.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        )
    outputs = [p.communicate(timeout=300)[0] for p in ranks]
    assert [p.returncode for p in ranks] == [0, 0], outputs
    assert "report:" in outputs[0] and "rank 0 merged" in outputs[1]
    assert shard_paths(out) == [] and len(values(out)) == 20
    assert (out / "report.html").is_file()
