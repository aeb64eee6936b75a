"""`wanbench calibrate`: known-answer checks of the backbones on the weights a user has.

``calibrate`` runs the checks (``checks.CHECKS``), ``store`` keeps each weights entry's verdict
under its sha256 fingerprint, and ``run_calibration`` tells a run which of its weights passed,
failed, were skipped or were never calibrated (recorded in its provenance and shown in the report).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wanbench.backbones.base import Backbone, BackboneUnavailable
from wanbench.calibration.checks import (
    CHECKS,
    FAIL,
    PASS,
    SKIPPED,
    Check,
    CheckResult,
    Context,
    Options,
    registry_weights,
)
from wanbench.calibration.data import DataMissing
from wanbench.calibration.store import (
    NOT_CALIBRATED,
    DigestCache,
    calibration_state,
    entry_files,
    load_record,
    save_results,
)
from wanbench.run.log import one_line


@dataclass
class CalibrationReport:
    results: list[CheckResult] = field(default_factory=list)
    stored: dict[str, str] = field(default_factory=dict)  # weights entry -> verdict stored for its sha256

    @property
    def failed(self) -> bool:
        return any(r.status == FAIL for r in self.results)


def check_names() -> list[str]:
    return [c.name for c in CHECKS]


def run_check(check: Check, context: Context) -> CheckResult:
    """One check; a backbone or data set that is missing makes it skipped, an error makes it fail."""
    weights: tuple[str, ...] = ()
    try:
        backbone = context.backbone(check.backbone, check.role)
        weights = check.tested(backbone, context)
        check.ready(backbone)
        outcome = check.body(backbone, context)
    except (BackboneUnavailable, DataMissing) as exc:
        return CheckResult(check.name, check.backbone, weights, SKIPPED, None, check.threshold, one_line(str(exc)))
    except Exception as exc:  # a check that breaks on present weights is a failed check, not a crash
        message = one_line(f"{type(exc).__name__}: {exc}")
        return CheckResult(check.name, check.backbone, weights, FAIL, None, check.threshold, message)
    status = PASS if outcome.passed else FAIL
    return CheckResult(check.name, check.backbone, weights, status, outcome.figure, check.threshold, outcome.detail)


def calibrate(
    options: Options | None = None,
    only: list[str] | None = None,
    save: bool = True,
    on_result: Callable[[CheckResult], None] | None = None,
) -> CalibrationReport:
    """Run the checks (all, or those named in ``only``) with the backbones built from ``options``
    as a run builds them; with ``save``, store each tested weights entry's verdict."""
    unknown = sorted(set(only or ()) - set(check_names()))
    if unknown:
        raise ValueError(f"unknown check {', '.join(map(repr, unknown))}; choose from {', '.join(check_names())}")
    report = CalibrationReport()
    context = Context(options or {})
    for check in CHECKS:
        if only and check.name not in only:
            continue
        result = run_check(check, context)
        report.results.append(result)
        if on_result:
            on_result(result)
    if save:
        report.stored = save_results(report.results)
    return report


def backbone_weights(backbone: Backbone) -> tuple[str, ...]:
    """The weights registry entries a built backbone loads (the chosen one behind the automatic flow)."""
    chosen = getattr(backbone, "chosen", backbone)
    names: list[str | None] = list(getattr(chosen, "weight_names", {}).values())
    local_judge = getattr(chosen, "mode", "local") == "local" and not getattr(chosen, "path", None)
    weights = getattr(chosen, "weights", None)
    names.append(weights if isinstance(weights, str) and local_judge else None)
    names.append(getattr(chosen, "detector_weights", None))
    return registry_weights(*names)


def run_calibration(backbones: Mapping[str, Backbone]) -> dict[str, Any]:
    """For a run's provenance: each weights entry its backbones load -> pass | fail | skipped | not
    calibrated (for the bytes present now), and the entries that did not pass. Entries whose files
    are missing are left out: their dimensions are reported missing, nothing is scored with them."""
    digests = DigestCache()
    states = {
        name: calibration_state(name, digests)
        for backbone in backbones.values()
        for name in backbone_weights(backbone)
        if entry_files(name)
    }
    return {"weights": dict(sorted(states.items())), "not_passed": sorted(n for n, s in states.items() if s != PASS)}


__all__ = [
    "CHECKS",
    "NOT_CALIBRATED",
    "CalibrationReport",
    "CheckResult",
    "backbone_weights",
    "calibrate",
    "calibration_state",
    "check_names",
    "load_record",
    "run_calibration",
]
