"""All 14 dimensions in one registry: implemented ones lazily by "module:attr", the rest planned.

``wanbench dims`` lists this registry. A planned dimension is always reported missing with its
reason, never scored.
"""

from __future__ import annotations

from wanbench.dims.base import Dimension, PlannedDimension
from wanbench.dims.names import DIMENSION_KEYS
from wanbench.registry import Registry

DIMENSION_REGISTRY: Registry[type[Dimension] | Dimension] = Registry("dimension")

DIMENSION_REGISTRY.register("large_motion", "wanbench.dims.flow_dims:LargeMotion")
DIMENSION_REGISTRY.register("pixel_stability", "wanbench.dims.flow_dims:PixelStability")
DIMENSION_REGISTRY.register("camera_control", "wanbench.dims.camera:CameraControl")
DIMENSION_REGISTRY.register("id_consistency", "wanbench.dims.vision_dims:IDConsistency")
DIMENSION_REGISTRY.register("scene_quality", "wanbench.dims.vision_dims:SceneQuality")
DIMENSION_REGISTRY.register("image_quality", "wanbench.dims.vision_dims:ImageQuality")
DIMENSION_REGISTRY.register("human_artifacts", "wanbench.dims.artifacts:HumanArtifacts")

_PLANNED = {
    "physical_plausibility": (("vlm",), "needs the Qwen2-VL judge (issue: judge dimensions)"),
    "smoothness": (("vlm",), "needs the Qwen2-VL judge (issue: judge dimensions)"),
    "stylization": (("vlm",), "needs the Qwen2-VL judge (issue: judge dimensions)"),
    "single_object": (("vlm",), "needs the Qwen2-VL judge (issue: judge dimensions)"),
    "multiple_object": (("vlm",), "needs the Qwen2-VL judge (issue: judge dimensions)"),
    "spatial_position": (("vlm",), "needs the Qwen2-VL judge (issue: judge dimensions)"),
    "action_following": (("vlm",), "needs the Qwen2-VL judge (issue: judge dimensions)"),
}
for _name, (_needs, _reason) in _PLANNED.items():
    DIMENSION_REGISTRY.register(_name, PlannedDimension(_name, _needs, _reason))


def get_dimension(name: str) -> Dimension:
    """The dimension instance for ``name`` (classes are instantiated with defaults)."""
    entry = DIMENSION_REGISTRY.get(name)
    return entry() if isinstance(entry, type) else entry


def all_dimensions() -> list[Dimension]:
    """Every dimension, in the paper's order."""
    return [get_dimension(name) for name in DIMENSION_KEYS]
