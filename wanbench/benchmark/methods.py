"""Which method produced a score row, read from its backend string, and the report's reference method.

A fallback (DIS flow when RAFT weights are absent, whole frames when the subject detector is absent,
the VLM judge instead of the artifact detector) changes what a number means. Every row is labelled
with its method family; a (model, dimension) cell states its method, whether that is the report's,
and never averages two alternative methods together (aggregate.py keeps one and counts the rest).
"""

from __future__ import annotations

import json

# Alternatives that measure the same thing differently: rows of two members of one group never mix.
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "flow": ("RAFT", "DIS"),
    "id": ("subject crop", "whole frame"),
    "artifacts": ("detector", "judge"),
}
# The report's method for each dimension whose method can vary; other dimensions have one method.
# Camera Control scores aerial and tracking shots with the judge by design (the report does too).
REFERENCE_METHODS: dict[str, frozenset[str]] = {
    "large_motion": frozenset({"RAFT"}),
    "pixel_stability": frozenset({"RAFT"}),
    "camera_control": frozenset({"RAFT", "judge"}),
    "id_consistency": frozenset({"subject crop"}),
    "human_artifacts": frozenset({"detector"}),
}
FLOW_DIMENSIONS = ("large_motion", "pixel_stability", "camera_control")


def _details_method(details: object) -> str | None:
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            return None
    return details.get("method") if isinstance(details, dict) else None


def row_method(dimension: str, backend: str | None, details: object = None) -> str:
    """The method family of one ok row ("" where the dimension has a single method)."""
    text = (backend or "").lower()
    if dimension in FLOW_DIMENSIONS:
        if _details_method(details) == "judge" or text.startswith("judge"):
            return "judge"  # camera control's aerial / tracking prompts
        if "opencv-dis" in text or "dis/" in text:
            return "DIS"
        if "raft" in text:
            return "RAFT"
        return "unknown flow"
    if dimension == "id_consistency":
        if "whole frames" in text:
            return "whole frame"
        if "subject crops" in text:
            return "subject crop"
        return "unknown crop"
    if dimension == "human_artifacts":
        if text.startswith("artifacts/judge") or text.startswith("judge"):
            return "judge"
        if "artifacts/yolo" in text or "ultralytics" in text:
            return "detector"
        return "unknown detector"
    return ""


def group_of(dimension: str, method: str) -> str:
    """Which alternatives group a method belongs to within a dimension (its own name if none)."""
    if dimension == "camera_control" and method == "judge":
        return "camera judge"  # a role of its own, not an alternative to flow
    for group, members in ALTERNATIVES.items():
        if method in members:
            return group
    return method


def is_reference(dimension: str, methods: set[str]) -> bool:
    """True when every method of the cell is the report's for that dimension."""
    reference = REFERENCE_METHODS.get(dimension)
    if reference is None:
        return True
    return bool(methods) and methods <= reference
