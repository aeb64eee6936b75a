"""Write run-directory and report files without ever writing through a symbolic link.

A run folder can be shared or copied from elsewhere; a planted ``report.html -> ~/.bashrc`` link
must not make ``wanbench report`` overwrite the link's target. Every file is written under a fresh
temporary name in the same folder (created with O_EXCL | O_NOFOLLOW, so it is never an existing file
or link) and then moved over the final name with ``os.replace``, which replaces a link itself, never
its target. A killed write leaves the old file (or nothing) and at most a hidden temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def replacing(path: str | os.PathLike, mode: str = "w", **open_kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path`` atomically."""
    path = Path(path)
    handle_fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle_fd, mode, **open_kwargs) as handle:
            yield handle
        os.chmod(temp, 0o644)  # mkstemp's 0o600 would hide reports from the other users of a shared folder
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """``Path.write_text`` that replaces a link at ``path`` instead of writing to its target."""
    with replacing(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with replacing(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def open_nofollow(path: str | os.PathLike, flags: int, mode: int = 0o644) -> int:
    """``os.open`` that refuses a symbolic link at ``path`` (ELOOP becomes one clear ValueError)."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW, mode)
    except OSError as exc:
        if Path(path).is_symlink():
            raise ValueError(f"{path} is a symbolic link; wanbench never writes through one (remove it)") from exc
        raise
