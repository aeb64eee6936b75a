"""What a report says about calibration: the weights each run used that did not pass `wanbench calibrate`.

A run records, in its provenance, the calibration verdict of every weights entry its backbones
load (``wanbench.calibration.run_calibration``). Scores from weights that failed or were never
calibrated may still be right, but nobody has checked: the report says so next to the leaderboard.
"""

from __future__ import annotations

from html import escape
from typing import Any


def calibration_of(invocation: dict[str, Any]) -> dict[str, str]:
    """weights entry -> verdict recorded by one invocation (empty for runs made before calibration existed)."""
    recorded = (invocation.get("provenance") or {}).get("calibration") or {}
    weights = recorded.get("weights") if isinstance(recorded, dict) else None
    return {str(k): str(v) for k, v in weights.items()} if isinstance(weights, dict) else {}


def uncalibrated_notes(invocations: list[dict[str, Any]]) -> list[str]:
    """One line per (run, model) whose latest invocation used weights that did not pass calibration."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for inv in invocations:
        key = (str(inv.get("run", "")), str(inv.get("model", "")))
        if key not in latest or (inv.get("started") or 0) >= (latest[key].get("started") or 0):
            latest[key] = inv
    notes = []
    for (run, model), inv in sorted(latest.items()):
        bad = {k: v for k, v in calibration_of(inv).items() if v != "pass"}
        if bad:
            listed = ", ".join(f"{k} {v}" for k, v in sorted(bad.items()))
            notes.append(f"{model} (run {run}) used weights that did not pass calibration: {listed}")
    return notes


def calibration_markdown(invocations: list[dict[str, Any]]) -> str:
    notes = uncalibrated_notes(invocations)
    if not notes:
        return ""
    return "\n**Calibration** (`wanbench calibrate`):\n" + "".join(f"- {n}\n" for n in notes)


def calibration_html(invocations: list[dict[str, Any]]) -> str:
    notes = uncalibrated_notes(invocations)
    if not notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (
        "<p class='err'>Calibration: scores below come from weights that failed, skipped or never ran "
        f"<code>wanbench calibrate</code>'s known-answer checks.</p><ul>{items}</ul>"
    )


def calibration_field(invocation: dict[str, Any]) -> str:
    """The provenance field: every weights entry with its verdict."""
    verdicts = calibration_of(invocation)
    return ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())) or "not recorded"
