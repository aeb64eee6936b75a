"""All 14 dimensions in one registry, each resolved lazily from "module:attr".

``wanbench dims`` lists this registry. A dimension whose backbone cannot run here is reported
missing with the reason, never scored.
"""

from __future__ import annotations

from wanbench.dims.base import Dimension
from wanbench.dims.names import DIMENSION_KEYS
from wanbench.registry import Registry

DIMENSION_REGISTRY: Registry[type[Dimension] | Dimension] = Registry("dimension")

DIMENSION_REGISTRY.register("large_motion", "wanbench.dims.flow_dims:LargeMotion")
DIMENSION_REGISTRY.register("pixel_stability", "wanbench.dims.flow_dims:PixelStability")
DIMENSION_REGISTRY.register("camera_control", "wanbench.dims.camera:CameraControl")
DIMENSION_REGISTRY.register("id_consistency", "wanbench.dims.vision_dims:IDConsistency")
DIMENSION_REGISTRY.register("scene_quality", "wanbench.dims.vision_dims:SceneQuality")
DIMENSION_REGISTRY.register("image_quality", "wanbench.dims.vision_dims:ImageQuality")
DIMENSION_REGISTRY.register("human_artifacts", "wanbench.dims.human_artifacts:HumanArtifacts")

for _name, _attr in (("physical_plausibility", "PhysicalPlausibility"), ("smoothness", "Smoothness"),
                     ("stylization", "Stylization"), ("single_object", "SingleObject"),
                     ("multiple_object", "MultipleObject"), ("spatial_position", "SpatialPosition"),
                     ("action_following", "ActionFollowing")):
    DIMENSION_REGISTRY.register(_name, f"wanbench.dims.judge_dims:{_attr}")


def get_dimension(name: str) -> Dimension:
    """The dimension instance for ``name`` (classes are instantiated with defaults)."""
    entry = DIMENSION_REGISTRY.get(name)
    return entry() if isinstance(entry, type) else entry


def all_dimensions() -> list[Dimension]:
    """Every dimension, in the paper's order."""
    return [get_dimension(name) for name in DIMENSION_KEYS]
