"""Compare a committed published folder with a fresh build: text byte for byte (the README's
provenance block aside), results.json number by number, charts by name (and, when asked, by bytes:
PNG bytes hold the matplotlib and FreeType rendering, so they match only on one environment)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from wanbench.publish.readme import PROVENANCE_END, PROVENANCE_START

BLOCK = re.compile(re.escape(PROVENANCE_START) + r".*?" + re.escape(PROVENANCE_END), re.S)


def _without_provenance(text: str) -> str:
    return BLOCK.sub(PROVENANCE_START, text)


def _json_differences(a: Any, b: Any, where: str, tolerance: float) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: only in one" for k in sorted(set(a) ^ set(b))]
        for k in sorted(set(a) & set(b)):
            out += _json_differences(a[k], b[k], f"{where}.{k}", tolerance)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} vs {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _json_differences(x, y, f"{where}[{i}]", tolerance)]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return [] if math.isclose(a, b, rel_tol=0, abs_tol=tolerance) else [f"{where}: {a} vs {b}"]
    return [] if a == b else [f"{where}: {a!r} vs {b!r}"]


def compare_reports(committed: Path, built: Path, png_bytes: bool = True, tolerance: float = 0.0) -> list[str]:
    """Differences between two published folders, one line each (empty: they agree). Files of
    ``committed`` that ``built`` does not make (benchmarks/, paper/ when comparing a slice) are
    outside the comparison; ``built``'s files must all be in ``committed``."""
    problems = []
    for path in sorted(p for p in Path(built).rglob("*") if p.is_file()):
        name = path.relative_to(built)
        other = Path(committed) / name
        if not other.is_file():
            problems.append(f"{name}: built but not committed")
        elif path.suffix == ".json":
            a, b = json.loads(other.read_text(encoding="utf-8")), json.loads(path.read_text(encoding="utf-8"))
            found = _json_differences(a, b, "", tolerance)
            problems += [f"{name}{d}" for d in found[:5]] + (
                [f"{name}: {len(found) - 5} more"] if len(found) > 5 else []
            )
        elif path.suffix == ".png":
            if png_bytes and path.read_bytes() != other.read_bytes():
                problems.append(f"{name}: chart bytes differ (its data is in results.json)")
        elif _without_provenance(path.read_text(encoding="utf-8")) != _without_provenance(
            other.read_text(encoding="utf-8")
        ):
            problems.append(f"{name}: text differs")
    for path in sorted(p for p in Path(committed).rglob("*") if p.is_file()):
        name = path.relative_to(committed)
        if name.parts[0] in {p.name for p in Path(built).iterdir()} and not (Path(built) / name).exists():
            if len(name.parts) > 1:  # a stale file left in a folder the build writes
                problems.append(f"{name}: committed but no longer built")
    return problems
