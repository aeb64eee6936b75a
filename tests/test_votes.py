"""The votes file: a file written before the schema knew side assignments is migrated and keeps every
vote; a round is stored whole or not at all; the csv export rounds times to the millisecond."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from wanbench.people.votes import SCHEMA_VERSION, Vote, VoteError, VoteStore, export_votes

# The schema of votes files written before version 2 (no assignments table, user_version 0), as it was.
VERSION_1_SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prompt_id TEXT NOT NULL, seed INTEGER NOT NULL,
    model_a TEXT NOT NULL, model_b TEXT NOT NULL,
    annotator TEXT NOT NULL, question TEXT NOT NULL DEFAULT '',
    winner TEXT NOT NULL CHECK (winner IN ('a', 'b', 'tie', 'both_bad')),
    shown_left TEXT NOT NULL DEFAULT '' CHECK (shown_left IN ('', 'a', 'b')),
    sha256_a TEXT NOT NULL DEFAULT '', sha256_b TEXT NOT NULL DEFAULT '',
    seconds REAL, created REAL NOT NULL, source TEXT NOT NULL DEFAULT 'arena',
    CHECK (model_a < model_b),
    UNIQUE (prompt_id, seed, model_a, model_b, annotator, question)
);
CREATE INDEX IF NOT EXISTS votes_by_annotator ON votes (annotator, question);
"""


def version_1_file(path: Path) -> list[tuple]:
    rows = [
        ("p1", 0, "alpha", "beta", "ann", "", "a", "b", "", "", 2.5, 1700000000.0, "arena"),
        ("p1", 0, "alpha", "beta", "ann", "smoothness", "tie", "b", "", "", 2.5, 1700000000.0, "arena"),
        ("p2", 1, "alpha", "gamma", "bob", "", "both_bad", "", "", "", None, 1700000001.0, "import"),
    ]
    with sqlite3.connect(path) as db:
        db.executescript(VERSION_1_SCHEMA)
        db.executemany(
            "INSERT INTO votes (prompt_id, seed, model_a, model_b, annotator, question, winner, shown_left,"
            " sha256_a, sha256_b, seconds, created, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    return rows


def test_a_version_1_file_is_read_as_it_is_and_migrated_when_opened_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    rows = version_1_file(path)
    with VoteStore(path, readonly=True) as store:  # read-only: nothing written, every vote read
        assert [(v.prompt_id, v.question, v.winner) for v in store.votes()] == [(r[0], r[5], r[6]) for r in rows]
        assert store.schema_version() == 0
    with VoteStore(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        votes = store.votes()
        assert [(v.prompt_id, v.seed, v.annotator, v.question, v.winner, v.shown_left) for v in votes] == [
            (r[0], r[1], r[4], r[5], r[6], r[7]) for r in rows
        ]
        key = ("p1", 0, "alpha", "beta")
        assert store.assign(key, "ann", lambda: "a") == "a"  # the new table works on the old file
        assert store.assign(key, "ann", lambda: "b") == "a"  # the first assignment stands
        assert store.left_counts("alpha", "beta") == {"a": 1, "b": 0}
    with VoteStore(path) as store:  # opening again changes nothing
        assert store.schema_version() == SCHEMA_VERSION and store.count() == 3
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(VoteError, match="newer than this wanbench"):
        VoteStore(path)


def test_a_round_is_stored_whole_or_not_at_all(tmp_path: Path) -> None:
    with VoteStore(tmp_path / "votes.sqlite") as store:
        first = [Vote("p1", 0, "beta", "alpha", "ann", "a", q) for q in ("", "visual_quality")]
        assert store.add_round(first) is True
        later = [Vote("p1", 0, "alpha", "beta", "ann", "a", q) for q in ("", "motion_quality")]
        assert store.add_round(later) is False  # its overall answer is stored: nothing added, not even motion
        assert sorted((v.question, v.winner) for v in store.votes()) == [("", "b"), ("visual_quality", "b")]
        assert store.add_round([Vote("p1", 0, "alpha", "beta", "bob", "tie", "motion_quality")]) is True
        with pytest.raises(VoteError, match="one annotator's answers on one pair"):
            store.add_round([Vote("p2", 0, "alpha", "beta", "ann", "a"), Vote("p3", 0, "alpha", "beta", "ann", "a")])
        assert store.count() == 3


def test_export_rounds_times_to_the_millisecond(tmp_path: Path) -> None:
    path = tmp_path / "votes.sqlite"
    with VoteStore(path) as store:
        store.add(Vote("p1", 0, "alpha", "beta", "ann", "a", seconds=6.398300000000047, created=1765000000.123456789))
        store.add(Vote("p2", 0, "alpha", "beta", "ann", "b"))  # no seconds: an empty cell
    out = tmp_path / "votes.csv"
    assert export_votes(path, out) == 2
    text = out.read_text(encoding="utf-8")
    assert "6.398300000000047" not in text
    rows = list(csv.DictReader(text.splitlines()))
    assert rows[0]["seconds"] == "6.398" and rows[0]["created"] == "1765000000.123"
    assert rows[1]["seconds"] == ""
