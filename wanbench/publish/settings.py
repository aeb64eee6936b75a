"""What reports/ publishes: which models, on which slices of which suites, sampled how.

The settings are data, fixed in the code, so the same commit always publishes the same thing. They
are sized for 2 CPU cores: wan-tiny at the size it was trained at (9 frames, 64x48, 20 UniPC steps),
every smoke prompt, and one in ten of the controlled suite's camera prompts that optical flow scores
(its count and relation prompts, and its aerial and tracking shots, are judged by a VLM, which does
not run offline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The camera moves scored from optical flow; aerial and tracking shots need the VLM judge.
FLOW_CAMERAS = ("static", "pan_left", "pan_right", "lift_up", "lift_down", "zoom_in", "zoom_out")
# The size wan-tiny was trained at (scripts/train_tiny_model.py), used for every model so the
# procedural oracle and the two wan-tiny rows see the same frames.
VIDEO = {"frames": 9, "width": 64, "height": 48}
WAN_TINY_SAMPLING = {"steps": 20} | VIDEO


@dataclass(frozen=True)
class SuiteSlice:
    """Prompts of a packaged suite: those listing ``dimension`` (all when None) and asking for one of
    ``cameras`` (any when None), every ``stride``-th of them, at most ``limit``. ``name`` labels the
    slice (it becomes the suite name of the runs)."""

    name: str
    suite: str
    dimension: str | None = None
    cameras: tuple[str, ...] | None = None  # only prompts asking for one of these camera moves
    stride: int = 1
    limit: int | None = None

    def describe(self) -> str:
        parts = [f"`{self.suite}`"]
        if self.dimension:
            parts.append(f"its prompts for {self.dimension}")
        if self.cameras:
            parts.append("camera " + "/".join(self.cameras))
        if self.stride > 1:
            suffix = {1: "st", 2: "nd", 3: "rd"}.get(
                self.stride % 10 if self.stride % 100 not in (11, 12, 13) else 0, "th"
            )
            parts.append(f"every {self.stride}{suffix} of them")
        if self.limit is not None:
            parts.append(f"the first {self.limit}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ModelEntry:
    """One row of the published leaderboard: an adapter, its label and options. ``random_weights``
    swaps the trained wan-tiny weights for the same architecture initialised at random (the floor)."""

    label: str
    adapter: str
    options: dict[str, Any] = field(default_factory=dict)
    random_weights: bool = False


MODELS = (
    ModelEntry("procedural", "procedural", dict(VIDEO)),
    ModelEntry("wan-tiny", "wan-tiny", dict(WAN_TINY_SAMPLING)),
    ModelEntry("wan-tiny-random", "wan-tiny", dict(WAN_TINY_SAMPLING), random_weights=True),
)


@dataclass(frozen=True)
class PublishSettings:
    """One published folder: its slices of the suites and its models."""

    name: str
    slices: tuple[SuiteSlice, ...]
    models: tuple[ModelEntry, ...] = MODELS
    seed: int = 0
    random_weights_seed: int = 123  # as scripts/evaluate_tiny_model.py builds its random release
    flow: str = "dis"  # RAFT's weights are not in the repository: the offline flow everywhere


FULL = PublishSettings(
    name="full",
    slices=(
        SuiteSlice("smoke", "smoke"),
        SuiteSlice("controlled-camera", "controlled", dimension="camera_control", cameras=FLOW_CAMERAS, stride=10),
    ),
)

# A few prompts of the same suites under the same settings: the test rebuilds this one and compares.
SUBSET = PublishSettings(
    name="subset",
    slices=(
        SuiteSlice("smoke", "smoke", stride=2, limit=2),  # smoke-001 (motion), smoke-003 (still camera)
        SuiteSlice(
            "controlled-camera", "controlled", dimension="camera_control", cameras=FLOW_CAMERAS, stride=35, limit=2
        ),
    ),
)
