"""One writer per run directory: an advisory file lock beside the store a process writes.

Two processes on one ``--out`` would both redo every row and write the same videos; the second one
now stops before any compute with one line naming the holder. The kernel drops the lock when its
holder dies (SIGKILL included), so a killed run never leaves a stale lock behind. Shards of one run
lock their own stores (RUN/shards/rank-R-of-W.sqlite), so they still run side by side.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from wanbench.safe_write import open_nofollow


class RunLockedError(ValueError):
    """Another process is writing this store; the message is one line saying what to do."""


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


@contextlib.contextmanager
def run_lock(store: str | os.PathLike) -> Iterator[Path]:
    """Hold the lock of ``store`` (a results.sqlite path) for the block, or raise RunLockedError at once."""
    path = lock_path(Path(store))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = open_nofollow(path, os.O_RDWR | os.O_CREAT)  # a planted link would have its target truncated
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLockedError(
                f"{Path(store).parent} is being written by another wanbench process (pid {holder}); "
                "wait for it to finish, or use another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
