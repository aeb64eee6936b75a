"""``--ulysses`` under torchrun-style ranks (2 processes, gloo, wan-tiny): the same videos as one
process, to float rounding; plus the rank-group arithmetic.

Bytes are not the contract across layouts: a matmul over a sequence shard, or with another thread
count, rounds differently on the CPU, and libx264 turns a last-bit change in a frame into a few grey
levels here and there. So the videos are compared decoded: the same video in both layouts measures
above 40 dB PSNR (45 dB seen), another prompt's video about 34 dB."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import write_suite
from tests.test_shards import free_port
from tests.wanmodel_helpers import write_tiny_release
from wanbench.cli import app
from wanbench.run.rank_groups import RankGroups
from wanbench.run.shards import Shard
from wanbench.run.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]


def test_rank_groups_split_ranks_and_prompts() -> None:
    groups = [RankGroups(rank, 8, 4) for rank in range(8)]
    assert [g.group for g in groups] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert [g.leader for g in groups] == [True, False, False, False, True, False, False, False]
    assert groups[5].members == [4, 5, 6, 7] and groups[5].shard == Shard(1, 2)
    assert RankGroups(3, 4, 1).shard == Shard(3, 4) and RankGroups(3, 4, 1).leader
    with pytest.raises(ValueError, match="must divide"):
        RankGroups(0, 6, 4)


def launch(args: list[str], world: int = 2) -> list[str]:
    port = str(free_port())
    ranks = []
    for rank in range(world):
        env = os.environ | {
            "RANK": str(rank),
            "WORLD_SIZE": str(world),
            "LOCAL_RANK": str(rank),
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": port,
            "OMP_NUM_THREADS": "1",
        }
        ranks.append(
            subprocess.Popen(
                [sys.executable, "-m", "wanbench", *args],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = [p.communicate(timeout=600)[0] for p in ranks]
    assert [p.returncode for p in ranks] == [0] * world, outputs
    return outputs


def psnr(a: Path, b: Path) -> float:
    """Decoded-frame PSNR in dB (inf for identical frames)."""
    import numpy as np

    from wanbench.video import read_video

    x, y = (read_video(p).frames.astype(np.float64) for p in (a, b))
    assert x.shape == y.shape
    mse = float(((x - y) ** 2).mean())
    return float("inf") if mse == 0 else 10 * float(np.log10(255.0**2 / mse))


def test_eval_and_generate_with_ulysses_equal_one_process(tmp_path: Path) -> None:
    release = tmp_path / "release"
    write_tiny_release(release)
    suite = write_suite(
        tmp_path / "two.jsonl",
        [
            {"id": "a", "text": "a red car races", "dimensions": ["large_motion"]},
            {"id": "b", "text": "a corgi surfing at sunset", "dimensions": ["large_motion"]},
        ],
    )
    options = [
        f"--option={k}={v}" for k, v in {"weights": release, "steps": 2, "frames": 5, "width": 32, "height": 48}.items()
    ]
    common = [
        "eval",
        "--model",
        "wan-tiny",
        "--suite",
        str(suite),
        "--dims",
        "large_motion",
        "--quiet",
        "--no-report",
        *options,
    ]
    single = CliRunner().invoke(app, [*common, "--out", str(tmp_path / "single")])  # in this process
    assert single.exit_code == 0, single.output
    launch([*common, "--out", str(tmp_path / "sharded"), "--ulysses", "2"])

    def videos(run: Path) -> dict:
        with ResultStore(run / "results.sqlite") as store:
            return {p: run / store.video(run.name, "wan-tiny", p, 0)["path"] for p in ("a", "b")}

    single_videos, sharded_videos = videos(tmp_path / "single"), videos(tmp_path / "sharded")
    for p in ("a", "b"):
        assert psnr(single_videos[p], sharded_videos[p]) > 40, p
    assert psnr(single_videos["a"], sharded_videos["b"]) < 40  # the bound tells videos apart
    assert not (tmp_path / "sharded" / "shards").exists()  # one group: its leader wrote the main store

    prompt = [
        "--prompt",
        "the camera pans left",
        "--seed",
        "3",
        "--steps",
        "2",
        "--frames",
        "5",
        "--size",
        "32x48",
        f"--option=weights={release}",
    ]
    launch(["generate", "--model", "wan-tiny", *prompt, "-o", str(tmp_path / "sharded.mp4"), "--ulysses", "2"])
    one = CliRunner().invoke(app, ["generate", "--model", "wan-tiny", *prompt, "-o", str(tmp_path / "single.mp4")])
    assert one.exit_code == 0, one.output
    assert psnr(tmp_path / "sharded.mp4", tmp_path / "single.mp4") > 40
