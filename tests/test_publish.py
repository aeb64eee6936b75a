"""reports/ is what the code builds: the subset is rebuilt and compared, the paper's tables are
rendered again from the package data, and the comparison itself catches what it must."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from wanbench.publish import SUBSET, build_reports, compare_reports
from wanbench.publish.build import write_slice
from wanbench.publish.paper_tables import write_paper_tables
from wanbench.publish.readme import PROVENANCE_END, PROVENANCE_START
from wanbench.publish.settings import SuiteSlice

REPORTS = Path(__file__).resolve().parents[1] / "reports"
MACHINE_PATH = re.compile(r"(/tmp/|/home/|/root/|/work/|/Users/|[A-Z]:\\\\)")


@pytest.mark.slow
def test_subset_rebuilds_to_what_is_committed(tmp_path: Path) -> None:
    """A few prompts, three models, same settings as reports/: text byte for byte (provenance
    block aside), results.json number for number, charts by name (their data is results.json)."""
    built = tmp_path / "subset"
    results = build_reports(built, SUBSET, tmp_path / "work")
    assert [r.slice.name for r in results] == [s.name for s in SUBSET.slices]
    assert compare_reports(REPORTS / "subset", built, png_bytes=False) == []
    models = [m["model"] for m in json.loads((built / "smoke" / "results.json").read_text())["models"]]
    assert sorted(models) == ["procedural", "wan-tiny", "wan-tiny-random"]
    assert not list(built.rglob("*.mp4")), "no videos in a published folder"


def test_paper_tables_are_rendered_from_the_package_data(tmp_path: Path) -> None:
    pages = write_paper_tables(tmp_path)
    assert {p.name for p in pages} >= {"table2.md"}
    for page in [*pages, tmp_path / "README.md"]:
        assert page.read_text() == (REPORTS / "paper" / page.name).read_text(), page.name
    table2 = (tmp_path / "table2.md").read_text()
    assert "| Camera Control | 0.465 |" in table2 and "**0.724**" in table2  # CN-TopB's, Wan 14B's weighted


def test_published_files_hold_no_clock_or_machine_path() -> None:
    files = [p for p in REPORTS.rglob("*") if p.suffix in {".md", ".json"} and "benchmarks" not in p.parts]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        text = re.sub(re.escape(PROVENANCE_START) + ".*?" + re.escape(PROVENANCE_END), "", text, flags=re.S)
        assert not MACHINE_PATH.search(text), f"{path}: {MACHINE_PATH.search(text)}"
        assert not re.search(r'"(started|finished)": [0-9]', text), path  # no clock


def test_compare_catches_a_changed_number_and_skips_only_provenance(tmp_path: Path) -> None:
    committed, built = tmp_path / "a", tmp_path / "b"
    shutil.copytree(REPORTS / "subset", committed)
    shutil.copytree(REPORTS / "subset", built)
    readme = built / "README.md"
    readme.write_text(readme.read_text().replace("Built from git commit", "Built elsewhere from git commit"))
    assert compare_reports(committed, built) == []
    document = json.loads((built / "smoke" / "results.json").read_text())
    document["models"][0]["weighted"]["value"] += 0.001
    (built / "smoke" / "results.json").write_text(json.dumps(document))
    (built / "smoke" / "leaderboard.md").write_text("edited\n")
    (built / "smoke" / "charts" / "dimensions.png").write_bytes(b"not the chart")
    problems = compare_reports(committed, built)
    assert any("results.json.models[0].weighted.value" in p for p in problems)
    assert any(p.startswith("smoke/leaderboard.md") for p in problems)
    assert any("dimensions.png" in p for p in problems)
    assert not any("dimensions.png" in p for p in compare_reports(committed, built, png_bytes=False))
    readme.write_text(readme.read_text() + "\nmore\n")
    assert "README.md: text differs" in compare_reports(committed, built)


def test_a_slice_keeps_the_suite_header_and_takes_every_nth_prompt_of_a_dimension(tmp_path: Path) -> None:
    path, sha, source_sha, count = write_slice(
        SuiteSlice("cam", "controlled", dimension="camera_control", stride=10, limit=3), tmp_path
    )
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0] == {"suite": "controlled", "version": lines[0]["version"]}
    assert count == 3 and len(lines) == 4 and sha != source_sha
    assert all(line["dimensions"] == ["camera_control"] for line in lines[1:])
    with pytest.raises(ValueError, match="no prompts left"):
        write_slice(SuiteSlice("none", "smoke", dimension="camera_control", stride=1000, limit=0), tmp_path)


def test_published_results_follow_the_results_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPORTS.parent / "docs" / "results.schema.json").read_text())
    for path in sorted(REPORTS.rglob("results.json")):
        jsonschema.validate(json.loads(path.read_text()), schema)
