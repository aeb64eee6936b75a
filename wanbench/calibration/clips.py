"""Procedural clips whose answers are known, for the judge's checks: drawn here, nothing to download."""

from __future__ import annotations

from wanbench.adapters.procedural import RenderConfig, render
from wanbench.dims.judge_dims import questions
from wanbench.prompts.suite import prompt_from_dict
from wanbench.video import Video

CLIP_CONFIG = RenderConfig(width=256, height=192, frames=17, fps=8.0)
COUNTS = (1, 2, 3, 4)
OBJECT = "red ball"

# shots with known camera behaviour: a tracking shot, a pan over still objects, and a still camera with
# and without a moving subject. Each is asked Camera Control's own tracking question and whether the
# camera moves at all (pan directions are left to the flow, which reads them; docs/dimensions.md).
_CAR = {"subject": {"name": "red car", "kind": "object"}, "action": "drive", "scene": "street"}
_OBJECTS = {"objects": [{"name": "tree", "count": 3}, {"name": "house", "count": 1}], "scene": "forest"}
CAMERA_SHOTS: dict[str, tuple[dict, bool, bool]] = {  # shot -> (prompt fields, tracking?, camera moves?)
    "tracking": ({"text": "a tracking shot following a red car", "camera": "tracking", **_CAR}, True, True),
    "pan": ({"text": "the camera pans left over trees and a house", "camera": "pan_left", **_OBJECTS}, False, True),
    "still-car": ({"text": "a red car drives past a still camera", "camera": "static", **_CAR}, False, False),
    "still": ({"text": "trees and a house, still camera", "camera": "static", **_OBJECTS}, False, False),
}
MOVE_QUESTION = "Does the camera move during this clip, for example by panning, tilting, zooming or travelling?"


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
    """(clip of one shot, [(question, whether its answer is Yes)]): the tracking question of Camera
    Control's judge half, and whether the camera moves."""
    (tracking,) = [item.text for item in questions("camera_control") if item.name == "tracking"]
    return [
        (_video({"id": f"camera-{shot}", **fields}), [(tracking, follows), (MOVE_QUESTION, moves)])
        for shot, (fields, follows, moves) in CAMERA_SHOTS.items()
    ]
