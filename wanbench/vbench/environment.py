"""VBench's own environment: a venv beside the project's, where VBench's evaluators run as a worker.

Why a second environment: vbench 0.1.5 pins numpy<2 and transformers==4.33.2, and its third-party
code (Tag2Text's BERT, GRiT, UMT) is written against them; the project runs numpy 2, opencv 5 and
transformers 5. Installing VBench's pins into the project would downgrade what wanbench's own
dimensions are tested with, so VBench runs in ``.venv-vbench`` as a worker process (worker.py).
That venv holds only VBench and its pinned packages; torch and torchvision come from the project's
site-packages, appended after the venv's own (a ``.pth`` line), so VBench and wanbench run one and
the same torch build, and the multi-gigabyte wheel is not installed twice.

Set-up (one command, needs the package index):  ``python -m wanbench.vbench.environment``
(``make vbench-env`` runs it; ``make test`` depends on it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import sysconfig
import venv
from importlib import resources
from pathlib import Path

VBENCH_VERSION = "0.1.5"
ENV_VARIABLE = "WANBENCH_VBENCH_PYTHON"  # an interpreter that already has VBench (overrides the venv)
PROJECT_PTH = "_wanbench_project_site.pth"
STAMP = ".wanbench-vbench-installed"


class VBenchEnvironmentError(FileNotFoundError):
    """VBench's environment is absent or broken; the message says the command that makes it."""


def default_venv() -> Path:
    """``.venv-vbench`` at the repository root (beside ``.venv``), or under $WANBENCH_HOME for a wheel install."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file():
        return root / ".venv-vbench"
    from wanbench.model_weights import wanbench_home

    return wanbench_home() / "venv-vbench"


def requirements() -> list[str]:
    """The pinned packages of the worker environment (package data, one per line)."""
    text = resources.files("wanbench").joinpath("data/vbench/worker-requirements.txt").read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def venv_python(folder: Path) -> Path:
    return folder / "bin" / "python"


def worker_python() -> Path:
    """The interpreter that runs VBench; VBenchEnvironmentError with the set-up command when absent."""
    override = os.environ.get(ENV_VARIABLE)
    if override:
        if not Path(override).is_file():
            raise VBenchEnvironmentError(f"{ENV_VARIABLE}={override}: no such interpreter")
        return Path(override)
    folder = default_venv()
    python = venv_python(folder)
    if not python.is_file() or not (folder / STAMP).is_file():
        raise VBenchEnvironmentError(
            f"VBench's environment is not installed ({folder}); make it with `python -m wanbench.vbench.environment`"
        )
    return python


def site_packages(python: Path) -> Path:
    """The purelib folder of another interpreter (asked, not guessed)."""
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def vbench_package_dir(python: Path | None = None) -> Path:
    """Where the ``vbench`` package lies in the worker environment (its data: VBench_full_info.json)."""
    python = python or worker_python()
    return site_packages(python) / "vbench"


def create(folder: Path | None = None, quiet: bool = True) -> Path:
    """Make (or complete) the worker venv; returns its interpreter. Idempotent; raises with pip's last line."""
    folder = folder or default_venv()
    python = venv_python(folder)
    wanted = "\n".join(requirements())
    if (folder / STAMP).is_file() and (folder / STAMP).read_text() == wanted:
        return python
    if not python.is_file():
        venv.EnvBuilder(with_pip=True, symlinks=True).create(folder)
    project_site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages(python) / PROJECT_PTH).write_text("".join(f"{p}\n" for p in sorted(project_site)))
    command = [str(python), "-m", "pip", "install", "--no-deps", "--disable-pip-version-check"]
    command += ["--quiet"] if quiet else []
    done = subprocess.run([*command, *requirements()], capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise VBenchEnvironmentError(f"pip could not install VBench's environment in {folder}: {last}")
    check = subprocess.run(
        [str(python), "-c", "import numpy, cv2, torch, vbench.utils; print(numpy.__version__)"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        last = (check.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise VBenchEnvironmentError(f"VBench's environment in {folder} does not import: {last}")
    (folder / STAMP).write_text(wanted)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Install VBench's worker environment (a venv of its own).")
    parser.add_argument("--venv", type=Path, default=None, help="where (default: .venv-vbench at the repository root)")
    args = parser.parse_args(argv)
    try:
        python = create(args.venv, quiet=True)
    except VBenchEnvironmentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"VBench {VBENCH_VERSION} environment ready: {python}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
