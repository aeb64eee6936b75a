"""Interoperability with VBench's prompt file (``VBench_full_info.json``).

VBench lists prompts as ``{"prompt_en", "dimension": [...], "auxiliary_info": {dim: {...}}}``.
Import maps its dimensions onto ours and recovers the metadata our dimensions need from the
auxiliary info (objects, spatial relation, style) or, failing that, from plain keyword rules; a
dimension whose metadata cannot be recovered is dropped from that prompt and counted. Export
writes ours in VBench's layout, with the auxiliary info VBench's own scorers read.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wanbench.prompts.suite import REQUIRED_METADATA, Prompt, PromptFieldError, prompt_from_dict

# VBench dimension -> ours
FROM_VBENCH = {
    "subject_consistency": "id_consistency",
    "background_consistency": "scene_quality",
    "temporal_flickering": "pixel_stability",
    "motion_smoothness": "smoothness",
    "dynamic_degree": "large_motion",
    "aesthetic_quality": "image_quality",
    "imaging_quality": "image_quality",
    "object_class": "single_object",
    "multiple_objects": "multiple_object",
    "human_action": "action_following",
    "spatial_relationship": "spatial_position",
    "scene": "scene_quality",
    "appearance_style": "stylization",
    "temporal_style": "camera_control",
}
# ours -> VBench (human_artifacts and physical_plausibility have no VBench counterpart)
TO_VBENCH = {
    "id_consistency": ["subject_consistency"],
    "scene_quality": ["background_consistency"],
    "pixel_stability": ["temporal_flickering"],
    "smoothness": ["motion_smoothness"],
    "large_motion": ["dynamic_degree"],
    "image_quality": ["aesthetic_quality", "imaging_quality"],
    "single_object": ["object_class"],
    "multiple_object": ["multiple_objects"],
    "action_following": ["human_action"],
    "spatial_position": ["spatial_relationship"],
    "stylization": ["appearance_style"],
    "camera_control": ["temporal_style"],
}
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
HUMAN_WORDS = {"person", "man", "woman", "boy", "girl", "child", "people", "baby", "lady", "player"}
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
}


@dataclass
class ImportReport:
    prompts: list[Prompt] = field(default_factory=list)
    dropped_dimensions: Counter = field(default_factory=Counter)  # ours, for want of metadata
    skipped: list[str] = field(default_factory=list)  # entries with nothing we can score


def _subject_of(text: str) -> dict:
    words = re.findall(r"[a-z]+", text.lower())
    kind = "human" if HUMAN_WORDS & set(words) else "animal" if ANIMAL_WORDS & set(words) else "object"
    noun = next((w for w in words if w in HUMAN_WORDS | ANIMAL_WORDS), text)
    return {"name": noun, "kind": kind}


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
    return meta


def import_vbench(path: str | Path, id_prefix: str = "vbench") -> ImportReport:
    """Read a VBench prompt file into our schema."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of prompt entries")
    report = ImportReport()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("prompt_en"), str):
            report.skipped.append(f"entry {number}: no prompt_en")
            continue
        ours = sorted({FROM_VBENCH[d] for d in entry.get("dimension", []) if d in FROM_VBENCH})
        meta = _metadata(entry, set(ours))
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
        entry: dict[str, Any] = {"prompt_en": prompt.text, "dimension": dims}
        if aux:
            entry["auxiliary_info"] = aux
        entries.append(entry)
    return entries, left_out
