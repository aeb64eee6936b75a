"""Issue 30 item 14: recording provenance never rewrites the checkout's .git/index."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from wanbench.run import provenance


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_state_leaves_the_index_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "a.txt").write_text("a\n")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "one")
    index = tmp_path / ".git" / "index"
    os.utime(tmp_path / "a.txt", (1_000_000_000, 1_000_000_000))  # stale stat data: plain `git status` refreshes it
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    monkeypatch.setattr(provenance, "REPO", tmp_path)
    state = provenance.git_state()
    assert state["commit"] and state["dirty"] is False
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
