"""SQLite result store (WAL): one row per (run, model, prompt, seed, dimension, metric version).

Each video's rows are written in one transaction, so a run killed at any instant leaves either all
of a video's finished rows or none; re-running skips rows already there, and the primary key makes
counting a row twice impossible. Failures before scoring (a malformed suite line, a generation or
decode error) go to ``failures``; each invocation's reproduction record goes to ``invocations``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS_FILE = "results.sqlite"  # a run directory's store; a sharded run also has shards/*.sqlite
SHARDS_DIR = "shards"


def is_run_dir(path: Path) -> bool:
    """A wanbench run directory: it holds the run's store, or shards waiting for a merge."""
    path = Path(path)
    return (path / RESULTS_FILE).is_file() or any((path / SHARDS_DIR).glob("*.sqlite"))


SCHEMA = """
CREATE TABLE IF NOT EXISTS invocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run TEXT NOT NULL, model TEXT NOT NULL, started REAL NOT NULL, finished REAL,
    config TEXT NOT NULL, provenance TEXT NOT NULL, suite_sha256 TEXT NOT NULL, status TEXT
);
CREATE TABLE IF NOT EXISTS videos (
    run TEXT NOT NULL, model TEXT NOT NULL, prompt_id TEXT NOT NULL, seed INTEGER NOT NULL,
    path TEXT NOT NULL, sha256 TEXT NOT NULL, seconds REAL NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (run, model, prompt_id, seed)
);
CREATE TABLE IF NOT EXISTS results (
    run TEXT NOT NULL, model TEXT NOT NULL, prompt_id TEXT NOT NULL, seed INTEGER NOT NULL,
    dimension TEXT NOT NULL, metric_version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'missing', 'not_applicable', 'stale')),
    value REAL, details TEXT NOT NULL DEFAULT '{}', backend TEXT NOT NULL DEFAULT '',
    video_sha256 TEXT NOT NULL DEFAULT '', seconds REAL NOT NULL DEFAULT 0, error TEXT,
    created REAL NOT NULL,
    PRIMARY KEY (run, model, prompt_id, seed, dimension, metric_version),
    CHECK ((status = 'ok') = (value IS NOT NULL))
);
CREATE TABLE IF NOT EXISTS prompts (
    run TEXT NOT NULL, prompt_id TEXT NOT NULL, text TEXT NOT NULL, metadata TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (run, prompt_id)
);
CREATE TABLE IF NOT EXISTS failures (
    run TEXT NOT NULL, model TEXT NOT NULL, prompt_id TEXT NOT NULL, seed INTEGER NOT NULL,
    stage TEXT NOT NULL, message TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (run, model, prompt_id, seed, stage)
);
"""


@dataclass(frozen=True)
class ResultRow:
    run: str
    model: str
    prompt_id: str
    seed: int
    dimension: str
    metric_version: str
    status: str  # ok | error | missing | not_applicable (stale is derived when reading: aggregate.py)
    value: float | None = None
    details: dict[str, Any] | None = None
    backend: str = ""
    video_sha256: str = ""
    seconds: float = 0.0
    error: str | None = None


RESULT_KEY = ("run", "model", "prompt_id", "seed")


class StoreError(ValueError):
    """A store that cannot be read or written (damaged, not a store, empty, disk full): one line naming
    the file and what to do, instead of SQLite's bare message reported as a wanbench bug."""


def store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if "full" in text.lower():
        return StoreError(f"{path}: the disk is full ({text}); free some space and run again (finished rows are kept)")
    if "locked" in text.lower() or "busy" in text.lower():
        return StoreError(f"{path}: busy ({text}); another process holds it, wait for it or use another --out")
    return StoreError(
        f"{path}: damaged or not a wanbench store ({text}); restore it from a copy, "
        "or start afresh with another --out (a report: leave this run out)"
    )


# Errors that are wanbench's own (a broken constraint, a bad statement), never the file's: kept as they are.
OUR_ERRORS = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.DataError)


class _CheckedConnection(sqlite3.Connection):
    """A connection whose SQLite errors name the store file and a remedy (ResultStore's ``db``)."""

    store_path: Path = Path(RESULTS_FILE)

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise exc if isinstance(exc, OUR_ERRORS) else store_error(self.store_path, exc) from None

    def executemany(self, *args, **kwargs):
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise exc if isinstance(exc, OUR_ERRORS) else store_error(self.store_path, exc) from None

    def executescript(self, *args, **kwargs):
        try:
            return super().executescript(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise exc if isinstance(exc, OUR_ERRORS) else store_error(self.store_path, exc) from None

    def __exit__(self, *exc_info):
        try:
            return super().__exit__(*exc_info)
        except sqlite3.DatabaseError as exc:  # the COMMIT of a ``with db:`` block (a full disk shows here)
            raise exc if isinstance(exc, OUR_ERRORS) else store_error(self.store_path, exc) from None


class ResultStore:
    def __init__(self, path: str | Path, readonly: bool = False, existing: bool = False) -> None:
        """``readonly``: open an existing store without writing to it (how shards read the main store);
        ``existing``: the store must already be there and hold a run (a report never reads an empty or
        0-byte file as an empty run and writes a report of nothing over the old one)."""
        self.path = Path(path)
        if (readonly or existing) and self.path.is_file() and self.path.stat().st_size == 0:
            raise StoreError(
                f"{self.path} is empty (0 bytes), not a run's store; restore it from a copy, or leave this run out"
            )
        if readonly:
            # with no write-ahead log beside it nothing is uncommitted: read it as immutable, so a read
            # leaves no -shm/-wal file behind; with one (a writer at work, or one that died) read it
            # through the log, as SQLite must
            settled = not (self.path.parent / (self.path.name + "-wal")).exists()
            self.db = self._connect(
                f"{self.path.resolve().as_uri()}?mode=ro{'&immutable=1' if settled else ''}", uri=True
            )
            self.db.execute("SELECT count(*) FROM sqlite_master")  # a damaged file fails here, by name
            return
        for name in (self.path.name, self.path.name + "-wal", self.path.name + "-shm", self.path.name + "-journal"):
            if (self.path.parent / name).is_symlink():  # SQLite would write to the link's target
                raise ValueError(
                    f"{self.path.parent / name} is a symbolic link; wanbench never writes through one (remove it)"
                )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._widen_statuses()

    def _connect(self, target: str | Path, uri: bool = False) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(target, timeout=30, uri=uri, factory=_CheckedConnection)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None
        db.store_path = self.path
        db.row_factory = sqlite3.Row
        return db

    def _widen_statuses(self) -> None:
        """Stores written before the not_applicable/stale statuses existed have a narrower CHECK;
        SQLite cannot alter a constraint, so the table is rebuilt once, in one immediate transaction
        (rows unchanged; a second process opening the store meanwhile waits, then finds it done)."""

        def narrow() -> bool:
            row = self.db.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='results'").fetchone()
            return "not_applicable" not in row[0]

        if not narrow():
            return
        create = SCHEMA[SCHEMA.index("CREATE TABLE IF NOT EXISTS results") :]
        create = create[: create.index(");") + 2].replace("IF NOT EXISTS results", "results_widened")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if narrow():
                self.db.execute("DROP TABLE IF EXISTS results_widened")
                self.db.execute(create)
                self.db.execute("INSERT INTO results_widened SELECT * FROM results")
                self.db.execute("DROP TABLE results")
                self.db.execute("ALTER TABLE results_widened RENAME TO results")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- invocations ---------------------------------------------------------------------------
    def start_invocation(self, run: str, model: str, config: dict, provenance: dict, suite_sha256: str) -> int:
        with self.db:
            cursor = self.db.execute(
                "INSERT INTO invocations (run, model, started, config, provenance, suite_sha256, status)"
                " VALUES (?, ?, ?, ?, ?, ?, 'running')",
                (
                    run,
                    model,
                    time.time(),
                    json.dumps(config, sort_keys=True, default=str),
                    json.dumps(provenance, sort_keys=True, default=str),
                    suite_sha256,
                ),
            )
        assert cursor.lastrowid is not None  # an INSERT always sets it
        return cursor.lastrowid

    def finish_invocation(self, invocation: int, status: str) -> None:
        with self.db:
            self.db.execute(
                "UPDATE invocations SET finished = ?, status = ? WHERE id = ?", (time.time(), status, invocation)
            )

    def first_run_name(self) -> str | None:
        """The run name this store was started under (kept when the run directory is copied or renamed)."""
        row = self.db.execute("SELECT run FROM invocations ORDER BY id LIMIT 1").fetchone()
        return row[0] if row else None

    def invocations(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM invocations ORDER BY id").fetchall()
        out = []
        for row in rows:
            item = dict(row)
            item["config"] = json.loads(item["config"])
            item["provenance"] = json.loads(item["provenance"])
            out.append(item)
        return out

    # -- videos and results --------------------------------------------------------------------
    def video(self, run: str, model: str, prompt_id: str, seed: int) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT * FROM videos WHERE run=? AND model=? AND prompt_id=? AND seed=?",
            (run, model, prompt_id, seed),
        ).fetchone()
        return dict(row) if row else None

    def record_video(
        self, run: str, model: str, prompt_id: str, seed: int, path: str, sha256: str, seconds: float
    ) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO videos VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run, model, prompt_id, seed, path, sha256, seconds, time.time()),
            )
            self.db.execute(
                "DELETE FROM failures WHERE run=? AND model=? AND prompt_id=? AND seed=?",
                (run, model, prompt_id, seed),
            )

    def done_keys(self, run: str, model: str, retry_errors: bool = False) -> set[tuple[str, int, str, str]]:
        """(prompt, seed, dimension, version) already finished; missing rows are always retried, and
        rows of another metric version never count (a version bump re-scores them)."""
        statuses = ("ok", "not_applicable") if retry_errors else ("ok", "not_applicable", "error")
        marks = ",".join("?" * len(statuses))
        rows = self.db.execute(
            f"SELECT prompt_id, seed, dimension, metric_version FROM results"
            f" WHERE run=? AND model=? AND status IN ({marks})",
            (run, model, *statuses),
        ).fetchall()
        return {(r[0], int(r[1]), r[2], r[3]) for r in rows}

    def kept(self, run: str, model: str) -> int:
        """Videos and finished scores stored under ``run``/``model`` (what binds a label to its settings)."""
        videos = self.db.execute("SELECT count(*) FROM videos WHERE run=? AND model=?", (run, model)).fetchone()[0]
        scores = self.db.execute(
            "SELECT count(*) FROM results WHERE run=? AND model=? AND status IN ('ok', 'not_applicable')",
            (run, model),
        ).fetchone()[0]
        return int(videos) + int(scores)

    def forget_unfinished(self, run: str, model: str) -> None:
        """Drop the error and missing rows and failures of ``run``/``model``: made under settings that are
        being replaced (nothing else was kept), they are redone under the new ones."""
        with self.db:
            self.db.execute(
                "DELETE FROM results WHERE run=? AND model=? AND status NOT IN ('ok', 'not_applicable')", (run, model)
            )
            self.db.execute("DELETE FROM failures WHERE run=? AND model=? AND stage != 'suite'", (run, model))

    def write_results(self, rows: Iterable[ResultRow]) -> None:
        """All rows of one video in one transaction."""
        now = time.time()
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.run,
                        r.model,
                        r.prompt_id,
                        r.seed,
                        r.dimension,
                        r.metric_version,
                        r.status,
                        r.value,
                        json.dumps(r.details or {}, sort_keys=True, default=float),
                        r.backend,
                        r.video_sha256,
                        r.seconds,
                        r.error,
                        now,
                    )
                    for r in rows
                ],
            )

    def record_prompts(self, run: str, prompts: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """The text and metadata of the prompts a run scores (id, text, metadata), so reports and the
        Python API show what was asked without finding the suite file again."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO prompts VALUES (?, ?, ?, ?)",
                [
                    (run, pid, text, json.dumps(meta, sort_keys=True, ensure_ascii=False, default=str))
                    for pid, text, meta in prompts
                ],
            )

    def prompts(self) -> list[dict[str, Any]]:
        """Recorded prompts ([] for a store written before prompts were recorded, opened read-only)."""
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='prompts'").fetchone():
            return []
        rows = self.db.execute("SELECT * FROM prompts ORDER BY run, prompt_id").fetchall()
        return [dict(r) | {"metadata": json.loads(r["metadata"])} for r in rows]

    def record_failure(self, run: str, model: str, prompt_id: str, seed: int, stage: str, message: str) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run, model, prompt_id, seed, stage, message, time.time()),
            )

    def clear_failures(self, run: str, model: str, stage: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM failures WHERE run=? AND model=? AND stage=?", (run, model, stage))

    def merge_from(self, path: str | Path) -> int:
        """Copy another store's videos, results, failures and invocations into this one (one
        transaction; running it again changes nothing). Returns the number of result rows copied."""
        key = " AND ".join(f"m.{k} = s.{k}" for k in RESULT_KEY)
        same_invocation = (
            "m.run = s.run AND m.model = s.model AND m.started = s.started AND m.provenance = s.provenance"
        )
        self.db.execute("ATTACH DATABASE ? AS shard", (str(path),))
        try:
            with self.db:
                copied = self.db.execute("SELECT count(*) FROM shard.results").fetchone()[0]
                self.db.execute("INSERT OR REPLACE INTO main.results SELECT * FROM shard.results")
                # a video the shard made supersedes a failure the main store recorded for that item
                self.db.execute(
                    f"DELETE FROM main.failures AS m WHERE EXISTS (SELECT 1 FROM shard.videos AS s WHERE {key})"
                )
                self.db.execute("INSERT OR REPLACE INTO main.videos SELECT * FROM shard.videos")
                self.db.execute("INSERT OR REPLACE INTO main.failures SELECT * FROM shard.failures")
                self.db.execute("INSERT OR REPLACE INTO main.prompts SELECT * FROM shard.prompts")
                self.db.execute(
                    f"UPDATE main.invocations AS m SET finished = s.finished, status = s.status "
                    f"FROM shard.invocations AS s WHERE {same_invocation}"
                )
                self.db.execute(
                    f"INSERT INTO main.invocations (run, model, started, finished, config, provenance, "
                    f"suite_sha256, status) SELECT run, model, started, finished, config, provenance, "
                    f"suite_sha256, status FROM shard.invocations AS s WHERE NOT EXISTS "
                    f"(SELECT 1 FROM main.invocations AS m WHERE {same_invocation})"
                )
        finally:
            self.db.execute("DETACH DATABASE shard")
        return int(copied)

    def videos(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute("SELECT * FROM videos ORDER BY model, prompt_id, seed").fetchall()]

    def results(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM results ORDER BY model, prompt_id, seed, dimension").fetchall()
        return [dict(r) for r in rows]

    def failures(self) -> list[dict[str, Any]]:
        return [
            dict(r) for r in self.db.execute("SELECT * FROM failures ORDER BY model, prompt_id, seed, stage").fetchall()
        ]
