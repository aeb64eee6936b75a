import sqlite3
from pathlib import Path

import pytest

from wanbench.run.store import ResultRow, ResultStore


def row(**kw) -> ResultRow:
    base = dict(
        run="r", model="m", prompt_id="p", seed=0, dimension="large_motion", metric_version="1", status="ok", value=0.5
    )
    return ResultRow(**(base | kw))


def test_primary_key_means_one_row_per_key(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        store.write_results([row(value=0.1)])
        store.write_results([row(value=0.2)])
        store.write_results([row(metric_version="2", value=0.3)])
        values = sorted(r["value"] for r in store.results())
    assert values == [0.2, 0.3]


def test_done_keys_and_error_retry(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        store.write_results(
            [
                row(),
                row(prompt_id="q", status="error", value=None, error="boom"),
                row(prompt_id="z", status="missing", value=None, error="no weights"),
            ]
        )
        assert store.done_keys("r", "m") == {("p", 0, "large_motion", "1"), ("q", 0, "large_motion", "1")}
        assert store.done_keys("r", "m", retry_errors=True) == {("p", 0, "large_motion", "1")}
        assert store.done_keys("r", "other") == set()


def test_status_and_value_must_agree(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.write_results([row(status="ok", value=None)])
        with pytest.raises(sqlite3.IntegrityError):
            store.write_results([row(status="missing", value=0.4)])
        assert store.results() == []  # a failed batch writes nothing


def test_wal_mode(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "r.sqlite") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
