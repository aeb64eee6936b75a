"""Issue 30 item 12 (suites): one deeply nested JSON line is one problem row, not the end of the suite;
a suite written with a UTF-8 byte-order mark keeps its first line."""

from __future__ import annotations

import json
from pathlib import Path

from wanbench.prompts.suite import load_suite

GOOD = [{"id": f"p{i}", "text": f"a dog number {i}", "dimensions": ["large_motion"]} for i in range(3)]


def test_a_deeply_nested_line_is_one_problem(tmp_path: Path) -> None:
    nested = "[" * 200_000 + "]" * 200_000
    lines = [json.dumps(GOOD[0]), nested, json.dumps(GOOD[1]), '{"id": "p9", "x": ' + nested + "}"]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    suite = load_suite(path)
    assert [p.id for p in suite.prompts] == ["p0", "p1"]
    assert [(p.line, p.message) for p in suite.problems] == [
        (2, "invalid JSON: nested too deeply"),
        (4, "invalid JSON: nested too deeply"),
    ]


def test_a_byte_order_mark_does_not_cost_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(json.dumps(p) for p in GOOD).encode() + b"\n")
    suite = load_suite(path)
    assert [p.id for p in suite.prompts] == ["p0", "p1", "p2"] and not suite.problems
