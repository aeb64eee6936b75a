"""Issue 30 item 8 (terminal): at 80 columns words are never cut ("unranke / d"), `weights status` is
one line per entry, and counts and weights are right-aligned."""

from __future__ import annotations

import re

import pandas as pd
from rich.console import Console
from typer.testing import CliRunner

from tests.test_trustworthy_numbers import NO_FAILURES, mark, rows
from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.benchmark.weightings import load_reference, load_weighting
from wanbench.cli import app
from wanbench.evaluation.aggregate import summarise
from wanbench.model_weights import WEIGHTS
from wanbench.report.tables import leaderboard_frame
from wanbench.report.terminal import leaderboard_table

runner = CliRunner()


def test_leaderboard_at_80_columns_wraps_whole_words() -> None:
    data = pd.concat(
        [
            rows([(f"p{i}", "large_motion", "ok", i / 10) for i in range(8)], "run-a", "procedural"),
            rows([(f"p{i}", "pixel_stability", "ok", 0.5) for i in range(3)], "run-b", "procedural"),
        ]
    )
    summaries = summarise(mark(data), NO_FAILURES, load_weighting("paper"), keys=DIMENSION_KEYS)
    console = Console(width=80, record=True)
    console.print(leaderboard_table(leaderboard_frame(summaries, load_reference("paper")), "paper"))
    text = console.export_text()
    words = set(re.findall(r"[A-Za-z]+", text))
    assert "unranked" in words and not {"unranke", "unrank", "untruste"} & words
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "procedural (run-a)" in text and "procedural (run-b)" in text


def test_weights_status_is_one_line_per_entry() -> None:
    result = runner.invoke(app, ["weights", "status"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) <= len(WEIGHTS.names()) + 2, result.output  # header, entries, one hint


def number_cells(output: str) -> list[str]:
    """The second cell of every table row whose second cell is a number."""
    cells = [line.split("│")[2] for line in output.splitlines() if line.count("│") >= 3]
    return [cell for cell in cells if re.fullmatch(r" *[\d.]+ *", cell)]


def test_numbers_are_right_aligned() -> None:
    for args in (["prompts", "stats", "smoke"], ["weighting", "show", "paper"]):
        result = runner.invoke(app, args)
        cells = number_cells(result.output)
        assert result.exit_code == 0 and len(cells) >= 14, result.output
        # right-justified: whatever the width, only the one space of cell padding follows the digits
        assert all(len(cell) - len(cell.rstrip()) == 1 for cell in cells), cells
