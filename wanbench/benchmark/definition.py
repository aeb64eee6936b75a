"""A benchmark is versioned data: its dimensions, their methods, its weightings, its reference tables.

One JSON file per benchmark (``wanbench/data/benchmarks/<name>.json``, or any file a user passes)
declares everything the code needs to know about a dimension: its key, display name and group; the
methods that score it (the implementing ``module:Class``, the formula version, and the backbone
option that selects it); the report's reference method; the prompt metadata a prompt needs to be
scored; its judge template, arena question and VBench peers. It also names the benchmark's
weightings and reference tables (package data files) and its default suite. A benchmark may
``extend`` another: it inherits the other's dimensions, weightings and references and adds its own,
so a 15th dimension is one entry here plus its class.

Reading a definition imports no dimension code: classes are named as strings and resolved only when
a run scores (``make_dimension``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from wanbench.resources import data_dir

DEFAULT_BENCHMARK = "wan-bench"
VERSION_PARTS = ("judge_template", "flow_settings")  # what a method's metric version may depend on


class BenchmarkError(ValueError):
    """A benchmark that does not exist or whose definition is malformed (one line for the user)."""


@dataclass(frozen=True)
class Method:
    """One way of scoring a dimension. Its rows carry ``version`` (the formula's) as the first part of
    their metric version; a method whose numbers depend on a template or on settings appends them."""

    name: str
    implementation: str  # "module:Class"
    version: str
    when: Mapping[str, str] = field(default_factory=dict)  # {"role.option": value} that selects it
    depends_on: tuple[str, ...] = ()  # "judge_template", "flow_settings": appended to the metric version

    def selected_by(self, backbone_options: Mapping[str, Mapping[str, Any]]) -> bool:
        for path, wanted in self.when.items():
            role, _, option = path.partition(".")
            if str((backbone_options.get(role) or {}).get(option, "")) != wanted:
                return False
        return True


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    display_name: str
    group: str
    methods: tuple[Method, ...]
    reference_methods: frozenset[str] = frozenset()  # the report's method families ("RAFT", "detector")
    required_metadata: tuple[str, ...] = ()  # prompt fields a prompt serving this dimension must fill
    code: str = ""  # the short code of the hand-written prompt sources
    judge_template: str | None = None  # the key of its questions in judge_templates.json
    arena_question: str | None = None  # what an annotator is asked about this dimension, if anything
    arena_title: str = ""  # the question's short label on the arena page
    vbench_peers: tuple[str, ...] = ()  # VBench dimensions that measure something close (export and import)
    vbench_imports: tuple[str, ...] = ()  # VBench dimensions whose prompts also import as this one
    applies_to_all: bool = False  # scores every prompt, not only prompts that list it in ``dimensions``

    @property
    def measures_flow(self) -> bool:
        """Whether its numbers come from optical flow (a method's version depends on the flow settings):
        its rows are labelled with the flow method that ran (``flow_settings.FLOW_METHODS``)."""
        return any("flow_settings" in m.depends_on for m in self.methods)

    def applies(self, prompt_dimensions: tuple[str, ...] | list[str]) -> bool:
        """Whether a prompt listing ``prompt_dimensions`` is scored on this dimension."""
        return self.applies_to_all or self.key in prompt_dimensions

    def method(self, backbone_options: Mapping[str, Mapping[str, Any]] | None = None) -> Method:
        """The method a run's backbone options select: the first whose ``when`` matches, else the first."""
        options = backbone_options or {}
        for method in self.methods:
            if method.when and method.selected_by(options):
                return method
        return next(m for m in self.methods if not m.when)


@dataclass(frozen=True)
class NamedFile:
    """A weighting or reference table the benchmark names: ``kind`` "equal" or "file" (package data)."""

    name: str
    kind: str
    file: str | None = None
    about: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. a reference table's comparability file

    def path(self) -> Path:
        assert self.file is not None
        return data_dir(*Path(self.file).parts)


@dataclass(frozen=True)
class Benchmark:
    name: str
    version: str
    title: str
    dimensions: tuple[DimensionSpec, ...]
    groups: Mapping[str, str]
    weightings: Mapping[str, NamedFile]
    references: Mapping[str, NamedFile]
    default_suite: str = "smoke"
    default_weighting: str = "equal"
    default_reference: str | None = None
    about: str = ""
    source: str = ""  # where the definition was read from
    display_name: str = ""  # as titles print it ("Wan-Bench"); default: the name

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(d.key for d in self.dimensions)

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def dimension(self, key: str) -> DimensionSpec:
        for spec in self.dimensions:
            if spec.key == key:
                return spec
        raise BenchmarkError(f"{self.name} has no dimension {key!r}{did_you_mean(key, self.keys)}")

    def dimension_name(self, key: str) -> str:
        """A dimension's display name (its key when the benchmark has no such dimension)."""
        return next((d.display_name for d in self.dimensions if d.key == key), key)

    def check_dimensions(self, names: tuple[str, ...] | list[str]) -> None:
        unknown = [n for n in names if n not in self.keys]
        if unknown:
            raise BenchmarkError(
                f"unknown dimension {unknown[0]!r} for benchmark {self.name}{did_you_mean(unknown[0], self.keys)} "
                f"(wanbench dims --benchmark {self.name} lists them)"
            )


# every dimension of every benchmark read in this process, first declaration wins: how a report names a
# key it is handed without its benchmark (a registry, filled by ``load_benchmark``)
DECLARED: dict[str, DimensionSpec] = {}


def declared_dimension(key: str) -> DimensionSpec | None:
    if not DECLARED:
        for name in packaged_benchmarks():
            load_benchmark(name)
    return DECLARED.get(key)


def did_you_mean(name: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=2)
    return f"; did you mean {', '.join(close)}?" if close else ""


def packaged_benchmarks() -> tuple[str, ...]:
    """The names of the benchmarks that ship with wanbench."""
    return tuple(sorted(p.stem for p in data_dir("benchmarks").glob("*.json")))


def load_benchmark(name: str | Benchmark = DEFAULT_BENCHMARK) -> Benchmark:
    """A benchmark by name (one that ships with wanbench) or from a JSON file path."""
    if isinstance(name, Benchmark):
        return name
    path = Path(name)
    if path.suffix == ".json" and path.is_file():
        return _load_file(str(path.resolve()))
    if name in packaged_benchmarks():
        return _load_file(str(data_dir("benchmarks", f"{name}.json")))
    known = packaged_benchmarks()
    raise BenchmarkError(
        f"unknown benchmark {name!r}{did_you_mean(str(name), known)}: use {', '.join(known)}, "
        "or a benchmark definition .json file"
    )


@lru_cache(maxsize=32)
def _load_file(path: str) -> Benchmark:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchmarkError(f"benchmark definition {path}: cannot be read ({exc})") from None
    if not isinstance(document, dict):
        raise BenchmarkError(f"benchmark definition {path}: not a JSON object")
    try:
        benchmark = _from_document(document, path)
        for spec in benchmark.dimensions:
            DECLARED.setdefault(spec.key, spec)
        return benchmark
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, BenchmarkError):
            raise
        raise BenchmarkError(f"benchmark definition {path}: malformed ({type(exc).__name__}: {exc})") from None


def _named(entries: Mapping[str, Any]) -> dict[str, NamedFile]:
    out = {}
    for name, entry in entries.items():
        kind = entry.get("kind", "file")
        if kind not in ("equal", "file"):
            raise BenchmarkError(f"{name}: kind must be equal or file, not {kind!r}")
        extra = {k: v for k, v in entry.items() if k not in ("kind", "file", "about")}
        out[name] = NamedFile(name, kind, entry.get("file"), entry.get("about", ""), extra)
    return out


def _dimension(entry: Mapping[str, Any]) -> DimensionSpec:
    methods = tuple(
        Method(m["name"], m["class"], str(m["version"]), dict(m.get("when") or {}), tuple(m.get("depends_on") or ()))
        for m in entry["methods"]
    )
    for method in methods:
        unknown = set(method.depends_on) - set(VERSION_PARTS)
        if unknown:
            raise BenchmarkError(f"{entry['key']}: unknown depends_on {sorted(unknown)} (known: {VERSION_PARTS})")
    if not methods or all(m.when for m in methods):
        raise BenchmarkError(f"dimension {entry['key']!r} needs a method without 'when' (its default)")
    return DimensionSpec(
        key=entry["key"],
        display_name=entry.get("name", entry["key"]),
        group=entry["group"],
        methods=methods,
        reference_methods=frozenset(entry.get("reference_methods") or ()),
        required_metadata=tuple(entry.get("required_metadata") or ()),
        code=entry.get("code", ""),
        judge_template=entry.get("judge_template"),
        arena_question=entry.get("arena_question"),
        arena_title=entry.get("arena_title", ""),
        vbench_peers=tuple(entry.get("vbench_peers") or ()),
        vbench_imports=tuple(entry.get("vbench_imports") or ()),
        applies_to_all=entry.get("applies_to", "listed") == "all",
    )


def _from_document(document: Mapping[str, Any], path: str) -> Benchmark:
    base = load_benchmark(document["extends"]) if document.get("extends") else None
    dimensions = list(base.dimensions) if base else []
    for entry in document.get("dimensions", []):
        spec = _dimension(entry)
        if spec.key in (d.key for d in dimensions):
            raise BenchmarkError(f"dimension {spec.key!r} is declared twice")
        dimensions.append(spec)
    if not dimensions:
        raise BenchmarkError("a benchmark needs at least one dimension")
    groups = dict(base.groups) if base else {}
    groups |= document.get("groups", {})
    for spec in dimensions:
        if spec.group not in groups:
            raise BenchmarkError(f"dimension {spec.key!r}: unknown group {spec.group!r}")
    weightings = dict(base.weightings) if base else {"equal": NamedFile("equal", "equal")}
    weightings |= _named(document.get("weightings", {}))
    references = dict(base.references) if base else {}
    references |= _named(document.get("references", {}))
    inherited = lambda key, default: getattr(base, key) if base else default  # noqa: E731
    return Benchmark(
        name=document["name"],
        version=str(document["version"]),
        title=document.get("title", document["name"]),
        dimensions=tuple(dimensions),
        groups=groups,
        weightings=weightings,
        references=references,
        default_suite=document.get("default_suite", inherited("default_suite", "smoke")),
        default_weighting=document.get("default_weighting", inherited("default_weighting", "equal")),
        default_reference=document.get("default_reference", inherited("default_reference", None)),
        about=document.get("about", ""),
        source=path,
        display_name=document.get("display_name", document["name"]),
    )
