"""The optical flow's settings as the metric version sees them: which backbone options configure the
flow, and a short hash of every setting its numbers depend on (``wanbench.backbones.flow.flow_settings``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

FLOW_ROLES = ("flow", "flow-raft", "flow-dis")  # backbone option entries that configure the flow


def flow_settings_tag(options: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """A short, stable hash of ``flow_settings``: part of the flow dimensions' metric version, so rows
    scored under other flow settings (the former RAFT defaults, say) are stale, never averaged."""
    from wanbench.backbones.flow import flow_settings

    text = json.dumps(flow_settings(options), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:8]
