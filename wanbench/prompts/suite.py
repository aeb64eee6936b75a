"""Prompt suites: the Prompt schema, jsonl loading and validation.

A suite is a jsonl file, one prompt per line. A malformed line never stops a run: it becomes a
``SuiteProblem`` naming the line number and the field, and the runner records it as an error row.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, overload

SUBJECT_KINDS = ("human", "animal", "object")
CAMERA_MOTIONS = (
    "static",
    "pan_left",
    "pan_right",
    "lift_up",
    "lift_down",
    "zoom_in",
    "zoom_out",
    "aerial",
    "tracking",
)
# left/right/above/below are read in the frame; in_front_of/behind mean nearer to / farther from the camera.
SPATIAL_RELATIONS = ("left_of", "right_of", "above", "below", "in_front_of", "behind")
MOTION_LEVELS = ("still", "moderate", "large")
VIEWPOINTS = ("camera", "subject")  # whose left and right a spatial relation means
LANGUAGES = ("en", "zh")
PROMPT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\Z")  # ids become file names
# Metadata fields are filled into the judge's questions: short, one line, nothing a chat template or
# tokenizer could read as a control token.
METADATA_MAX_CHARS = 120
SPECIAL_TEXT = re.compile(r"<\|[^|<>]{0,40}\|>|<\|im_|<\|endoftext|<\|vision|\[INST\]|<s>|</s>")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# What each dimension needs from a prompt's metadata to ask its questions.
def _declared() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Dimension keys a prompt may list, and the metadata each needs: as the packaged benchmarks
    declare them (wanbench/data/benchmarks/), the one place they are written."""
    from wanbench.benchmark.definition import load_benchmark, packaged_benchmarks

    keys: dict[str, tuple[str, ...]] = {}
    for name in packaged_benchmarks():
        for spec in load_benchmark(name).dimensions:
            keys.setdefault(spec.key, spec.required_metadata)
    return tuple(keys), {key: needs for key, needs in keys.items() if needs}


DIMENSION_KEYS, REQUIRED_METADATA = _declared()


@dataclass(frozen=True)
class Subject:
    name: str
    kind: str  # one of SUBJECT_KINDS


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    count: int = 1


@dataclass(frozen=True)
class SpatialRelation:
    subject: str
    relation: str  # one of SPATIAL_RELATIONS: "<subject> is <relation> <object>"
    object: str
    viewpoint: str = "camera"  # one of VIEWPOINTS: left/right as the camera (viewer) sees them


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    dimensions: tuple[str, ...]
    text_zh: str | None = None
    text_original: str | None = None  # the short prompt a rewritten (extended) one came from
    subject: Subject | None = None
    objects: tuple[ObjectSpec, ...] = ()
    spatial: SpatialRelation | None = None
    camera: str | None = None
    action: str | None = None
    style: str | None = None
    scene: str | None = None
    motion: str | None = None
    has_human: bool = False
    event: str | None = None  # the physical event a physics prompt asks for ("the glass shatters")

    def text_in(self, lang: str) -> str:
        """The text to generate from in ``lang`` (en or zh); English when there is no Chinese."""
        return self.text_zh if lang == "zh" and self.text_zh else self.text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["dimensions"] = list(self.dimensions)
        data["objects"] = [asdict(o) for o in self.objects]
        return {k: v for k, v in data.items() if v not in (None, [], ())}


@dataclass(frozen=True)
class SuiteProblem:
    """One malformed suite line: where it is, which field, and what is wrong."""

    line: int
    field: str
    message: str
    prompt_id: str | None = None

    def __str__(self) -> str:
        who = f" (prompt {self.prompt_id})" if self.prompt_id else ""
        return f"line {self.line}{who}: field '{self.field}': {self.message}"


@dataclass
class Suite:
    name: str
    path: Path | None
    prompts: list[Prompt]
    problems: list[SuiteProblem] = field(default_factory=list)
    sha256: str = ""
    version: str | None = None  # from the optional header line {"suite": ..., "version": ...}

    def __len__(self) -> int:
        return len(self.prompts)

    def by_dimension(self, keys: tuple[str, ...] | None = None) -> dict[str, list[Prompt]]:
        """Prompts per dimension: every key of ``keys`` (default: wan-bench's 14, so a dimension no
        prompt serves shows as empty), then any other dimension the prompts list."""
        from wanbench.benchmark.definition import load_benchmark

        table: dict[str, list[Prompt]] = {key: [] for key in keys or load_benchmark().keys}
        for prompt in self.prompts:
            for dim in prompt.dimensions:
                table.setdefault(dim, []).append(prompt)
        return table


class PromptFieldError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        super().__init__(message)


_FIELDS = {
    "id",
    "text",
    "text_zh",
    "text_original",
    "dimensions",
    "subject",
    "objects",
    "spatial",
    "camera",
    "action",
    "style",
    "scene",
    "motion",
    "has_human",
    "event",
}
HEADER_FIELDS = {"suite", "version"}


@overload
def _string(data: dict, key: str, required: Literal[True]) -> str: ...


@overload
def _string(data: dict, key: str, required: bool = False) -> str | None: ...


def _string(data: dict, key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise PromptFieldError(key, "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise PromptFieldError(key, f"must be a non-empty string, got {value!r}")
    return value.strip()


@overload
def _metadata(data: dict, key: str, required: Literal[True], field_name: str | None = None) -> str: ...


@overload
def _metadata(data: dict, key: str, required: bool = False, field_name: str | None = None) -> str | None: ...


def _metadata(data: dict, key: str, required: bool = False, field_name: str | None = None) -> str | None:
    """A metadata string that the judge's questions quote: bounded, one line, no special-token text."""
    value = _string(data, key, required)
    name = field_name or key
    if value is None:
        return None
    if len(value) > METADATA_MAX_CHARS:
        raise PromptFieldError(name, f"is {len(value)} characters; metadata fields hold at most {METADATA_MAX_CHARS}")
    if CONTROL_CHARS.search(value):
        raise PromptFieldError(name, f"holds a control character or line break: {value[:40]!r}")
    special = SPECIAL_TEXT.search(value)
    if special:
        raise PromptFieldError(
            name,
            f"holds special-token text ({special.group(0)!r}), which could forge chat turns in the judge's questions",
        )
    return value


def _choice(data: dict, key: str, choices: tuple[str, ...]) -> str | None:
    value = _string(data, key)
    if value is not None and value not in choices:
        raise PromptFieldError(key, f"{value!r} is not one of {', '.join(choices)}")
    return value


def prompt_from_dict(data: Any) -> Prompt:
    """Validate one decoded suite line; raises PromptFieldError naming the bad field."""
    if not isinstance(data, dict):
        raise PromptFieldError("<line>", f"must be a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise PromptFieldError(unknown[0], f"unknown field (known: {', '.join(sorted(_FIELDS))})")
    prompt_id = _string(data, "id", required=True)
    if not PROMPT_ID.match(prompt_id):
        raise PromptFieldError("id", f"{prompt_id!r} must be letters, digits, '_', '.', '-' (it names files)")
    text = _string(data, "text", required=True)
    dims = data.get("dimensions")
    if not isinstance(dims, list) or not dims or not all(isinstance(d, str) for d in dims):
        raise PromptFieldError("dimensions", "must be a non-empty list of dimension names")
    for dim in dims:
        if dim not in DIMENSION_KEYS:
            raise PromptFieldError("dimensions", f"unknown dimension {dim!r}")

    subject = None
    if data.get("subject") is not None:
        raw = data["subject"]
        if not isinstance(raw, dict):
            raise PromptFieldError("subject", "must be an object {name, kind}")
        name = _metadata(raw, "name", required=True, field_name="subject.name")
        kind = _choice(raw, "kind", SUBJECT_KINDS)
        if kind is None:
            raise PromptFieldError("subject", f"kind is required, one of {', '.join(SUBJECT_KINDS)}")
        subject = Subject(name=name, kind=kind)

    objects: list[ObjectSpec] = []
    raw_objects = data.get("objects") or []
    if not isinstance(raw_objects, list):
        raise PromptFieldError("objects", "must be a list of {name, count}")
    for item in raw_objects:
        if not isinstance(item, dict):
            raise PromptFieldError("objects", "each entry must be an object {name, count}")
        count = item.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 20:
            raise PromptFieldError("objects", f"count must be an integer in 1..20, got {count!r}")
        objects.append(ObjectSpec(name=_metadata(item, "name", required=True, field_name="objects.name"), count=count))

    spatial = None
    if data.get("spatial") is not None:
        raw = data["spatial"]
        if not isinstance(raw, dict):
            raise PromptFieldError("spatial", "must be an object {subject, relation, object}")
        relation = _choice(raw, "relation", SPATIAL_RELATIONS)
        if relation is None:
            raise PromptFieldError("spatial", "relation is required")
        spatial = SpatialRelation(
            subject=_metadata(raw, "subject", required=True, field_name="spatial.subject"),
            relation=relation,
            object=_metadata(raw, "object", required=True, field_name="spatial.object"),
            viewpoint=_choice(raw, "viewpoint", VIEWPOINTS) or "camera",
        )

    has_human = data.get("has_human", False)
    if not isinstance(has_human, bool):
        raise PromptFieldError("has_human", f"must be true or false, got {has_human!r}")

    prompt = Prompt(
        id=prompt_id,
        text=text,
        dimensions=tuple(dims),
        text_zh=_string(data, "text_zh"),
        text_original=_string(data, "text_original"),
        subject=subject,
        objects=tuple(objects),
        spatial=spatial,
        camera=_choice(data, "camera", CAMERA_MOTIONS),
        action=_metadata(data, "action"),
        style=_metadata(data, "style"),
        scene=_metadata(data, "scene"),
        motion=_choice(data, "motion", MOTION_LEVELS),
        has_human=has_human,
        event=_metadata(data, "event"),
    )
    for dim in prompt.dimensions:
        for needed in REQUIRED_METADATA.get(dim, ()):
            if needed == "has_human" and not prompt.has_human:
                raise PromptFieldError("has_human", f"dimension {dim} needs has_human: true")
            if needed != "has_human" and not getattr(prompt, needed):
                raise PromptFieldError(needed, f"dimension {dim} needs this field")
    if "multiple_object" in prompt.dimensions and sum(o.count for o in prompt.objects) < 2:
        raise PromptFieldError("objects", "dimension multiple_object needs at least two objects")
    return prompt


def parse_suite(lines: list[str], name: str, path: Path | None = None) -> Suite:
    prompts: list[Prompt] = []
    problems: list[SuiteProblem] = []
    seen: dict[str, int] = {}
    version = None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        raw_id = None
        try:
            data = json.loads(line)
            if isinstance(data, dict) and "id" not in data and data and set(data) <= HEADER_FIELDS:
                version = str(data["version"]) if data.get("version") is not None else None
                continue  # the suite's header line
            raw_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
            prompt = prompt_from_dict(data)
        except json.JSONDecodeError as exc:
            problems.append(SuiteProblem(number, "<json>", f"invalid JSON: {exc.msg} at column {exc.colno}"))
            continue
        except RecursionError:  # one hostile line of [[[[...]]]] must not abort the whole suite
            problems.append(SuiteProblem(number, "<json>", "invalid JSON: nested too deeply"))
            continue
        except PromptFieldError as exc:
            problems.append(SuiteProblem(number, exc.field, str(exc), raw_id))
            continue
        if prompt.id in seen:
            problems.append(SuiteProblem(number, "id", f"duplicate of line {seen[prompt.id]}", prompt.id))
            continue
        seen[prompt.id] = number
        prompts.append(prompt)
    digest = hashlib.sha256("".join(lines).encode()).hexdigest()
    return Suite(name=name, path=path, prompts=prompts, problems=problems, sha256=digest, version=version)


def suite_dirs() -> list[Path]:
    """Where named suites are looked for: ./prompts (your own), then the suites shipped in the package."""
    from wanbench.resources import suites_dir

    return [Path.cwd() / "prompts", suites_dir()]


def resolve_suite_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.suffix == ".jsonl" or path.is_file():
        if not path.is_file():
            raise FileNotFoundError(f"suite file not found: {path}")
        return path
    for folder in suite_dirs():
        candidate = folder / f"{name_or_path}.jsonl"
        if candidate.is_file():
            return candidate
    import difflib

    known = sorted({p.stem for d in suite_dirs() if d.is_dir() for p in d.glob("*.jsonl")})
    close = difflib.get_close_matches(name_or_path, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise FileNotFoundError(f"no suite named {name_or_path!r}{hint} (known: {', '.join(known)}; or give a .jsonl path)")


def load_suite(name_or_path: str | Path) -> Suite:
    """Load a suite by name (``smoke``) or path; malformed lines land in ``suite.problems``."""
    path = resolve_suite_path(str(name_or_path))
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):  # written by an editor that marks UTF-8: the mark is not line 1's text
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ValueError(
            f"{path}: line {line}, column {column}: not UTF-8 text "
            f"(byte 0x{raw[exc.start]:02x}); save the suite as UTF-8"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as reading in text mode did
    return parse_suite(text.splitlines(keepends=True), name=path.stem, path=path)
