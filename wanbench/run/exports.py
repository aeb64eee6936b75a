"""Videos made elsewhere (a closed model's web UI or API), brought back with their provenance.

The round trip: ``wanbench prompts export-manifest SUITE -o manifest.csv`` writes one row per
prompt (id, text, the file name to save the video under, and empty provenance cells); whoever
generates the videos pastes each text into the model's UI, saves the result under ``path`` and
fills in ``model``, ``version``, ``date``, ``settings`` and ``generated_by``; then ``wanbench score
--videos DIR --manifest manifest.csv --name NAME`` scores them. Each file's provenance is stored
with the run (the invocation's adapter info) and shown in the report.

A manifest line with a problem (no file, a bad date, an empty provenance cell, a text that is not
the suite's) fails that prompt with the line number; the rest are scored.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROVENANCE_FIELDS = ("model", "version", "date", "settings", "generated_by")
TEMPLATE_FIELDS = ("prompt_id", "seed", "text", "path", *PROVENANCE_FIELDS)


class ManifestError(ValueError):
    """A manifest that cannot be read at all (missing file or columns)."""


@dataclass(frozen=True)
class ManifestEntry:
    prompt_id: str
    seed: int | None
    path: Path
    line: int
    text: str | None = None  # the prompt text the video was made from, when the manifest gives it
    provenance: dict[str, Any] | None = None  # model, version, date, settings, generated_by

    def record(self) -> dict[str, Any]:
        return {
            "prompt_id": self.prompt_id,
            "seed": self.seed,
            "path": str(self.path),
            "line": self.line,
            **(self.provenance or {}),
        }


@dataclass
class Manifest:
    path: Path
    sha256: str
    entries: dict[tuple[str, int | None], ManifestEntry] = field(default_factory=dict)
    problems: dict[tuple[str, int | None], str] = field(default_factory=dict)  # per (prompt, seed): why it fails
    has_provenance: bool = False

    def summary(self) -> dict[str, Any]:
        """What a run records: the manifest's hash and every file's provenance."""
        return {
            "manifest": str(self.path),
            "manifest_sha256": self.sha256,
            "has_provenance": self.has_provenance,
            "files": [e.record() for e in sorted(self.entries.values(), key=lambda e: e.line)],
            "problems": {
                f"{p}/{'' if s is None else s}": m
                for (p, s), m in sorted(self.problems.items(), key=lambda kv: str(kv[0]))
            },
        }


def _settings(text: str) -> Any:
    """Settings as written; a JSON object stays structured."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return text
    return value if isinstance(value, dict) else text


def read_manifest(path: Path, root: Path) -> Manifest:
    """Read a manifest csv; relative paths are relative to ``root`` (the videos folder)."""
    if not path.is_file():
        raise ManifestError(f"manifest not found: {path}")
    raw = path.read_bytes()
    manifest = Manifest(path=path, sha256=hashlib.sha256(raw).hexdigest())
    reader = csv.DictReader(raw.decode("utf-8-sig").splitlines())
    columns = set(reader.fieldnames or ())
    if not {"prompt_id", "path"} <= columns:
        raise ManifestError(f"{path}: manifest needs the columns prompt_id and path")
    provenance_columns = columns & set(PROVENANCE_FIELDS)
    if provenance_columns and provenance_columns != set(PROVENANCE_FIELDS):
        absent = [f for f in PROVENANCE_FIELDS if f not in columns]
        raise ManifestError(
            f"{path}: a manifest with provenance needs every one of {', '.join(PROVENANCE_FIELDS)}; "
            f"missing: {', '.join(absent)}"
        )
    manifest.has_provenance = bool(provenance_columns)
    for line, row in enumerate(reader, start=2):
        prompt_id = (row.get("prompt_id") or "").strip()
        seed_text = (row.get("seed") or "").strip()
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            manifest.problems[(prompt_id, None)] = f"{path} line {line}: seed {seed_text!r} is not an integer"
            continue
        key = (prompt_id, seed)
        if key in manifest.entries or key in manifest.problems:
            first = manifest.entries[key].line if key in manifest.entries else "?"
            manifest.entries.pop(key, None)
            manifest.problems[key] = (
                f"{path} line {line}: prompt {prompt_id} seed {seed} is listed twice (also line {first})"
            )
            continue
        problem = _row_problem(row, manifest.has_provenance)
        if problem:
            manifest.problems[key] = f"{path} line {line}: {problem}"
            continue
        video = Path(row["path"].strip())
        provenance = None
        if manifest.has_provenance:
            provenance = {f: row[f].strip() for f in PROVENANCE_FIELDS}
            provenance["settings"] = _settings(provenance["settings"])
        manifest.entries[key] = ManifestEntry(
            prompt_id,
            seed,
            video if video.is_absolute() else root / video,
            line,
            (row.get("text") or "").strip() or None,
            provenance,
        )
    return manifest


def _row_problem(row: dict[str, str | None], with_provenance: bool) -> str | None:
    if not (row.get("path") or "").strip():
        return "no path"
    if not with_provenance:
        return None
    empty = [f for f in PROVENANCE_FIELDS if not (row.get(f) or "").strip()]
    if empty:
        return f"empty provenance: {', '.join(empty)} (write what is known, e.g. settings 'web UI defaults')"
    try:
        datetime.date.fromisoformat((row.get("date") or "").strip()[:10])
    except ValueError:
        return f"date {row.get('date')!r} is not an ISO date (YYYY-MM-DD)"
    return None


def write_manifest_template(
    prompts: Iterable[Any], path: Path, seed: int = 0, suffix: str = ".mp4", defaults: dict[str, str] | None = None
) -> int:
    """One row per prompt: id, seed, text to paste into the model's UI, the file name to save the
    video under, and provenance cells (pre-filled from ``defaults``) to complete. Returns the row count."""
    defaults = defaults or {}
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=TEMPLATE_FIELDS)
        writer.writeheader()
        for prompt in prompts:
            writer.writerow(
                {
                    "prompt_id": prompt.id,
                    "seed": seed,
                    "text": prompt.text,
                    "path": f"{prompt.id}-s{seed}{suffix}",
                    **{f: defaults.get(f, "") for f in PROVENANCE_FIELDS},
                }
            )
            rows += 1
    return rows


def provenance_rows(invocations: list[dict]) -> list[dict[str, Any]]:
    """Per file, the provenance the latest invocation of each (run, model) recorded from its manifest."""
    latest: dict[tuple[str, str], dict] = {}
    for inv in sorted(invocations, key=lambda i: str(i.get("started", ""))):
        adapter = (inv.get("config") or {}).get("adapter") or {}
        if isinstance(adapter, dict) and adapter.get("manifest"):
            latest[(inv["run"], inv["model"])] = adapter["manifest"]
    rows = []
    for (run, model), manifest in sorted(latest.items()):
        for record in manifest.get("files", []):
            rows.append(
                {
                    "run": run,
                    "model": model,
                    **{k: record.get(k) for k in ("prompt_id", "seed", "path")},
                    **{f: record.get(f) for f in PROVENANCE_FIELDS},
                    "manifest_sha256": manifest.get("manifest_sha256"),
                }
            )
    return rows


def _distinct(files: list[dict[str, Any]], key: str) -> str:
    """The distinct values of ``key`` across manifest entries, sorted and joined."""
    return ", ".join(sorted({str(f[key]) for f in files})) or "not recorded"


def provenance_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per scored model label: which source models and versions, dates, by whom, how many files."""
    by_model: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_model.setdefault((row["run"], row["model"]), []).append(row)
    summary = []
    for (run, model), files in by_model.items():
        known = [f for f in files if f.get("model")]
        dates = sorted(str(f["date"]) for f in known)
        summary.append(
            {
                "run": run,
                "model": model,
                "files": len(files),
                "source": _distinct(known, "model"),
                "version": _distinct(known, "version"),
                "dates": f"{dates[0]} to {dates[-1]}" if dates else "not recorded",
                "generated_by": _distinct(known, "generated_by"),
                "settings": ", ".join(
                    sorted(
                        {
                            json.dumps(f["settings"], ensure_ascii=False, sort_keys=True)
                            if isinstance(f["settings"], dict)
                            else str(f["settings"])
                            for f in known
                        }
                    )
                )
                or "not recorded",
            }
        )
    return summary


__all__ = [
    "Manifest",
    "ManifestEntry",
    "ManifestError",
    "PROVENANCE_FIELDS",
    "read_manifest",
    "write_manifest_template",
    "provenance_rows",
    "provenance_summary",
]
