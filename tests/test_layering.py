"""Dependencies point down: aggregation and reports read stores; they never load models or adapters; and
the packages never import test fixtures."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("wanbench.adapters", "wanbench.backbones", "wanbench.run.runner", "wanbench.run.shards", "wanmodel", "torch")


def test_aggregate_and_report_import_no_model_code():
    probe = (
        "import sys, wanbench.evaluation.aggregate, wanbench.report; "
        f"print(','.join(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"aggregate/report pulled in: {done.stdout.strip()}"


def imported_modules(path: Path) -> set[str]:
    """Absolute module names a source file imports (relative imports stay inside its package)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_packages_never_import_test_fixtures():
    """The tiny random backbones write random weights under real registry names: tests only."""
    sources = [p for package in ("wanbench", "wanmodel") for p in sorted((ROOT / package).rglob("*.py"))]
    assert len(sources) > 50  # the scan sees the packages
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p in sources
        for m in sorted(imported_modules(p))
        if m == "tests" or m.startswith("tests.") or m.split(".")[-1] == "tiny_backbones"
    ]
    offenders += [f"{p.relative_to(ROOT)}: names tiny_backbones" for p in sources if "tiny_backbones" in p.read_text()]
    assert offenders == []
    assert not (ROOT / "wanbench" / "backbones" / "tiny.py").exists()


def test_wanmodel_never_imports_wanbench():
    """The reference model stands alone: wanbench measures it, it knows nothing of wanbench."""
    sources = sorted((ROOT / "wanmodel").rglob("*.py"))
    assert len(sources) > 5
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p in sources
        for m in sorted(imported_modules(p))
        if m == "wanbench" or m.startswith("wanbench.")
    ]
    assert offenders == []


def test_no_cli_module_is_over_400_lines():
    """The CLI stays thin: one module per command family, logic in the library."""
    sizes = {p.name: len(p.read_text().splitlines()) for p in (ROOT / "wanbench" / "cli").glob("*.py")}
    assert len(sizes) >= 5 and max(sizes.values()) <= 400, sizes
