"""A wheel built from the repository works outside the checkout: suites, reference tables, the paper
weighting and wan-tiny are package data, found through importlib.resources; test fixtures (the tiny
random backbones) are not shipped.

The clean environment is a fresh venv without pip whose dependencies come from this interpreter's
site-packages through a .pth line (no download); the wheel itself is installed into it by pip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Not copied for the build: setuptools builds in the source folder and ships whatever its build/ holds,
# so a stale build/lib (a module since moved, such as the old wanbench/backbones/tiny.py) would be shipped.
LOCAL_ONLY = {".git", ".venv", "build", "dist", "runs", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def run(command: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["HOME"] = str(cwd)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(command)} -> {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    )
    return done


def clean_source(target: Path) -> Path:
    """A copy of the checkout without build outputs, caches or local runs."""

    def skip(folder: str, names: list[str]) -> set[str]:
        local = LOCAL_ONLY if Path(folder) == ROOT else set()
        return {n for n in names if n in local or n == "__pycache__" or n.endswith(".egg-info")}

    return Path(shutil.copytree(ROOT, target, ignore=skip))


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(dist),
            str(clean_source(tmp_path / "source")),
        ],
        cwd=tmp_path,
        timeout=600,
    )
    wheel = next(dist.glob("wanbench-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.namelist()
    assert "wanbench/cli/app.py" in shipped and "wanmodel/vae.py" in shipped
    assert "wanbench/data/reference/paper_table3.csv" in shipped
    test_only = [
        n for n in shipped if n.startswith("tests/") or "tiny_backbones" in n or n.endswith("backbones/tiny.py")
    ]
    assert test_only == [], f"the wheel ships test fixtures: {test_only}"

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path
        ).stdout.strip()
    )
    (site / "_wanbench_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # torch & co, reused
    run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        cwd=tmp_path,
    )

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = run([str(python), "-c", "import wanbench; print(wanbench.__file__)"], cwd=work).stdout.strip()
    assert Path(where).is_relative_to(site), where  # the installed wheel, not the checkout
    cli = str(env_dir / "bin" / "wanbench")
    assert "smoke: 26 valid prompts" in run([cli, "suite", "check", "smoke"], cwd=work).stdout
    assert "large_motion" in run([cli, "weighting", "show", "paper"], cwd=work).stdout
    table3 = "from wanbench.people.win_rates import paper_table3; print(len(paper_table3()))"
    assert run([str(python), "-c", table3], cwd=work).stdout.strip() == "16"  # the report's Table 3, as data
    run(
        [
            cli,
            "eval",
            "--model",
            "procedural",
            "--suite",
            "smoke",
            "--limit",
            "3",
            "--flow",
            "dis",
            "--out",
            str(work / "runs" / "p"),
            "-q",
        ],
        cwd=work,
    )
    assert (work / "runs" / "p" / "report.html").is_file()
    run(
        [
            cli,
            "generate",
            "--model",
            "wan-tiny",
            "--prompt",
            "a red ball rolls left",
            "--steps",
            "2",
            "-o",
            str(work / "ball.mp4"),
        ],
        cwd=work,
    )
    assert (work / "ball.mp4").stat().st_size > 0
