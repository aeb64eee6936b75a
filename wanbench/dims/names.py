"""The 14 Wan-Bench dimensions, each declared once: key, display name, group and implementing class.

This table is the only place a dimension key is written. The registry (``wanbench.dims.registry``)
registers each key's ``implementation``, and a Dimension class listed here takes its ``name`` from
the table when it is defined (``Dimension.__init_subclass__``), so a class and its key cannot drift.
A dimension measured by more than one method (Human Artifacts: detector or judge) lists the other
methods' classes in ``other_methods``; they report under the same key with their own metric version.
The table is plain data, so importing it loads no dimension code.
"""

from __future__ import annotations

from typing import NamedTuple

DYNAMIC = "dynamic_quality"
IMAGE = "image_quality"
INSTRUCTION = "instruction_following"


class DimensionEntry(NamedTuple):
    display_name: str  # as in the report's Table 2
    group: str
    implementation: str  # "module:Class" of the default method, resolved lazily by the registry
    other_methods: tuple[str, ...] = ()  # "module:Class" of other methods reporting under the same key


_FLOW, _VISION, _JUDGE = "wanbench.dims.flow_dims", "wanbench.dims.vision_dims", "wanbench.dims.judge_dims"

# key -> entry, in the paper's order
DIMENSIONS: dict[str, DimensionEntry] = {
    "large_motion": DimensionEntry("Large Motion Generation", DYNAMIC, f"{_FLOW}:LargeMotion"),
    "human_artifacts": DimensionEntry(
        "Human Artifacts",
        DYNAMIC,
        "wanbench.dims.human_artifacts:HumanArtifacts",
        ("wanbench.dims.human_artifacts:HumanArtifactsByJudge",),
    ),
    "pixel_stability": DimensionEntry("Pixel-level Stability", DYNAMIC, f"{_FLOW}:PixelStability"),
    "id_consistency": DimensionEntry("ID Consistency", DYNAMIC, f"{_VISION}:IDConsistency"),
    "physical_plausibility": DimensionEntry("Physical Plausibility", DYNAMIC, f"{_JUDGE}:PhysicalPlausibility"),
    "smoothness": DimensionEntry("Smoothness", DYNAMIC, f"{_JUDGE}:Smoothness"),
    "image_quality": DimensionEntry("Comprehensive Image Quality", IMAGE, f"{_VISION}:ImageQuality"),
    "scene_quality": DimensionEntry("Scene Generation Quality", IMAGE, f"{_VISION}:SceneQuality"),
    "stylization": DimensionEntry("Stylization Ability", IMAGE, f"{_JUDGE}:Stylization"),
    "single_object": DimensionEntry("Single Object Accuracy", INSTRUCTION, f"{_JUDGE}:SingleObject"),
    "multiple_object": DimensionEntry("Multiple Object Accuracy", INSTRUCTION, f"{_JUDGE}:MultipleObject"),
    "spatial_position": DimensionEntry("Spatial Position Accuracy", INSTRUCTION, f"{_JUDGE}:SpatialPosition"),
    "camera_control": DimensionEntry("Camera Control", INSTRUCTION, "wanbench.dims.camera:CameraControl"),
    "action_following": DimensionEntry("Action Instruction Following", INSTRUCTION, f"{_JUDGE}:ActionFollowing"),
}

DIMENSION_KEYS: tuple[str, ...] = tuple(DIMENSIONS)

# "module:Class" -> key, for every method of every dimension
KEY_OF_CLASS: dict[str, str] = {
    path: key for key, entry in DIMENSIONS.items() for path in (entry.implementation, *entry.other_methods)
}


def display_name(key: str) -> str:
    return DIMENSIONS[key].display_name if key in DIMENSIONS else key
