"""The paper's tables that the package carries, rendered as markdown for reports/paper/.

The package data (wanbench/data/reference/paper_table*.csv) stays the one source: these pages are
written from it, never edited, and the drift test renders them again and compares.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from wanbench.benchmark.names import display_name

SOURCE = "wanbench/data/reference"


def _rows(name: str) -> list[dict[str, str]] | None:
    path = resources.files("wanbench").joinpath(f"data/reference/{name}")
    if not path.is_file():
        return None
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _table(head: list[str], rows: list[list[str]], align: str = "---:") -> str:
    lines = ["| " + " | ".join(head) + " |", "|---|" + (align + "|") * (len(head) - 1)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines) + "\n"


def table2_markdown(rows: list[dict[str, str]]) -> str:
    """Table 2: one row per dimension, one column per model; the weighted score last, in bold."""
    models = [c for c in rows[0] if c != "dimension"]
    body = []
    for row in rows:
        name = "**weighted score**" if row["dimension"] == "weighted_score" else display_name(row["dimension"])
        cells = [f"**{row[m]}**" if row["dimension"] == "weighted_score" else row[m] for m in models]
        body.append([name, *cells])
    return (
        "# Table 2 of the Wan 2.1 report: Wan-Bench scores\n\n"
        f"Rendered from `{SOURCE}/paper_table2.csv`. Higher is better on every dimension. The weighted\n"
        "score uses weights the report did not publish (`wanbench weighting show paper`: fitted to this table).\n\n"
        + _table(["dimension", *models], body)
    )


def table3_markdown(rows: list[dict[str, str]]) -> str:
    """Table 3: Wan 14B's win rate against each opponent, one row per aspect."""
    opponents = list(dict.fromkeys(r["opponent"] for r in rows))
    aspects = list(dict.fromkeys(r["aspect"] for r in rows))
    cell = {(r["aspect"], r["opponent"]): r for r in rows}
    body = [
        [
            a.replace("_", " "),
            *(cell[(a, o)]["win_rate_percent"] if (a, o) in cell else "" for o in opponents),
            " / ".join(sorted({r.get("rounds") or "" for r in rows if r["aspect"] == a})),
        ]
        for a in aspects
    ]
    return (
        "# Table 3 of the Wan 2.1 report: human preference, Wan 14B against each model\n\n"
        f"Rendered from `{SOURCE}/paper_table3.csv`: Wan 14B's win rate in percent per aspect and opponent,\n"
        "and the rounds the report counted. `wanbench align --table win-rates` puts your own votes beside\n"
        "it (docs/alignment.md).\n\n" + _table(["aspect", *opponents, "rounds"], body)
    )


def table4_markdown(rows: list[dict[str, str]]) -> str:
    """Table 4: VBench's Quality / Semantic / Total (percent) of each model, one row per model."""
    models = [c for c in rows[0] if c != "score"]
    by_score = {r["score"]: r for r in rows}
    body = [[m, *(by_score[k][m] for k in ("quality", "semantic", "total"))] for m in models]
    return (
        "# Table 4 of the Wan 2.1 report: VBench\n\n"
        f"Rendered from `{SOURCE}/paper_table4.csv` (percent, as printed; from the public VBench leaderboard).\n"
        "`wanbench eval --benchmark vbench` scores your model by VBench's own code and reports it beside\n"
        "these rows (docs/vbench.md).\n\n" + _table(["model", "Quality", "Semantic", "Total"], body)
    )


# file in data/reference -> (page name, renderer); tables the package does not carry are skipped
TABLES: dict[str, tuple[str, Callable[[list[dict[str, str]]], str]]] = {
    "paper_table2.csv": ("table2.md", table2_markdown),
    "paper_table3.csv": ("table3.md", table3_markdown),
    "paper_table4.csv": ("table4.md", table4_markdown),
}


def write_paper_tables(out: Path) -> list[Path]:
    """Write one page per table the package carries, and an index; returns the pages."""
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for source, (page, render) in TABLES.items():
        rows = _rows(source)
        if rows:
            (out / page).write_text(render(rows), encoding="utf-8")
            pages.append(out / page)
    index = [
        "# The paper's tables\n",
        f"Rendered by `make reports` from the package data in `{SOURCE}/`, the one source.\n",
    ]
    index += [f"- [{p.stem.replace('table', 'Table ')}]({p.name})" for p in pages]
    (out / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return pages
