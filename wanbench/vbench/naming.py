"""VBench's standard suite and how VBench names and finds samples, kept as VBench does it.

Standard mode: the prompts of ``VBench_full_info.json`` (shipped in the vbench wheel; 946 entries,
944 distinct texts: two texts appear in two entries each), five samples per prompt named
``{prompt}-{i}{suffix}`` (i = 0..4) in one folder; VBench finds a sample by that exact name. Our
row ids: ``vbench-NNNN`` (the entry's 1-based position, as ``wanbench prompts import-vbench``
numbers them) and seed = i. A text shared by two entries names the same files: both entries
score them, as in VBench.

Custom-input mode: every .mp4/.gif/.jpg/.png in the folder, the prompt read from its file name
(``prompt-3.mp4`` -> "prompt", seed 3), only for the dimensions VBench allows there.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLES_PER_PROMPT = 5
CUSTOM_SUFFIXES = (".mp4", ".gif", ".jpg", ".png")  # what VBench's custom-input mode lists


@dataclass(frozen=True)
class VBenchPrompt:
    id: str
    text: str
    dimensions: tuple[str, ...]
    entry: dict[str, Any] = field(default_factory=dict, compare=False)  # VBench's entry, auxiliary info included


@dataclass(frozen=True)
class VBenchSample:
    prompt: VBenchPrompt
    index: int  # VBench's sample number, our seed
    path: Path


def load_standard_suite(full_info: str | Path) -> list[VBenchPrompt]:
    """VBench's standard prompts, ids numbered by entry as ``wanbench prompts import-vbench`` does."""
    entries = json.loads(Path(full_info).read_text(encoding="utf-8"))
    return [VBenchPrompt(f"vbench-{n:04d}", e["prompt_en"], tuple(e["dimension"]), e) for n, e in enumerate(entries, 1)]


def sample_name(prompt_text: str, index: int, suffix: str = ".mp4") -> str:
    """The file name VBench's standard mode looks for (``VBench.build_full_info_json``)."""
    return f"{prompt_text}-{index}{suffix}"


def standard_samples(folder: Path, suite: list[VBenchPrompt], dimensions: set[str], suffix: str = ".mp4"):
    """(samples found, names missing) for the prompts of ``dimensions``, in suite order."""
    present = {p.name for p in Path(folder).iterdir()} if Path(folder).is_dir() else set()
    found, missing = [], []
    for prompt in suite:
        if not dimensions & set(prompt.dimensions):
            continue
        for index in range(SAMPLES_PER_PROMPT):
            name = sample_name(prompt.text, index, suffix)
            if name in present:
                found.append(VBenchSample(prompt, index, Path(folder) / name))
            else:
                missing.append(name)
    return found, missing


def prompt_from_filename(name: str) -> tuple[str, int]:
    """VBench's ``get_prompt_from_filename`` (stem less a trailing ``-<number>``), and that number (0 if none)."""
    stem = Path(name).stem
    match = re.search(r"-(\d+)$", stem)
    return (stem[: match.start()], int(match.group(1))) if match else (stem, 0)


def custom_samples(folder: Path, dimensions: tuple[str, ...]) -> list[VBenchSample]:
    """VBench's custom-input listing; prompt ids are ``vbench-custom-<sha256 of the text, 12 hex>``."""
    samples = []
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() not in CUSTOM_SUFFIXES or not path.is_file():
            continue
        text, index = prompt_from_filename(path.name)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        prompt = VBenchPrompt(f"vbench-custom-{digest}", text, dimensions, {"prompt_en": text})
        samples.append(VBenchSample(prompt, index, path))
    return samples
