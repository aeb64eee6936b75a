"""One label in a run directory stands for one model configuration: a resumed run must match what its
latest earlier invocation under that label recorded, or results would mix under one name.

An earlier invocation that kept nothing (it failed before any video or score, e.g. on a bad option)
binds nothing: the new settings are taken. A real mismatch is one line naming the keys that differ,
not a dump of both settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PARTS = {
    "model": "made with other model settings",
    "text": "generated from other text",
    "scoring": "scored with other settings",
}


class RunMismatchError(ValueError):
    """A run directory resumed with a different model configuration under the same label."""


def differing_keys(before: Any, now: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the leaves that differ between two JSON-like values (added and removed keys too)."""
    if isinstance(before, dict) and isinstance(now, dict):
        keys: list[str] = []
        for key in sorted(set(before) | set(now), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in before or key not in now:
                keys.append(path)
            else:
                keys.extend(differing_keys(before[key], now[key], path))
        return keys
    return [] if before == now else [prefix or "(value)"]


def _shown(keys: list[str], limit: int = 6) -> str:
    return ", ".join(keys[:limit]) + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def check_same_settings(
    earlier_runs: Iterable[dict[str, Any]],
    out: Path,
    run: str,
    label: str,
    adapter_info: dict[str, Any],
    generation_text: dict[str, Any],
    scoring: Any,
    kept: int = 1,
) -> list[str]:
    """Refuse if the adapter, the text the model reads, or the scoring settings (flow backend, judge,
    detector and other backbone options) changed since the latest invocation of ``run``/``label`` while
    ``kept`` videos and scores are stored under that label. Returns the keys that changed (empty when
    none did), so the caller can drop what replaced settings left unfinished."""
    now = {"model": json.loads(json.dumps(adapter_info, default=str)), "text": generation_text, "scoring": scoring}
    for earlier in sorted(earlier_runs, key=lambda i: i["started"], reverse=True):
        if earlier["run"] != run or earlier["model"] != label:
            continue
        config = earlier["config"]
        before = {
            "model": config.get("adapter"),
            "text": config.get("generation_text"),
            "scoring": config.get("scoring"),
        }
        changed = [
            key for part in PARTS if before[part] is not None for key in differing_keys(before[part], now[part], part)
        ]
        if changed and kept:
            kinds = ", ".join(
                text for part, text in PARTS.items() if any(k.startswith(part + ".") or k == part for k in changed)
            )
            raise RunMismatchError(
                f"{out} already holds {kept} video(s)/score(s) for {label!r} {kinds} "
                f"(differs: {_shown(changed)}); rerun with the earlier settings, or start afresh "
                "with another --out or --name"
            )
        return changed
    return []
