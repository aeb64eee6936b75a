"""Optical flow as plain data: the methods a run chooses between (one table, every name each goes by),
and what the flow dimensions' numbers depend on: each method's defaults, the forward-only check's
photometric constants and how pairs are sampled. The backends take their defaults from here
(``wanbench.backbones.flow``), and the metric version hashes them (``flow_settings_tag``), so a
changed default makes older rows stale without anyone bumping a number, and the read model composes
the version without importing OpenCV, torch or a backbone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NUMBER_NEUTRAL = ("batch", "device")  # options that change how fields are computed, not their values
WINDOW = 7  # side of the window the forward-only check averages the photometric error over
WINDOW_TOLERANCE = 0.5  # window mean error allowed, as a share of the per-pixel brightness tolerance
SAMPLING = "tiles"  # pairs tile the clip (pair_spans); the former spread pairs were "spread"


@dataclass(frozen=True)
class RAFTDefaults:
    max_side: int = 256
    max_pairs: int = 48
    arch: str = "raft_large"
    weights: str = "raft-large"
    iterations: int = 20
    batch: int = 4
    device: str | None = None
    backward: bool = False
    span_seconds: float = 0.5


@dataclass(frozen=True)
class DISDefaults:
    max_side: int = 256
    # consecutive pairs on clips of up to 257 frames: at 48, a 250-frame real clip got 5-frame pairs whose
    # large displacements DIS cannot follow (bikes read slower than carphone: tests/test_real_footage.py)
    max_pairs: int = 256
    preset: str = "medium"
    backward: bool = True
    span_seconds: float = 0.0


RAFT_DEFAULTS = RAFTDefaults()
DIS_DEFAULTS = DISDefaults()


@dataclass(frozen=True)
class FlowMethod:
    """One optical-flow method under every name it goes by, so no layer keeps a vocabulary of its own:
    the run's choice (``--flow``, ``evaluate(flow=...)``, ``EvalConfig.flow``), the backbone registered
    for it (also the key of an options entry meant for it alone), the label its rows carry in
    ``details["method"]`` and every table shows, and the marks its backend string bears (how rows
    written before rows carried the label are read)."""

    choice: str
    backbone: str
    label: str
    defaults: Any
    backend_marks: tuple[str, ...]
    cls: str  # "module:Class" of the backbone, imported only when a run builds it


FLOW_ROLE = "flow"  # what the flow dimensions ask for; an options entry under it reaches whichever method fills it
AUTO = "auto"  # RAFT where its weights are present, else DIS (the rows' label says which ran)
AUTO_CLASS = "wanbench.backbones.flow:AutoFlow"
FLOW_METHODS = (
    FlowMethod("raft", "flow-raft", "RAFT", RAFT_DEFAULTS, ("raft",), "wanbench.backbones.flow:RAFTFlow"),
    FlowMethod("dis", "flow-dis", "DIS", DIS_DEFAULTS, ("opencv-dis", "dis/"), "wanbench.backbones.flow:DISFlow"),
)
FLOW_CHOICES = (AUTO, *(m.choice for m in FLOW_METHODS))
FLOW_OPTION_ENTRIES = (FLOW_ROLE, *(m.backbone for m in FLOW_METHODS))  # option entries that configure the flow
FLOW_LABELS = tuple(m.label for m in FLOW_METHODS)


def flow_method(choice: str) -> FlowMethod:
    """The method a choice names (``raft``, ``dis``)."""
    check_flow_choice(choice)
    return next(m for m in FLOW_METHODS if m.choice == choice)


def check_flow_choice(choice: str) -> None:
    if choice not in FLOW_CHOICES:
        raise ValueError(f"--flow {choice!r}: use one of {', '.join(FLOW_CHOICES)}")


def flow_backbone(choice: str) -> str:
    """The backbone that fills the flow role under a run's ``--flow`` choice (``auto``: the role's own)."""
    return FLOW_ROLE if choice == AUTO else flow_method(choice).backbone


def flow_method_label(label: object, backend: str | None) -> str | None:
    """The method label of a flow row: its recorded ``details["method"]``, else (a row written before
    rows carried it) the method whose marks its backend string bears; None when neither says."""
    if label in FLOW_LABELS:
        return str(label)
    text = (backend or "").lower()
    for method in sorted(FLOW_METHODS, key=lambda m: m.choice != "dis"):  # "opencv-dis" before "raft"
        if any(mark in text for mark in method.backend_marks):
            return method.label
    return None


def _effective(defaults: Any, entry: Mapping[str, Any] | None) -> dict[str, Any]:
    settings = dataclasses.asdict(defaults)
    settings |= {k: v for k, v in dict(entry or {}).items() if k in settings}
    return {k: v for k, v in settings.items() if k not in NUMBER_NEUTRAL}


def flow_settings(options: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Everything a run's flow numbers depend on: the settings each backend runs with (its defaults
    overridden by the run's options: the "flow" entry reaches whichever backend fills the role, a
    "flow-raft" / "flow-dis" entry only that one under ``--flow raft|dis``), the forward-only check's
    constants and the pair sampling. Settings that do not change values (batch, device) are left out."""
    options = options or {}
    out: dict[str, Any] = {m.choice: _effective(m.defaults, options.get(FLOW_ROLE)) for m in FLOW_METHODS}
    for m in FLOW_METHODS:
        if m.backbone in options and _effective(m.defaults, options[m.backbone]) != out[m.choice]:
            out[f"{m.choice} ({m.backbone})"] = _effective(m.defaults, options[m.backbone])
    out["photometric"] = {"window": WINDOW, "window_tolerance": WINDOW_TOLERANCE}
    out["sampling"] = SAMPLING
    return out


def flow_settings_tag(options: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """A short, stable hash of ``flow_settings``: part of the flow dimensions' metric version, so rows
    scored under other flow settings (the former RAFT defaults, say) are stale, never averaged."""
    text = json.dumps(flow_settings(options), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
