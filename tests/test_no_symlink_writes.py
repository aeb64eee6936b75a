"""Issue 30 item 10: files planted as symbolic links in a run directory are replaced, never written through."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SMALL
from wanbench.report import write_report
from wanbench.run.lock import run_lock
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.run.store import ResultStore
from wanbench.safe_write import write_text

REPORT_FILES = ("report.html", "scores.csv", "results.json", "leaderboard.md", "leaderboard.csv")


def test_report_replaces_planted_links_and_leaves_their_targets(tmp_path: Path, tiny_suite: Path) -> None:
    out = tmp_path / "run"
    run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL))
    victims = {}
    for name in (*REPORT_FILES, "charts/radar.png"):
        victim = tmp_path / f"victim-{name.replace('/', '-')}"
        victim.write_text("precious\n")
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).symlink_to(victim)
        victims[name] = victim
    write_report([out], out)
    for name, victim in victims.items():
        assert victim.read_text() == "precious\n", name
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0, name
    assert not list(out.glob(".*.partial"))  # no temporary file left behind


def test_lock_refuses_a_planted_link_and_keeps_its_target(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    store = tmp_path / "run" / "results.sqlite"
    store.parent.mkdir()
    (tmp_path / "run" / "results.sqlite.lock").symlink_to(victim)
    with pytest.raises(ValueError, match="symbolic link"):
        with run_lock(store):
            pass
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("name", ["results.sqlite", "results.sqlite-wal"])
def test_store_refuses_a_linked_database(tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (tmp_path / name).symlink_to(victim)
    with pytest.raises(ValueError, match="symbolic link"):
        ResultStore(tmp_path / "results.sqlite")
    assert victim.read_bytes() == b"precious"


def test_write_text_is_atomic_and_readable(tmp_path: Path) -> None:
    path = write_text(tmp_path / "a.md", "x\n")
    assert path.read_text() == "x\n" and (os.stat(path).st_mode & 0o777) == 0o644
