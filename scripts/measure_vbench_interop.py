"""What VBench interop keeps, measured (docs/prompts.md, "VBench interoperability").

Usage: python scripts/measure_vbench_interop.py [VBench_full_info.json all_dimension_cn.txt all_dimension.txt]

With VBench's files (from its repository: vbench/VBench_full_info.json, prompts/all_dimension_cn.txt,
prompts/all_dimension.txt) it imports them and counts subject-consistency prompts whose subject is the
whole prompt and prompts that got Chinese text. Always: exports the shipped suite to VBench's layout,
imports it back and counts what survived (camera moves, subject kinds, actions, dimensions).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from wanbench.prompts.suite import load_suite
from wanbench.prompts.vbench_io import export_vbench, import_vbench


def vbench_file(full_info: str, zh: str, zh_english: str) -> None:
    report = import_vbench(full_info, zh=zh, zh_english=zh_english)
    subjects = [p for p in report.prompts if "id_consistency" in p.dimensions and p.subject]
    whole = sum(1 for p in subjects if p.subject and p.subject.name == p.text)
    with_zh = sum(1 for p in report.prompts if p.text_zh)
    print(f"VBench import: {len(report.prompts)} prompts, {with_zh} with text_zh, {len(report.skipped)} skipped")
    print(f"  subject-consistency prompts whose subject is the whole prompt: {whole} of {len(subjects)}")


def round_trip(suite: str = "wanbench") -> None:
    ours = load_suite(suite).prompts
    entries, left_out = export_vbench(ours)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exported.json"
        path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        back = {p.text: p for p in import_vbench(path).prompts}
    both = [p for p in ours if p.text in back]
    camera = [p for p in both if "camera_control" in p.dimensions]
    subject = [p for p in both if p.subject]
    action = [p for p in both if p.action]
    print(f"round trip of {suite}: {len(entries)} exported, {len(left_out)} left out (no VBench dimension)")
    print(f"  camera move kept: {sum(back[p.text].camera == p.camera for p in camera)} of {len(camera)}")
    kinds = sum(
        1
        for p in subject
        if (b := back[p.text].subject) is not None and p.subject is not None and b.kind == p.subject.kind
    )
    print(f"  subject kind kept: {kinds} of {len(subject)}")
    print(f"  action kept: {sum(back[p.text].action == p.action for p in action)} of {len(action)}")
    same = sum(set(back[p.text].dimensions) == set(p.dimensions) for p in both)
    print(f"  dimensions kept: {same} of {len(both)}")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        vbench_file(*sys.argv[1:4])
    round_trip()
