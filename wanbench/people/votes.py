"""Human pairwise votes in their own SQLite file, and their csv exchange format.

One row per (prompt, seed, model pair, annotator, question). The pair is stored in canonical order
(``model_a`` < ``model_b``) and ``winner`` is relative to it (``a``, ``b``, ``tie``, ``both_bad``),
so the order the two videos were shown in (``shown_left``) never changes the key. Inserting a vote
whose key exists does nothing: a retried request, a reloaded page or a resubmitted form cannot count
a vote twice, and each vote is one transaction, so a killed server loses at most the vote it had not
yet committed (the client retries it).

A *round* is one person judging one pair: every aspect they answered (overall, visual quality,
motion quality, prompt matching, ...) is one row, and the rows of a round are written together in
one transaction or not at all (``add_round``); a round already stored is never added to later.

The arena records which side it showed each model on (``assignments``) when it hands out a pair, so
a vote's sides come from the server, never from the browser. Files written before that table existed
(schema version 1) are migrated when opened for writing: the table is added, every vote is kept.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

WINNERS = ("a", "b", "tie", "both_bad")
OVERALL = ""  # the question key of the main "which video is better" vote
SCHEMA_VERSION = 2  # 1: votes only; 2: adds the server's side assignments


@dataclass(frozen=True)
class Aspect:
    """One thing a person is asked about a pair; ``key`` is the stored question ("" for overall)."""

    key: str
    title: str
    question: str


# The Wan report's human evaluation (its Table 3) asks four aspects; "overall" is the stored "" question.
ASPECTS: dict[str, Aspect] = {
    "visual_quality": Aspect(
        "visual_quality", "Visual quality", "Which looks better frame by frame (sharp, clean, no artifacts)?"
    ),
    "motion_quality": Aspect(
        "motion_quality", "Motion quality", "Which moves better (natural, smooth, enough motion, no glitches)?"
    ),
    "matching": Aspect("matching", "Prompt matching", "Which follows the text prompt better?"),
    "overall": Aspect(OVERALL, "Overall", "Which video is better overall?"),
}
REPORT_ASPECTS = ("visual_quality", "motion_quality", "matching", "overall")


def aspect_key(name: str) -> str:
    """The stored question of an aspect name ("overall" is ""); any other name is stored as it is."""
    return ASPECTS[name].key if name in ASPECTS else name


def aspect_title(question: str) -> str:
    for aspect in ASPECTS.values():
        if aspect.key == question:
            return aspect.title
    return question


SCHEMA = """
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
CREATE TABLE IF NOT EXISTS assignments (
    prompt_id TEXT NOT NULL, seed INTEGER NOT NULL,
    model_a TEXT NOT NULL, model_b TEXT NOT NULL,
    annotator TEXT NOT NULL,
    shown_left TEXT NOT NULL CHECK (shown_left IN ('a', 'b')),
    issued REAL NOT NULL,
    CHECK (model_a < model_b),
    UNIQUE (prompt_id, seed, model_a, model_b, annotator)
);
"""

# The documented csv exchange format (docs/alignment.md): the first six columns are required.
CSV_REQUIRED = ("prompt_id", "seed", "model_a", "model_b", "winner", "annotator")
CSV_COLUMNS = CSV_REQUIRED + ("dimension", "shown_left", "sha256_a", "sha256_b", "seconds", "created", "source")


INSERT = (
    "INSERT INTO votes (prompt_id, seed, model_a, model_b, annotator, question, winner, shown_left,"
    " sha256_a, sha256_b, seconds, created, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (prompt_id, seed, model_a, model_b, annotator, question) DO NOTHING"
)


class VoteError(ValueError):
    pass


@dataclass(frozen=True)
class Vote:
    prompt_id: str
    seed: int
    model_a: str
    model_b: str
    annotator: str
    winner: str  # a | b | tie | both_bad, relative to model_a / model_b
    question: str = OVERALL  # "" for the overall preference, else a dimension key
    shown_left: str = ""  # "a" or "b": which of the two was on the left ("" when unknown)
    sha256_a: str = ""
    sha256_b: str = ""
    seconds: float | None = None
    created: float | None = None
    source: str = "arena"

    def canonical(self) -> Vote:
        """The same vote with model_a < model_b (winner and shown side flipped with them)."""
        if self.model_a == self.model_b:
            raise VoteError(f"vote on {self.prompt_id} seed {self.seed} compares {self.model_a!r} with itself")
        if self.winner not in WINNERS:
            raise VoteError(f"winner must be one of {', '.join(WINNERS)}, not {self.winner!r}")
        if self.model_a < self.model_b:
            return self
        swap = {"a": "b", "b": "a"}
        return Vote(
            self.prompt_id,
            self.seed,
            self.model_b,
            self.model_a,
            self.annotator,
            swap.get(self.winner, self.winner),
            self.question,
            swap.get(self.shown_left, self.shown_left),
            self.sha256_b,
            self.sha256_a,
            self.seconds,
            self.created,
            self.source,
        )


class VoteStore:
    """The votes file. Safe for several processes and threads: WAL, one transaction per vote."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly:
            if not self.path.is_file():
                raise FileNotFoundError(f"no votes file at {self.path}")
            self.db = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False
            )
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # a vote acknowledged to a person survives a crash
            self._migrate()
        self.db.row_factory = sqlite3.Row

    def _migrate(self) -> None:
        """Bring a new or older file to SCHEMA_VERSION; a newer file is refused rather than misread."""
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise VoteError(f"{self.path}: votes schema {version} is newer than this wanbench ({SCHEMA_VERSION})")
        if version < SCHEMA_VERSION:
            with self.db:  # version 1 files hold only the votes table: add what is missing, keep every row
                self.db.executescript(SCHEMA)
                self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> VoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, vote: Vote) -> bool:
        """Record one vote; False (and nothing written) when that key already holds a vote."""
        return self.add_many([vote]) == 1

    def add_many(self, votes: Iterable[Vote]) -> int:
        """Record votes in one transaction; returns how many were new."""
        rows = self._rows(votes)
        with self.db:
            before = self.db.total_changes
            self.db.executemany(INSERT, rows)
            return self.db.total_changes - before

    def add_round(self, votes: Sequence[Vote]) -> bool:
        """Store one round (one annotator's answers on one pair) whole, or nothing when any answer of
        that round is already stored: a retried or altered resubmission never adds to a stored round."""
        rows = self._rows(votes)
        keys = {r[:5] for r in rows}
        if len(keys) != 1:
            raise VoteError("a round is one annotator's answers on one pair")
        prompt_id, seed, model_a, model_b, annotator = keys.pop()
        self.db.execute("BEGIN IMMEDIATE")  # the check and the insert under one write lock (other processes too)
        try:
            present = self.db.execute(
                "SELECT 1 FROM votes WHERE prompt_id=? AND seed=? AND model_a=? AND model_b=? AND annotator=? LIMIT 1",
                (prompt_id, seed, model_a, model_b, annotator),
            ).fetchone()
            if present is None:
                self.db.executemany(INSERT, rows)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return present is None

    def assign(self, key: tuple[str, int, str, str], annotator: str, choose: Callable[[], str]) -> str:
        """The side model_a is shown on for this annotator and pair: the recorded one, else ``choose()``,
        recorded now (the first assignment stands; a reload shows the same sides)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute(
                "SELECT shown_left FROM assignments WHERE prompt_id=? AND seed=? AND model_a=? AND model_b=?"
                " AND annotator=?",
                (*key, annotator),
            ).fetchone()
            side = row[0] if row else choose()
            if row is None:
                self.db.execute(
                    "INSERT INTO assignments (prompt_id, seed, model_a, model_b, annotator, shown_left, issued)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (*key, annotator, side, time.time()),
                )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return side

    def assigned_side(self, key: tuple[str, int, str, str], annotator: str) -> str | None:
        row = self.db.execute(
            "SELECT shown_left FROM assignments WHERE prompt_id=? AND seed=? AND model_a=? AND model_b=?"
            " AND annotator=?",
            (*key, annotator),
        ).fetchone()
        return None if row is None else str(row[0])

    def left_counts(self, model_a: str, model_b: str) -> dict[str, int]:
        """How often model_a was assigned the left ("a") or the right ("b") side against model_b."""
        rows = self.db.execute(
            "SELECT shown_left, count(*) FROM assignments WHERE model_a=? AND model_b=? GROUP BY shown_left",
            (model_a, model_b),
        ).fetchall()
        return {"a": 0, "b": 0} | {str(r[0]): int(r[1]) for r in rows}

    @staticmethod
    def _rows(votes: Iterable[Vote]) -> list[tuple]:
        now = time.time()
        rows = []
        for v in votes:
            c = v.canonical()
            rows.append(
                (
                    c.prompt_id,
                    int(c.seed),
                    c.model_a,
                    c.model_b,
                    c.annotator,
                    c.question,
                    c.winner,
                    c.shown_left,
                    c.sha256_a,
                    c.sha256_b,
                    c.seconds,
                    c.created or now,
                    c.source,
                )
            )
        return rows

    def votes(self) -> list[Vote]:
        names = [f.name for f in fields(Vote)]
        rows = self.db.execute(f"SELECT {', '.join(names)} FROM votes ORDER BY id").fetchall()
        return [Vote(**dict(row)) for row in rows]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM votes").fetchone()[0])

    def pair_counts(self, question: str = OVERALL) -> dict[tuple[str, int, str, str], int]:
        """Votes per (prompt, seed, model_a, model_b) for one question."""
        rows = self.db.execute(
            "SELECT prompt_id, seed, model_a, model_b, count(*) FROM votes WHERE question=?"
            " GROUP BY prompt_id, seed, model_a, model_b",
            (question,),
        ).fetchall()
        return {(r[0], int(r[1]), r[2], r[3]): int(r[4]) for r in rows}

    def voted_by(self, annotator: str, question: str = OVERALL) -> set[tuple[str, int, str, str]]:
        rows = self.db.execute(
            "SELECT prompt_id, seed, model_a, model_b FROM votes WHERE annotator=? AND question=?",
            (annotator, question),
        ).fetchall()
        return {(r[0], int(r[1]), r[2], r[3]) for r in rows}

    def annotators(self, question: str = OVERALL) -> dict[str, dict[str, float]]:
        """Per annotator: votes, median seconds per vote, first and last vote time."""
        rows = self.db.execute(
            "SELECT annotator, count(*), avg(seconds), min(created), max(created) FROM votes"
            " WHERE question=? GROUP BY annotator ORDER BY annotator",
            (question,),
        ).fetchall()
        return {r[0]: {"votes": int(r[1]), "mean_seconds": r[2], "first": r[3], "last": r[4]} for r in rows}


def _parse_winner(raw: str, model_a: str, model_b: str) -> str:
    value = raw.strip()
    if value in WINNERS:
        return value
    if value == model_a:
        return "a"
    if value == model_b:
        return "b"
    if value.lower() in ("both bad", "both-bad", "bothbad"):
        return "both_bad"
    raise VoteError(f"winner {raw!r} is none of a, b, tie, both_bad, {model_a!r}, {model_b!r}")


def read_votes_csv(path: str | Path) -> list[Vote]:
    """Votes from the documented csv format; a malformed line stops the import with its line number."""
    path = Path(path)
    votes = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise VoteError(f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(CSV_REQUIRED)})")
        for line, row in enumerate(reader, start=2):
            try:
                model_a, model_b = row["model_a"].strip(), row["model_b"].strip()
                if not row["prompt_id"].strip() or not model_a or not model_b or not row["annotator"].strip():
                    raise VoteError("prompt_id, model_a, model_b and annotator must not be empty")
                seconds = (row.get("seconds") or "").strip()
                created = (row.get("created") or "").strip()
                votes.append(
                    Vote(
                        prompt_id=row["prompt_id"].strip(),
                        seed=int(row["seed"]),
                        model_a=model_a,
                        model_b=model_b,
                        annotator=row["annotator"].strip(),
                        winner=_parse_winner(row["winner"], model_a, model_b),
                        question=(row.get("dimension") or "").strip(),
                        shown_left=(row.get("shown_left") or "").strip(),
                        sha256_a=(row.get("sha256_a") or "").strip(),
                        sha256_b=(row.get("sha256_b") or "").strip(),
                        seconds=float(seconds) if seconds else None,
                        created=float(created) if created else None,
                        source=(row.get("source") or "").strip() or "import",
                    ).canonical()
                )
                if votes[-1].shown_left not in ("", "a", "b"):
                    raise VoteError(f"shown_left must be a, b or empty, not {votes[-1].shown_left!r}")
            except (VoteError, ValueError, TypeError, AttributeError) as exc:
                raise VoteError(f"{path}:{line}: {exc}") from None
    return votes


def import_votes(csv_path: str | Path, votes_path: str | Path) -> tuple[int, int]:
    """(new, already present): importing the same file twice adds nothing the second time."""
    votes = read_votes_csv(csv_path)
    with VoteStore(votes_path) as store:
        new = store.add_many(votes)
    return new, len(votes) - new


EXPORT_DECIMALS = {"seconds": 3, "created": 3}  # milliseconds: what a browser's clock and a person resolve


def export_rows(votes: Iterable[Vote]) -> Iterator[dict[str, object]]:
    """Csv rows; times are rounded to the millisecond (6.398300000000047 s is written 6.398)."""
    for v in votes:
        row = asdict(v)
        row["dimension"] = row.pop("question")
        for column, decimals in EXPORT_DECIMALS.items():
            if row[column] is not None:
                row[column] = round(float(row[column]), decimals)
        yield {c: "" if row[c] is None else row[c] for c in CSV_COLUMNS}


def export_votes(votes_path: str | Path, csv_path: str | Path) -> int:
    with VoteStore(votes_path, readonly=True) as store:
        votes = store.votes()
    with Path(csv_path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(export_rows(votes))
    return len(votes)


def default_votes_path(run_dirs: list[Path]) -> Path:
    """Votes live beside the runs: ``votes.sqlite`` in the run directories' common parent."""
    parents = {Path(r).resolve().parent for r in run_dirs}
    parent = parents.pop() if len(parents) == 1 else Path.cwd()
    return parent / "votes.sqlite"
