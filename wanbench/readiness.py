"""Can each dimension run here? A structured answer (for `wanbench dims`, --json and the library),
computed from each dimension's declared needs and its backbones' cheap checks; nothing is loaded."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Blocker:
    backbone: str  # the backbone role, e.g. "vlm", "iqa"
    reason: str  # the backbone's one-line reason (which weights, where looked, how to fetch)
    prompts: str = ""  # non-empty: only these prompts need it (e.g. "aerial and tracking prompts")


@dataclass
class DimensionReadiness:
    name: str
    display_name: str
    group: str
    needs: list[str]
    version: str
    method: str
    blockers: list[Blocker] = field(default_factory=list)  # stop the dimension
    partial: list[Blocker] = field(default_factory=list)  # stop some of its prompts only

    @property
    def ready(self) -> bool:
        return not self.blockers

    def short(self) -> str:
        """A few words for an 80-column table: ready, ready (partly: X), or missing X."""
        if self.blockers:
            return "missing " + ", ".join(sorted({b.backbone for b in self.blockers}))
        if self.partial:
            return "ready (partly: no " + ", ".join(sorted({b.backbone for b in self.partial})) + ")"
        return "ready"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ready"] = self.ready
        data["missing"] = "; ".join(f"{b.backbone}: {b.reason}" for b in self.blockers)
        data["partly_missing"] = "; ".join(f"{b.prompts} missing, {b.backbone}: {b.reason}" for b in self.partial)
        return data


def dimension_readiness(backbone_options: dict[str, dict[str, Any]] | None = None) -> list[DimensionReadiness]:
    """One entry per registered dimension, in the paper's order."""
    from wanbench.backbones.base import BackboneUnavailable
    from wanbench.dims.registry import all_dimensions
    from wanbench.runner import build_backbones

    rows = []
    for dim in all_dimensions():
        dim = dim.configured(backbone_options or {})
        row = DimensionReadiness(dim.name, dim.display_name, dim.group, list(dim.needs), str(dim.version),
                                 dim.status().note)
        for name, backbone in build_backbones([dim], options=backbone_options).items():
            try:
                backbone.check()
            except BackboneUnavailable as exc:
                which = dim.partial_needs().get(name)
                (row.partial if which else row.blockers).append(Blocker(name, str(exc), which or ""))
        rows.append(row)
    return rows
