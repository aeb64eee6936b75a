"""What the flow dimensions' numbers depend on, as plain data: each flow backend's defaults, the
forward-only check's photometric constants and how pairs are sampled. The backends take their
defaults from here (``wanbench.backbones.flow``), and the metric version hashes them
(``flow_settings_tag``), so a changed default makes older rows stale without anyone bumping a number,
and the read model composes the version without importing OpenCV, torch or a backbone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FLOW_ROLES = ("flow", "flow-raft", "flow-dis")  # backbone option entries that configure the flow
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
    out: dict[str, Any] = {
        "raft": _effective(RAFT_DEFAULTS, options.get("flow")),
        "dis": _effective(DIS_DEFAULTS, options.get("flow")),
    }
    for backend, defaults, registered in (("raft", RAFT_DEFAULTS, "flow-raft"), ("dis", DIS_DEFAULTS, "flow-dis")):
        if registered in options and _effective(defaults, options[registered]) != out[backend]:
            out[f"{backend} ({registered})"] = _effective(defaults, options[registered])
    out["photometric"] = {"window": WINDOW, "window_tolerance": WINDOW_TOLERANCE}
    out["sampling"] = SAMPLING
    return out


def flow_settings_tag(options: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """A short, stable hash of ``flow_settings``: part of the flow dimensions' metric version, so rows
    scored under other flow settings (the former RAFT defaults, say) are stale, never averaged."""
    text = json.dumps(flow_settings(options), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
