"""Files that ship inside the package: suites, published reference tables, weightings, judge
templates and the wan-tiny release.

They are found through ``importlib.resources`` so that a wheel installed anywhere finds them the
same way a checkout does (``Path(__file__).parents[...]`` pointed at the repository and broke every
non-editable install). Wheels are installed unpacked, so each resource is a real file on disk.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_dir(*parts: str) -> Path:
    """``wanbench/data/<parts...>`` as a filesystem path (it may not exist: callers check)."""
    return Path(str(files("wanbench").joinpath("data", *parts)))


def suites_dir() -> Path:
    """The suites shipped with wanbench (smoke, wanbench, controlled, rich)."""
    return data_dir("suites")


def reference_dir() -> Path:
    """Published tables (the report's Table 2) as csv."""
    return data_dir("reference")


def bundled_model(name: str) -> Path:
    """A model release shipped inside the package (``wan-tiny``)."""
    return data_dir("models", name)
