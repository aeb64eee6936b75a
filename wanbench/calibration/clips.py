"""Procedural clips whose answers are known, for the judge's checks: drawn here, nothing to download."""

from __future__ import annotations

from wanbench.adapters.procedural import RenderConfig, render
from wanbench.dims.judge_dims import questions
from wanbench.prompts.suite import prompt_from_dict
from wanbench.video import Video

CLIP_CONFIG = RenderConfig(width=256, height=192, frames=17, fps=8.0)
COUNTS = (1, 2, 3, 4)
OBJECT = "red ball"

# camera move -> the question that names it (each clip is asked every question: one Yes, the rest No)
CAMERA_QUESTIONS = {
    "static": "Does the camera stay still, without panning, tilting or zooming?",
    "pan_left": "Does the camera pan to the left?",
    "pan_right": "Does the camera pan to the right?",
    "zoom_in": "Does the camera zoom in?",
}


def _video(data: dict, seed: int = 0) -> Video:
    prompt = prompt_from_dict({"id": data["id"], "text": data["text"], "dimensions": ["large_motion"], **data})
    return Video(render(prompt, seed, CLIP_CONFIG), fps=CLIP_CONFIG.fps)


def count_clips() -> list[tuple[int, Video, str]]:
    """(true count, clip of that many still objects, the Multiple Object count question)."""
    (item,) = questions("multiple_object", name=OBJECT)
    return [
        (
            n,
            _video({"id": f"count-{n}", "text": f"{n} {OBJECT}s", "objects": [{"name": OBJECT, "count": n}]}),
            item.text,
        )
        for n in COUNTS
    ]


def camera_clips() -> list[tuple[Video, list[tuple[str, bool]]]]:
    """(clip shot with one camera move, every camera question with whether its answer is Yes)."""
    found = []
    for move in CAMERA_QUESTIONS:
        camera = None if move == "static" else move
        # objects in the scene, so the move shows as everything drifting one way (or growing)
        data = {
            "id": f"camera-{move}",
            "text": f"three trees and a house, {move}",
            "objects": [{"name": "tree", "count": 3}, {"name": "house", "count": 1}],
            "camera": camera,
        }
        video = _video({k: v for k, v in data.items() if v is not None})
        found.append((video, [(q, other == move) for other, q in CAMERA_QUESTIONS.items()]))
    return found
