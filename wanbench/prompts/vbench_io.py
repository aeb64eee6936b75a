"""Interoperability with VBench's prompt file (``VBench_full_info.json``).

VBench lists prompts as ``{"prompt_en", "dimension": [...], "auxiliary_info": {dim: {...}}}``.
Import maps its dimensions onto ours and recovers the metadata our dimensions need from the
auxiliary info (objects, spatial relation, style) or, failing that, from plain rules (the subject is
the prompt's first noun phrase, camera moves from VBench's wording); a dimension whose metadata
cannot be recovered is dropped from that prompt and counted. VBench's Chinese prompt list
(``prompts/all_dimension_cn.txt``, line for line with ``prompts/all_dimension.txt``) becomes
``text_zh``. Export writes ours in VBench's layout, with the auxiliary info VBench's own scorers
read, plus our metadata under ``auxiliary_info.wanbench`` (VBench reads only the keys named after its
dimensions), so a round trip keeps camera moves, subjects, actions and depth relations.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wanbench.benchmark.definition import load_benchmark
from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.prompts.suite import REQUIRED_METADATA, Prompt, PromptFieldError, prompt_from_dict

# ours <-> VBench, as the benchmark definition declares each dimension's VBench peers (human_artifacts
# and physical_plausibility have none)
_WAN_BENCH = load_benchmark()
TO_VBENCH = {spec.key: list(spec.vbench_peers) for spec in _WAN_BENCH.dimensions if spec.vbench_peers}
FROM_VBENCH = {peer: spec.key for spec in _WAN_BENCH.dimensions for peer in (*spec.vbench_peers, *spec.vbench_imports)}
RELATION_WORDS = {
    "on the left of": "left_of",
    "on the right of": "right_of",
    "on the top of": "above",
    "on the bottom of": "below",
}
CAMERA_WORDS = [
    ("pan left", "pan_left"),
    ("pan right", "pan_right"),
    ("tilt up", "lift_up"),
    ("tilt down", "lift_down"),
    ("zoom in", "zoom_in"),
    ("zoom out", "zoom_out"),
]
HUMAN_WORDS = {
    "person",
    "man",
    "woman",
    "boy",
    "girl",
    "child",
    "people",
    "baby",
    "lady",
    "player",
    "astronaut",
    "couple",
    "stormtrooper",
    "yoda",
    "artist",
}
ANIMAL_WORDS = {
    "dog",
    "cat",
    "horse",
    "bird",
    "cow",
    "sheep",
    "bear",
    "elephant",
    "zebra",
    "giraffe",
    "tiger",
    "lion",
    "fish",
    "rabbit",
    "duck",
    "monkey",
    "panda",
    "fox",
    "deer",
    "squirrel",
    "corgi",
    "shark",
    "turtle",
    "raccoon",
    "koala",
    "goldfish",
    "jellyfish",
    "clownfish",
}
# Where a subject's noun phrase ends: a verb, a preposition or a clause ("a truck slowing down" -> truck).
PHRASE_ENDS = {
    "is",
    "are",
    "was",
    "in",
    "on",
    "at",
    "with",
    "through",
    "into",
    "onto",
    "over",
    "under",
    "across",
    "along",
    "to",
    "from",
    "by",
    "near",
    "beside",
    "and",
    "that",
    "who",
    "while",
    "during",
    "stuck",
    "made",
    "held",
    "built",
}
OURS = "wanbench"  # our key in auxiliary_info: metadata VBench's layout has no place for
CARRIED = ("camera", "subject", "action", "has_human", "motion", "scene", "event", "style", "spatial", "text_zh")


@dataclass
class ImportReport:
    prompts: list[Prompt] = field(default_factory=list)
    dropped_dimensions: Counter = field(default_factory=Counter)  # ours, for want of metadata
    skipped: list[str] = field(default_factory=list)  # entries with nothing we can score


def subject_phrase(text: str) -> str:
    """The prompt's first noun phrase, without its article: what an ID Consistency judge should follow."""
    words = re.findall(r"[a-z][a-z'-]*", text.lower().split(",")[0])
    if words and words[0] in ("a", "an", "the"):
        words = words[1:]
    phrase: list[str] = []
    for word in words:
        participle = len(word) > 4 and (word.endswith("ing") or word.endswith("ed"))
        if phrase and (word in PHRASE_ENDS or participle):
            break
        phrase.append(word)
    return " ".join(phrase[:4]) or text


def _subject_of(text: str) -> dict:
    name = subject_phrase(text)
    words = set(name.split())
    kind = "human" if HUMAN_WORDS & words else "animal" if ANIMAL_WORDS & words else "object"
    return {"name": name, "kind": kind}


def _metadata(entry: dict, ours: set[str]) -> dict:
    text = entry["prompt_en"]
    aux = entry.get("auxiliary_info") or {}
    meta: dict = {}
    if "object_class" in aux:
        meta["objects"] = [{"name": aux["object_class"].get("object", text), "count": 1}]
    if "multiple_objects" in aux:
        names = [n.strip() for n in aux["multiple_objects"].get("object", "").split(" and ") if n.strip()]
        counts = aux["multiple_objects"].get("counts")  # ours, beside VBench's names (VBench ignores it)
        if not (
            isinstance(counts, list)
            and len(counts) == len(names)
            and all(isinstance(c, int) and not isinstance(c, bool) for c in counts)
        ):
            counts = [1] * len(names)
        meta["objects"] = [{"name": n, "count": c} for n, c in zip(names, counts)]
    spatial = (aux.get("spatial_relationship") or {}).get("spatial_relationship")
    if spatial and spatial.get("relationship") in RELATION_WORDS:
        meta["spatial"] = {
            "subject": spatial["object_a"],
            "relation": RELATION_WORDS[spatial["relationship"]],
            "object": spatial["object_b"],
        }
        meta.setdefault(
            "objects", [{"name": spatial["object_a"], "count": 1}, {"name": spatial["object_b"], "count": 1}]
        )
    style = (aux.get("appearance_style") or {}).get("appearance_style")
    if style:
        meta["style"] = style
    scene = (aux.get("scene") or {}).get("scene")
    if isinstance(scene, dict):
        scene = scene.get("scene")
    if isinstance(scene, str):
        meta["scene"] = scene
    camera = next((ours_ for words, ours_ in CAMERA_WORDS if words in text.lower()), None)
    if camera:
        meta["camera"] = camera
    if ours & {"id_consistency", "action_following"}:
        meta["subject"] = _subject_of(text)
        meta["has_human"] = meta["subject"]["kind"] == "human"
    if "action_following" in ours:
        match = re.search(r"\bis ([a-z][a-z ]+)$", text.lower())
        meta["action"] = match.group(1) if match else text
    if "large_motion" in ours:
        meta["motion"] = "large"
    carried = aux.get(OURS)
    if isinstance(carried, dict):  # ours, written by export_vbench: it wins over what the rules guessed
        meta.update({k: carried[k] for k in CARRIED if k in carried})
    return meta


def _our_dimensions(entry: dict) -> list[str] | None:
    """The dimensions an exported prompt had here (VBench cannot say depth relations, physics, artifacts)."""
    carried = (entry.get("auxiliary_info") or {}).get(OURS)
    dims = carried.get("dimensions") if isinstance(carried, dict) else None
    if isinstance(dims, list) and dims and all(isinstance(d, str) and d in DIMENSION_KEYS for d in dims):
        return sorted(set(dims))
    return None


def chinese_texts(entries: list, zh_lines: list[str], en_lines: list[str] | None = None) -> dict[str, str]:
    """English prompt -> Chinese prompt, from VBench's Chinese list (one prompt a line).

    VBench's ``all_dimension_cn.txt`` runs line for line with ``all_dimension.txt``; given that English
    list the two are paired by text, else line i is paired with entry i (then the counts must agree).
    """
    zh = [line.strip() for line in zh_lines]
    if en_lines is not None:
        en = [line.strip() for line in en_lines]
        if len(en) != len(zh):
            raise ValueError(f"the Chinese list has {len(zh)} lines and the English list {len(en)}; they must pair up")
    else:
        en = [e.get("prompt_en", "") if isinstance(e, dict) else "" for e in entries]
        if len(en) != len(zh):
            raise ValueError(
                f"the Chinese list has {len(zh)} lines for {len(en)} entries; give the English list it "
                "translates (VBench's prompts/all_dimension.txt) to pair them by text"
            )
    return {e: z for e, z in zip(en, zh) if e and z}


def import_vbench(
    path: str | Path, id_prefix: str = "vbench", zh: str | Path | None = None, zh_english: str | Path | None = None
) -> ImportReport:
    """Read a VBench prompt file into our schema; ``zh`` is VBench's Chinese prompt list (text_zh),
    ``zh_english`` the English list it translates line for line."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of prompt entries")
    chinese: dict[str, str] = {}
    if zh is not None:
        english = Path(zh_english).read_text(encoding="utf-8").splitlines() if zh_english else None
        chinese = chinese_texts(entries, Path(zh).read_text(encoding="utf-8").splitlines(), english)
    report = ImportReport()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("prompt_en"), str):
            report.skipped.append(f"entry {number}: no prompt_en")
            continue
        ours = _our_dimensions(entry) or sorted(
            {FROM_VBENCH[d] for d in entry.get("dimension", []) if d in FROM_VBENCH}
        )
        meta = _metadata(entry, set(ours))
        if entry["prompt_en"] in chinese:
            meta["text_zh"] = chinese[entry["prompt_en"]]
        kept = []
        for dim in ours:
            needs = REQUIRED_METADATA.get(dim, ())
            ok = all(meta.get(n) for n in needs)
            if dim == "multiple_object":
                ok = ok and sum(o["count"] for o in meta.get("objects", [])) >= 2
            if ok:
                kept.append(dim)
            else:
                report.dropped_dimensions[dim] += 1
        if not kept:
            report.skipped.append(f"entry {number}: none of {entry.get('dimension')} can be scored here")
            continue
        try:
            report.prompts.append(
                prompt_from_dict(
                    {"id": f"{id_prefix}-{number:04d}", "text": entry["prompt_en"], "dimensions": kept, **meta}
                )
            )
        except PromptFieldError as exc:
            report.skipped.append(f"entry {number}: {exc.field}: {exc}")
    return report


def export_vbench(prompts: list[Prompt]) -> tuple[list[dict], list[str]]:
    """Our prompts in VBench's layout, and the ids that have no VBench dimension (left out)."""
    entries, left_out = [], []
    reverse_relation = {v: k for k, v in RELATION_WORDS.items()}
    for prompt in prompts:
        dims = list(dict.fromkeys(d for ours in prompt.dimensions for d in TO_VBENCH.get(ours, [])))
        if not dims:
            left_out.append(prompt.id)
            continue
        aux: dict = {}
        if "object_class" in dims and prompt.objects:
            aux["object_class"] = {"object": prompt.objects[0].name}
        if "multiple_objects" in dims:
            aux["multiple_objects"] = {
                "object": " and ".join(o.name for o in prompt.objects),
                "counts": [o.count for o in prompt.objects],
            }
        if "spatial_relationship" in dims and prompt.spatial and prompt.spatial.relation not in reverse_relation:
            dims.remove("spatial_relationship")  # VBench's relations are left, right, top, bottom only
        if not dims:
            left_out.append(prompt.id)
            continue
        if "spatial_relationship" in dims and prompt.spatial:
            aux["spatial_relationship"] = {
                "spatial_relationship": {
                    "object_a": prompt.spatial.subject,
                    "object_b": prompt.spatial.object,
                    "relationship": reverse_relation[prompt.spatial.relation],
                }
            }
        if "appearance_style" in dims and prompt.style:
            aux["appearance_style"] = {"appearance_style": prompt.style}
        carried = {k: v for k, v in prompt.to_dict().items() if k in CARRIED}
        aux[OURS] = {"dimensions": list(prompt.dimensions), **carried}
        entry: dict[str, Any] = {"prompt_en": prompt.text, "dimension": dims}
        if aux:
            entry["auxiliary_info"] = aux
        entries.append(entry)
    return entries, left_out
