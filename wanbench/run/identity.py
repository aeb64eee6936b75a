"""One label in a run directory stands for one model configuration: a resumed run must match what its
latest earlier invocation under that label recorded, or results would mix under one name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


class RunMismatchError(ValueError):
    """A run directory resumed with a different model configuration under the same label."""


def check_same_settings(
    earlier_runs: Iterable[dict[str, Any]],
    out: Path,
    run: str,
    label: str,
    adapter_info: dict[str, Any],
    generation_text: dict[str, Any],
    scoring: Any,
) -> None:
    """Refuse if the adapter, the text the model reads, or the scoring settings (flow backend, judge,
    detector and other backbone options) changed since the latest invocation of ``run``/``label``."""
    for earlier in sorted(earlier_runs, key=lambda i: i["started"], reverse=True):
        if earlier["run"] != run or earlier["model"] != label:
            continue
        previous = earlier["config"].get("adapter")
        if previous is not None and previous != json.loads(json.dumps(adapter_info, default=str)):
            raise RunMismatchError(
                f"{out} already holds results for {label!r} made with other model settings "
                f"({previous} now {adapter_info}); use another --out or --name"
            )
        text_before = earlier["config"].get("generation_text")
        if text_before is not None and text_before != generation_text:
            raise RunMismatchError(
                f"{out} already holds results for {label!r} generated from other text "
                f"({text_before} now {generation_text}); use another --out or --name"
            )
        before = earlier["config"].get("scoring")
        if before is not None and before != scoring:
            raise RunMismatchError(
                f"{out} already holds results for {label!r} scored with other settings "
                f"({before} now {scoring}); use another --out, or the same --flow/--judge/--artifacts options"
            )
        return
