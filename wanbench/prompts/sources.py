"""The hand-written v2 suite: its source notation and the assembler that turns it into jsonl.

Prompts are written by hand, one per line, in ``prompts/v2/<theme>.txt`` (a theme per file, in the
order of ``prompts/v2/ORDER``). A line has four fields separated by `` | ``::

    af id ha | s=potter:human; a=shaping a bowl on the wheel; sc=studio; h | English text | 中文

1. the dimensions it serves, as short codes (``DIM_CODES``);
2. its metadata, ``key=value`` pairs separated by ``;`` (``META_KEYS``), ``h`` alone for has_human;
3. the English text; 4. the Chinese text, written as a Chinese speaker would ask for the same video.

Ids are ``<theme>-NNN`` in line order. Blank lines and ``#`` comments are skipped. The notation only
saves typing: every line becomes one jsonl prompt validated by ``wanbench.prompts.suite``.
"""

from __future__ import annotations

import json
from pathlib import Path

from wanbench.benchmark.definition import load_benchmark
from wanbench.prompts.suite import Prompt, prompt_from_dict

SOURCES_DIR = Path(__file__).resolve().parents[2] / "prompts" / "v2"
SUITE_VERSION = "2.1"

DIM_CODES = {spec.code: spec.key for spec in load_benchmark("wan-bench").dimensions}  # declared per dimension
KIND_CODES = {"h": "human", "a": "animal", "o": "object", "human": "human", "animal": "animal", "object": "object"}
META_KEYS = {
    "s": "subject",
    "a": "action",
    "o": "objects",
    "r": "spatial",
    "c": "camera",
    "y": "style",
    "e": "event",
    "sc": "scene",
    "m": "motion",
    "h": "has_human",
}


class SourceError(ValueError):
    """A source line that cannot be read: names the file, line and reason."""


def _metadata(field: str, where: str) -> dict:
    data: dict = {}
    for part in (p.strip() for p in field.split(";")):
        if not part:
            continue
        key, _, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if key not in META_KEYS:
            raise SourceError(f"{where}: unknown metadata key {key!r}")
        if key == "h":
            data["has_human"] = True
        elif key == "s":
            name, _, kind = value.rpartition(":")
            if kind not in KIND_CODES or not name:
                raise SourceError(f"{where}: subject must be name:kind (h/a/o), got {value!r}")
            data["subject"] = {"name": name.strip(), "kind": KIND_CODES[kind]}
        elif key == "o":
            objects = []
            for item in value.split(","):
                name, _, count = item.partition("*")
                objects.append({"name": name.strip(), "count": int(count) if count.strip() else 1})
            data["objects"] = objects
        elif key == "r":
            parts = [p.strip() for p in value.split("/")]
            if len(parts) != 3:
                raise SourceError(f"{where}: relation must be subject / relation / object, got {value!r}")
            data["spatial"] = {"subject": parts[0], "relation": parts[1], "object": parts[2], "viewpoint": "camera"}
        else:
            data[META_KEYS[key]] = value
    if data.get("subject", {}).get("kind") == "human":
        data["has_human"] = True
    return data


def parse_source_line(line: str, prompt_id: str, where: str) -> dict:
    """One source line -> the jsonl dict of its prompt (not yet validated)."""
    fields = [f.strip() for f in line.split(" | ")]
    if len(fields) != 4:
        raise SourceError(f"{where}: expected 4 fields separated by ' | ', got {len(fields)}")
    codes, meta, text, text_zh = fields
    dims = []
    for code in codes.split():
        if code not in DIM_CODES:
            raise SourceError(f"{where}: unknown dimension code {code!r}")
        dims.append(DIM_CODES[code])
    data = {"id": prompt_id, "text": text, "text_zh": text_zh, "dimensions": dims}
    data.update(_metadata(meta, where))
    return data


def read_theme(path: Path) -> list[dict]:
    theme = path.stem
    rows: list[dict] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append(parse_source_line(line, f"{theme}-{len(rows) + 1:03d}", f"{path.name}:{number}"))
    return rows


def theme_files(folder: Path = SOURCES_DIR) -> list[Path]:
    order = folder / "ORDER"
    if order.is_file():
        names = [n.strip() for n in order.read_text(encoding="utf-8").split() if n.strip()]
        return [folder / f"{n}.txt" for n in names]
    return sorted(folder.glob("*.txt"))


def assemble(folder: Path | None = None) -> list[dict]:
    """All source lines as jsonl dicts, each validated by the suite schema (raises SourceError).
    No source files at all is an error too: outside a source checkout an installed wheel has none,
    and building from nothing used to overwrite the shipped suite with 0 prompts."""
    folder = SOURCES_DIR if folder is None else folder
    files = theme_files(folder) if folder.is_dir() else []
    if not files:
        raise SourceError(
            f"no prompt sources in {folder}: `prompts build` needs a source checkout of wanbench "
            "(an installed wanbench already ships the built suites)"
        )
    missing = [path.name for path in files if not path.is_file()]
    if missing:
        raise SourceError(f"{folder / 'ORDER'} names missing source file(s): {', '.join(missing)}")
    rows = []
    for path in files:
        for row in read_theme(path):
            try:
                prompt_from_dict(row)
            except ValueError as exc:
                raise SourceError(f"{path.name} {row['id']}: {exc}") from exc
            rows.append(row)
    return rows


def suite_header() -> dict:
    return {"suite": "wanbench", "version": SUITE_VERSION}


def to_suite_jsonl(rows: list[dict]) -> str:
    """The header line, then one prompt per line (same rows, same bytes)."""
    lines = [json.dumps(suite_header(), ensure_ascii=False)]
    lines += [json.dumps(row, ensure_ascii=False) for row in rows]
    return "\n".join(lines) + "\n"


def assembled_prompts(folder: Path = SOURCES_DIR) -> list[Prompt]:
    return [prompt_from_dict(row) for row in assemble(folder)]
