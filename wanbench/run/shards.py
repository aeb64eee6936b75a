"""Sharded runs: one suite split over ranks (torchrun or independent jobs), merged into one store.

Rank R of W takes the (prompt, seed) items whose index i has i % W == R and writes its rows to its
own SQLite file, ``RUN/shards/rank-R-of-W.sqlite``: no two processes ever write one database
(SQLite locking cannot be trusted on the network filesystems clusters share). Each rank reads the
run's main store to skip work already merged there. Under ``torchrun`` the ranks meet at a barrier
and rank 0 merges; independent jobs (``--shard R/W``, e.g. a SLURM array) are merged by
``wanbench merge RUN``. Merging is idempotent (rows keep their primary key), and a shard is
deleted once merged unless its latest invocation is still running (then it is merged again later).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from wanbench.run.lock import run_lock
from wanbench.run.store import SHARDS_DIR, ResultStore

SHARD_DIR = SHARDS_DIR
BARRIER_TIMEOUT = timedelta(days=7)  # ranks finish hours apart on uneven prompts; the default 30 min is too short


@dataclass(frozen=True)
class Shard:
    rank: int = 0
    world: int = 1

    def __post_init__(self) -> None:
        if self.world < 1 or not 0 <= self.rank < self.world:
            raise ValueError(f"shard {self.rank}/{self.world}: need 0 <= rank < world size")

    @property
    def active(self) -> bool:
        return self.world > 1

    def takes(self, index: int) -> bool:
        return index % self.world == self.rank

    @property
    def store_name(self) -> str:
        return f"rank-{self.rank}-of-{self.world}.sqlite"

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"R/W"``: rank R of W (0-based)."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match:
            raise ValueError(f"--shard {text!r}: expected RANK/WORLD, e.g. 0/8")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def from_env(cls) -> Shard:
        """What torchrun (or any launcher setting RANK and WORLD_SIZE) says; one shard otherwise."""
        return cls(int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1")))


def shard_paths(run_dir: str | Path) -> list[Path]:
    return sorted((Path(run_dir) / SHARD_DIR).glob("rank-*-of-*.sqlite"))


@dataclass
class MergeSummary:
    merged: list[Path]
    kept: list[Path]  # merged, but its latest invocation is still running: left in place
    rows: int
    missing: list[str] = field(default_factory=list)  # "R/W" shards of the run never merged (not yet run?)


def merge_shards(run_dir: str | Path, main_file: str = "results.sqlite") -> MergeSummary:
    """Merge every shard of ``run_dir`` into its main store; delete the shards that are finished."""
    merged, kept, rows = [], [], 0
    paths = shard_paths(run_dir)
    if not paths:
        return MergeSummary([], [], 0)
    with run_lock(Path(run_dir) / main_file), ResultStore(Path(run_dir) / main_file) as main:
        for path in paths:
            rows += main.merge_from(path)
            with ResultStore(path, readonly=True) as shard:
                invocations = shard.invocations()
            if invocations and invocations[-1]["status"] == "running":  # a killed rank's stays "running" until resumed
                kept.append(path)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
                merged.append(path)
        missing = missing_shards(main.invocations())
    if not kept and not any((Path(run_dir) / SHARD_DIR).iterdir()):
        (Path(run_dir) / SHARD_DIR).rmdir()
    return MergeSummary(merged, kept, rows, missing)


def missing_shards(invocations: list[dict]) -> list[str]:
    """Shards "R/W" of a sharded run that no invocation in the merged store came from: merging 1 of 2
    shards used to pass in silence and the report then covered half the prompts."""
    seen: dict[int, set[int]] = {}
    for item in invocations:
        config = item.get("config") or {}
        world, rank = int(config.get("world_size") or 1), int(config.get("rank") or 0)
        if world > 1:
            seen.setdefault(world, set()).add(rank)
    return [f"{rank}/{world}" for world, ranks in sorted(seen.items()) for rank in range(world) if rank not in ranks]


def torchrun_barrier() -> bool:
    """Wait for every rank when a launcher gave a rendezvous (MASTER_ADDR); False when there is none."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or "MASTER_ADDR" not in os.environ:
        return False
    import torch.distributed as dist

    created = not dist.is_initialized()
    if created:
        dist.init_process_group("gloo", timeout=BARRIER_TIMEOUT)  # CPU barrier: no GPU memory, any node
    dist.barrier()
    if created:
        dist.destroy_process_group()
    return True


def bind_local_device() -> None:
    """Under torchrun, make "cuda" mean this rank's GPU (LOCAL_RANK) for adapters and backbones."""
    local = os.environ.get("LOCAL_RANK")
    if local is None:
        return
    import torch

    if torch.cuda.is_available():
        torch.cuda.set_device(int(local) % torch.cuda.device_count())
