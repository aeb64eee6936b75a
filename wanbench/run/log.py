"""A run's bookkeeping: what it did (EvalSummary) and where each outcome is written (RunLog).

The evaluator decides what happens to an item; this module only records it, in one way: rows and
failures go to the store, counts to the summary, and every failure line to the caller's sink.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from wanbench.run.store import ResultRow, ResultStore

FailureSink = Callable[[str], None]  # receives each failure's one-line message


class RowStatus(str, Enum):
    """The status of one result row (the store's ``status`` column; ``stale`` is only derived on reading)."""

    OK = "ok"
    ERROR = "error"
    MISSING = "missing"
    NOT_APPLICABLE = "not_applicable"


def one_line(message: str) -> str:
    """Messages go into tables and terminals one per line: collapse newlines and runs of spaces."""
    return " ".join(str(message).split())


@dataclass
class EvalSummary:
    """What one evaluator run did; ``ok``, ``errors``, ``missing`` and ``not_applicable`` count rows."""

    run_dir: Path
    model: str
    prompts: int = 0
    videos: int = 0
    generated: int = 0
    rows_written: int = 0
    rows_skipped: int = 0
    statuses: Counter[RowStatus] = field(default_factory=Counter)  # rows written this run, by status
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    store: Path | None = None  # where this process wrote its rows
    merged: bool = True  # False: this shard's rows wait in RUN/shards/ for a merge

    @property
    def ok(self) -> int:
        return self.statuses[RowStatus.OK]

    @property
    def errors(self) -> int:
        return self.statuses[RowStatus.ERROR]

    @property
    def missing(self) -> int:
        return self.statuses[RowStatus.MISSING]

    @property
    def not_applicable(self) -> int:
        return self.statuses[RowStatus.NOT_APPLICABLE]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors or self.failures else 0

    def counts_line(self) -> str:
        """The run in one line of counts, as ``wanbench eval`` prints it after the model's name."""
        return (
            f"{self.prompts} prompts, {self.generated} videos generated, {self.ok} scores, {self.missing} missing, "
            f"{self.not_applicable} not applicable, {self.errors} errors, {len(self.failures)} failures, "
            f"{self.rows_skipped} rows already done ({self.seconds:.1f}s)"
        )


class RunLog:
    """Records one model's outcomes in one run: the single writer of rows, failures and counts."""

    def __init__(self, store: ResultStore, run: str, label: str, summary: EvalSummary, on_failure: FailureSink) -> None:
        self.store, self.run, self.label = store, run, label
        self.summary = summary
        self.on_failure = on_failure

    def failure(self, key: str, seed: int, stage: str, message: str, line: str) -> None:
        """A prompt (or suite line, ``key``) that produced no rows: stored, counted and reported as ``line``."""
        self.store.record_failure(self.run, self.label, key, seed, stage, message)
        self.summary.failures.append(line)
        self.on_failure(line)

    def item_failed(self, prompt_id: str, seed: int, stage: str, message: str) -> None:
        message = one_line(message)
        self.failure(prompt_id, seed, stage, message, f"{prompt_id} seed {seed}: {stage} failed: {message}")

    def generated(self) -> None:
        """The adapter made a video now (not reused, not found among exports)."""
        self.summary.generated += 1

    def skipped(self, rows: int) -> None:
        self.summary.rows_skipped += rows

    def scored(self, rows: Iterable[ResultRow]) -> None:
        """One scored video's rows, committed together; each error row is also reported as a line."""
        rows = list(rows)
        for row in rows:
            self.summary.statuses[RowStatus(row.status)] += 1
            if row.status == RowStatus.ERROR:
                self.on_failure(f"{row.prompt_id} seed {row.seed} {row.dimension}: {row.error}")
        self.store.write_results(rows)
        self.summary.rows_written += len(rows)
        self.summary.videos += 1
