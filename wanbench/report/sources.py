"""Where scored videos came from, for models scored from a manifest (closed-model exports)."""

from __future__ import annotations

import csv
from pathlib import Path

from wanbench.report.html import esc
from wanbench.run.exports import PROVENANCE_FIELDS, provenance_rows, provenance_summary

SUMMARY_COLUMNS = ("model", "source", "version", "dates", "generated_by", "settings", "files")


def sources_markdown(summary: list[dict]) -> str:
    if not summary:
        return ""
    lines = [
        "\n## Videos made elsewhere (from the manifest)\n\n",
        "| " + " | ".join(SUMMARY_COLUMNS) + " |\n",
        "|" + "---|" * len(SUMMARY_COLUMNS) + "\n",
    ]
    for row in summary:
        lines.append("| " + " | ".join(str(row[c]).replace("|", "/") for c in SUMMARY_COLUMNS) + " |\n")
    return "".join(lines)


def sources_html(summary: list[dict]) -> str:
    if not summary:
        return ""
    head = "".join(f"<th>{esc(c)}</th>" for c in SUMMARY_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f'<td class="l">{esc(row[c])}</td>' for c in SUMMARY_COLUMNS) + "</tr>" for row in summary
    )
    return (
        f"<h2>Videos made elsewhere</h2><p>Provenance from each run's manifest; per file in sources.csv.</p>"
        f"<table><tr>{head}</tr>{body}</table>"
    )


def write_sources(invocations: list[dict], out_dir: Path) -> list[dict]:
    """Write sources.csv (one row per file) when any run was scored from a manifest; return the
    per-model summary the report's section shows (empty when there is nothing to show)."""
    rows = provenance_rows(invocations)
    if not rows:
        return []
    columns = ["run", "model", "prompt_id", "seed", "path", *PROVENANCE_FIELDS, "manifest_sha256"]
    from wanbench.safe_write import replacing

    with replacing(out_dir / "sources.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return provenance_summary(rows)
