"""What reproduces a run: package versions, git commit, device. Stored with every invocation."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "wanbench",
    "numpy",
    "torch",
    "torchvision",
    "opencv-python-headless",
    "opencv-python",
    "av",
    "scipy",
    "pandas",
    "matplotlib",
    "transformers",
    "open_clip_torch",
    "pyiqa",
    "ultralytics",
)
REPO = Path(__file__).resolve().parents[2]


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_state() -> dict[str, Any]:
    """Commit and dirtiness of the source tree wanbench runs from (fixed arguments, no user input)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(  # --no-optional-locks: `status` must not rewrite the checkout's .git/index
                ["git", "--no-optional-locks", "-C", str(REPO), *args], capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def device_info() -> dict[str, Any]:
    info: dict[str, Any] = {"machine": platform.machine(), "cpus": os.cpu_count(), "system": platform.system()}
    if "torch" in sys.modules or _importable("torch"):
        import torch

        info["torch_threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.is_available()
        if info["cuda"]:
            info["gpu"] = torch.cuda.get_device_name(0)
    return info


def _importable(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def provenance() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "packages": package_versions(),
        "git": git_state(),
        "device": device_info(),
        "argv": sys.argv,
    }
