"""Issue 30 item 1: `prompts build` where the hand-written sources are absent (an installed wheel)
refuses in one line and leaves the shipped suite as it is, instead of writing 0 prompts over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from wanbench.cli import app
from wanbench.prompts import sources


@pytest.mark.parametrize("check", [False, True])
def test_build_without_sources_refuses_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check: bool
) -> None:
    monkeypatch.setattr(sources, "SOURCES_DIR", tmp_path / "site-packages" / "prompts" / "v2")
    out = tmp_path / "suites"
    out.mkdir()
    shipped = out / "wanbench.jsonl"
    shipped.write_text('{"suite": "wanbench"}\n{"id": "x"}\n')
    result = CliRunner().invoke(app, ["prompts", "build", "--dir", str(out), *(["--check"] if check else [])])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert "needs a source checkout" in lines[0]
    assert shipped.read_text() == '{"suite": "wanbench"}\n{"id": "x"}\n'
    assert not (out / "controlled.jsonl").exists()


def test_an_order_file_naming_a_missing_theme_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "ORDER").write_text("animals\n")
    with pytest.raises(sources.SourceError, match="missing source file"):
        sources.assemble(tmp_path)
