"""VBench's 16 dimensions as VBench 0.1.5 runs them: what each needs on disk and where VBench looks.

Paths are relative to VBench's cache folder (``$VBENCH_CACHE_DIR``; the harness points it at
``$WANBENCH_HOME/weights/vbench``), exactly as ``vbench.utils.init_submodules(local=True)`` builds
them. A dimension whose files are absent is reported missing with the ``wanbench weights fetch``
command of the weights entry that provides them (wanbench/vbench/weights.py), before VBench is
asked: VBench itself would shell out to wget.
"""

from __future__ import annotations

from dataclasses import dataclass

VBENCH_VERSION = "0.1.5"
METRIC_VERSION = f"vbench-{VBENCH_VERSION}"  # the metric_version of every VBench row
DIMENSION_PREFIX = ""  # row dimension names are VBench's own (none collides with a Wan-Bench key)


@dataclass(frozen=True)
class VBenchDimension:
    name: str  # VBench's name, e.g. "dynamic_degree"
    group: str  # "quality" | "semantic" (VBench's QUALITY_LIST / SEMANTIC_LIST)
    weights: tuple[str, ...] = ()  # wanbench weights entries (registered in wanbench/vbench/weights.py)
    custom_input: bool = True  # VBench's custom-input mode supports it (no auxiliary info needed)
    needs: str = ""  # a package VBench's environment lacks (detectron2 for GRiT), or ""

    @property
    def row_name(self) -> str:
        return DIMENSION_PREFIX + self.name


_GRIT = ("vbench-grit",)
_GRIT_NEEDS = "detectron2 (GRiT's detector; not on the package index, build it from source in .venv-vbench)"
DIMENSIONS: dict[str, VBenchDimension] = {
    d.name: d
    for d in (
        VBenchDimension("subject_consistency", "quality", ("vbench-dino",)),
        VBenchDimension("background_consistency", "quality", ("vbench-clip-vit-b-32",)),
        VBenchDimension("temporal_flickering", "quality"),
        VBenchDimension("motion_smoothness", "quality", ("vbench-amt-s",)),
        VBenchDimension("dynamic_degree", "quality", ("vbench-raft",)),
        VBenchDimension("aesthetic_quality", "quality", ("vbench-clip-vit-l-14", "vbench-laion-aesthetic")),
        VBenchDimension("imaging_quality", "quality", ("vbench-musiq-spaq",)),
        VBenchDimension("object_class", "semantic", _GRIT, custom_input=False, needs=_GRIT_NEEDS),
        VBenchDimension("multiple_objects", "semantic", _GRIT, custom_input=False, needs=_GRIT_NEEDS),
        VBenchDimension("human_action", "semantic", ("vbench-umt",)),
        VBenchDimension("color", "semantic", _GRIT, custom_input=False, needs=_GRIT_NEEDS),
        VBenchDimension("spatial_relationship", "semantic", _GRIT, custom_input=False, needs=_GRIT_NEEDS),
        VBenchDimension("scene", "semantic", ("vbench-tag2text",), custom_input=False),
        VBenchDimension("appearance_style", "semantic", ("vbench-clip-vit-b-32",), custom_input=False),
        VBenchDimension("temporal_style", "semantic", ("vbench-viclip",)),
        VBenchDimension("overall_consistency", "semantic", ("vbench-viclip",)),
    )
}


def dimension(name: str) -> VBenchDimension:
    """A VBench dimension by VBench's name; ValueError lists the names."""
    key = name
    if key not in DIMENSIONS:
        raise ValueError(f"unknown VBench dimension {name!r}; VBench's are: {', '.join(DIMENSIONS)}")
    return DIMENSIONS[key]
