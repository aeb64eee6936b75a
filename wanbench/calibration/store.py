"""Calibration results, kept per weights sha256 under ``$WANBENCH_HOME/calibration/``.

A weights entry's fingerprint is the sha256 of its files' digests (every file of a transformers
snapshot folder): other bytes under the same name are other weights, with no calibration yet.
File digests are remembered by path, size and mtime, so `weights status` and a run's provenance
look a verdict up without rehashing gigabytes; a file whose digest is not remembered makes the
lookup say "not calibrated" rather than hash it there.

One JSON file per (entry, fingerprint): the checks that tested it, when, and their verdict:
pass (every check passed), fail (one failed) or skipped (none could run).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wanbench.calibration.checks import FAIL, PASS, SKIPPED, CheckResult
from wanbench.hashing import file_sha256
from wanbench.model_weights import WEIGHTS, wanbench_home, weights_status

NOT_CALIBRATED = "not calibrated"
SNAPSHOT_SUFFIXES = (".json", ".safetensors", ".txt", ".model", ".jinja")


def calibration_dir() -> Path:
    return wanbench_home() / "calibration"


def entry_files(name: str) -> list[Path]:
    """The files whose bytes are entry ``name``'s weights (empty when it is not fully present)."""
    status = weights_status(name)
    if status.state in ("missing", "checksum-failed"):
        return []
    spec = WEIGHTS.get(name)
    files = sorted(status.paths.values())
    if spec.snapshot and files:
        folder = files[0].parent
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in SNAPSHOT_SUFFIXES)
    return files


class DigestCache:
    """File sha256 digests remembered by resolved path, size and mtime (one JSON file)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or calibration_dir() / "file_digests.json"
        try:
            self.known: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}

    @staticmethod
    def _stamp(path: Path) -> list[int]:
        stat = path.stat()
        return [stat.st_size, stat.st_mtime_ns]

    def digest(self, path: Path, compute: bool) -> str | None:
        key = str(path.resolve())
        entry = self.known.get(key)
        if isinstance(entry, dict) and entry.get("stamp") == self._stamp(path):
            return str(entry["sha256"])
        if not compute:
            return None
        digest = file_sha256(path)
        self.known[key] = {"stamp": self._stamp(path), "sha256": digest}
        return digest

    def save(self) -> None:
        _write_json(self.path, self.known)


def fingerprint(name: str, compute: bool = True, digests: DigestCache | None = None) -> str | None:
    """sha256 over entry ``name``'s files (name and digest each); None when it is not present, or when
    ``compute`` is off and a file's digest is not remembered."""
    files = entry_files(name)
    if not files:
        return None
    digests = digests or DigestCache()
    parts = []
    for path in files:
        digest = digests.digest(path, compute)
        if digest is None:
            return None
        parts.append(f"{path.name}\0{digest}")
    if compute:
        digests.save()
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def verdict(results: Iterable[CheckResult]) -> str:
    statuses = [r.status for r in results]
    if FAIL in statuses:
        return FAIL
    return PASS if PASS in statuses else SKIPPED


def _write_json(path: Path, data: Any) -> None:
    """Write through a private temporary name, never through an existing symlink."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        raise OSError(f"{path} is a symlink; refusing to write through it")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _record_path(name: str, digest: str) -> Path:
    return calibration_dir() / name / f"{digest}.json"


def save_results(results: list[CheckResult], digests: DigestCache | None = None) -> dict[str, str]:
    """Store each weights entry's checks under its fingerprint; returns entry -> verdict."""
    digests = digests or DigestCache()
    stored: dict[str, str] = {}
    for name in sorted({w for r in results for w in r.weights}):
        digest = fingerprint(name, compute=True, digests=digests)
        if digest is None:
            continue
        own = [r for r in results if name in r.weights]
        stored[name] = verdict(own)
        record = {
            "entry": name,
            "fingerprint": digest,
            "verdict": stored[name],
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "checks": [r.to_dict() for r in own],
        }
        _write_json(_record_path(name, digest), record)
    return stored


def load_record(name: str, compute: bool = False, digests: DigestCache | None = None) -> dict[str, Any] | None:
    """The stored calibration of the weights now present under ``name`` (None: none for these bytes)."""
    digest = fingerprint(name, compute=compute, digests=digests)
    if digest is None:
        return None
    try:
        record = json.loads(_record_path(name, digest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("fingerprint") == digest else None


def calibration_state(name: str, digests: DigestCache | None = None) -> str:
    """pass | fail | skipped | not calibrated, for the weights now present under ``name``."""
    record = load_record(name, compute=False, digests=digests)
    return str(record["verdict"]) if record else NOT_CALIBRATED
