"""Can each dimension run here? A structured answer (for `wanbench dims`, --json and the library),
computed from each dimension's declared needs and its backbones' cheap checks; nothing is loaded.
Callers print these fields; they never parse the reasons."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from wanbench.benchmark.definition import DEFAULT_BENCHMARK, load_benchmark


@dataclass
class Blocker:
    backbone: str  # the backbone role, e.g. "vlm", "iqa"
    reason: str  # the backbone's one-line reason (which weights, where looked, how to fetch)
    prompts: str = ""  # non-empty: only these prompts need it (e.g. "aerial and tracking prompts")
    weights: list[str] = field(default_factory=list)  # weights entries it lacks (empty: another cause)

    @property
    def fix(self) -> str:
        """The command that removes this blocker, when fetching weights does: only entries with a
        public source are named (the Human Artifacts detector has none: its reason says to train one)."""
        from wanbench.model_weights import has_public_source

        fetchable = [w for w in self.weights if has_public_source(w)]
        return f"wanbench weights fetch {' '.join(fetchable)}" if fetchable else ""


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

    @property
    def state(self) -> str:
        """ready | partly ready | missing."""
        return "missing" if self.blockers else "partly ready" if self.partial else "ready"

    @property
    def missing_weights(self) -> list[str]:
        """Weights entries whose absence blocks the dimension or part of its prompts, each once."""
        return list(dict.fromkeys(w for b in self.blockers + self.partial for w in b.weights))

    def short(self) -> str:
        """A few words for an 80-column table: ready, ready (partly: X), or missing X."""
        if self.blockers:
            return "missing " + ", ".join(sorted({b.backbone for b in self.blockers}))
        if self.partial:
            return "ready (partly: no " + ", ".join(sorted({b.backbone for b in self.partial})) + ")"
        return "ready"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for blocker, entry in zip(self.blockers + self.partial, data["blockers"] + data["partial"], strict=True):
            entry["fix"] = blocker.fix
        data["ready"] = self.ready
        data["state"] = self.state
        data["missing_weights"] = self.missing_weights
        data["missing"] = "; ".join(f"{b.backbone}: {b.reason}" for b in self.blockers)
        data["partly_missing"] = "; ".join(f"{b.prompts} missing, {b.backbone}: {b.reason}" for b in self.partial)
        return data


def dimension_readiness(
    backbone_options: dict[str, dict[str, Any]] | None = None, benchmark: str = DEFAULT_BENCHMARK
) -> list[DimensionReadiness]:
    """One entry per dimension of ``benchmark``, in its order, by the method the options select."""
    from wanbench.backbones.base import BackboneUnavailable
    from wanbench.dims.registry import get_dimension
    from wanbench.run.scoring import build_backbones

    bench = load_benchmark(benchmark)
    rows = []
    for key in bench.keys:
        dim = get_dimension(key, bench, backbone_options)
        row = DimensionReadiness(
            dim.name, dim.display_name, dim.group, list(dim.needs), str(dim.version), dim.description
        )
        for name, backbone in build_backbones([dim], options=backbone_options).items():
            try:
                backbone.check()
            except BackboneUnavailable as exc:
                which = dim.partial_needs().get(name)
                blocker = Blocker(name, str(exc), which or "", list(exc.weights))
                (row.partial if which else row.blockers).append(blocker)
        rows.append(row)
    return rows


def unavailable_backbones(rows: list[DimensionReadiness]) -> dict[str, str]:
    """Each backbone that blocks some dimension (or part of one), with its reason, in first-seen order."""
    reasons: dict[str, str] = {}
    for row in rows:
        for blocker in row.blockers + row.partial:
            reasons.setdefault(blocker.backbone, blocker.reason)
    return reasons


def in_source_checkout() -> bool:
    """Whether wanbench runs from a source checkout (where `make demo` exists), not an installed wheel."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    return (root / "Makefile").is_file() and (root / "pyproject.toml").is_file()


def readiness_line(rows: list[DimensionReadiness] | None = None) -> str:
    """One line: what an offline run leaves missing, and the command that fills it."""
    from wanbench.model_weights import fetchable_missing

    rows = dimension_readiness() if rows is None else rows
    blocked = [r.name for r in rows if not r.ready]
    if not blocked:
        return "every dimension can run here"
    # what the blocked dimensions need under these options (one judge, not every judge entry)
    needed = {w for r in rows for b in r.blockers + r.partial for w in b.weights}
    entries = [name for name in fetchable_missing() if name in needed]
    demo = " or run `WANBENCH_FETCH=1 make demo`" if in_source_checkout() else ""
    fill = (
        f"get them with `wanbench weights fetch {' '.join(entries)}` (needs a network){demo}"
        if entries
        else "see `wanbench weights status`"
    )
    total = len(dimension_readiness() if rows is None else rows)
    return f"{len(blocked)} of {total} dimensions were missing (weights not here); {fill}"
