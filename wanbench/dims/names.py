"""The 14 Wan-Bench dimensions: stable keys, display names and groups, in the paper's order."""

from __future__ import annotations

DYNAMIC = "dynamic_quality"
IMAGE = "image_quality"
INSTRUCTION = "instruction_following"

# key -> (display name as in the report's Table 2, group)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "large_motion": ("Large Motion Generation", DYNAMIC),
    "human_artifacts": ("Human Artifacts", DYNAMIC),
    "pixel_stability": ("Pixel-level Stability", DYNAMIC),
    "id_consistency": ("ID Consistency", DYNAMIC),
    "physical_plausibility": ("Physical Plausibility", DYNAMIC),
    "smoothness": ("Smoothness", DYNAMIC),
    "image_quality": ("Comprehensive Image Quality", IMAGE),
    "scene_quality": ("Scene Generation Quality", IMAGE),
    "stylization": ("Stylization Ability", IMAGE),
    "single_object": ("Single Object Accuracy", INSTRUCTION),
    "multiple_object": ("Multiple Object Accuracy", INSTRUCTION),
    "spatial_position": ("Spatial Position Accuracy", INSTRUCTION),
    "camera_control": ("Camera Control", INSTRUCTION),
    "action_following": ("Action Instruction Following", INSTRUCTION),
}

DIMENSION_KEYS: tuple[str, ...] = tuple(DIMENSIONS)


def display_name(key: str) -> str:
    return DIMENSIONS[key][0] if key in DIMENSIONS else key
