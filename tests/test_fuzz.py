"""Seeded fuzzing (hypothesis is not a dependency): hostile suite lines and damaged video containers
never raise anything but the documented one-line errors. Counts are asserted so the cases really ran."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import numpy as np

from tests.conftest import pan_clip
from wanbench.prompts.suite import parse_suite
from wanbench.video import DecodeLimits, VideoError, read_video, write_video

SEED = 20261202
VALID = {
    "id": "p0",
    "text": "a dog running",
    "dimensions": ["large_motion", "camera_control"],
    "camera": "pan_left",
    "subject": {"name": "dog", "kind": "animal"},
    "objects": [{"name": "ball", "count": 2}],
    "spatial": {"subject": "dog", "relation": "left_of", "object": "ball"},
    "has_human": False,
}
ODD_VALUES = [
    None,
    True,
    0,
    -1,
    2**70,
    1e308,
    float("nan"),
    "",
    " ",
    "\x00",
    "../../etc",
    "a" * 5000,
    [],
    {},
    [None],
    {"name": None},
    "☃" * 3,
    "\ud800",
    "line\nbreak",
    "pan_left",
    ["large_motion"] * 50,
]


def odd(rng: random.Random):
    """A fresh copy: mutating a shared list or dict would make later cases depend on earlier ones."""
    return copy.deepcopy(rng.choice(ODD_VALUES))


def mutate_line(rng: random.Random) -> str:
    data = json.loads(json.dumps(VALID))
    for _ in range(rng.randint(1, 4)):
        if not isinstance(data, dict):
            break
        kind = rng.random()
        if kind < 0.4:
            data[rng.choice(list(data) + ["unknown", "id", "text"])] = odd(rng)
        elif kind < 0.6 and data:
            data.pop(rng.choice(list(data)))
        elif kind < 0.8:
            nested = data.get("subject") if isinstance(data.get("subject"), dict) else data
            nested[rng.choice(["name", "kind", "count"])] = odd(rng)
        else:
            data = copy.deepcopy(rng.choice(ODD_VALUES + [data]))
    try:
        line = json.dumps(data, allow_nan=True)
    except (ValueError, UnicodeEncodeError):
        line = repr(data)
    if rng.random() < 0.3:  # damage the text itself
        chars = list(line)
        for _ in range(rng.randint(1, 5)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice('{}[]",:\\\x00\ufeff\u2028é 0'))
        line = "".join(chars)
    return line


def test_hostile_suite_lines_become_problems_never_tracebacks() -> None:
    rng = random.Random(SEED)
    cases = problems = 0
    for _ in range(300):
        lines = [mutate_line(rng) + "\n" for _ in range(rng.randint(1, 4))]
        suite = parse_suite(lines, name="fuzz")  # must not raise
        cases += len(lines)
        problems += len(suite.problems)
        for problem in suite.problems:
            assert str(problem).startswith(f"line {problem.line}")
        for prompt in suite.prompts:
            assert prompt.id and "/" not in prompt.id and prompt.text
    assert cases >= 300 and 0 < problems < cases


def damage(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:  # truncate
        return bytes(buf[: rng.randrange(1, len(buf))])
    if kind == 1:  # flip bytes anywhere
        for _ in range(rng.randint(1, 40)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return bytes(buf)
    if kind == 2:  # damage the header only (the ftyp/moov boxes sit at the front)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(min(len(buf), 256))] = rng.randrange(256)
        return bytes(buf)
    if kind == 3:  # splice in random bytes
        at = rng.randrange(len(buf))
        return bytes(buf[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))) + buf[at:])
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))  # pure noise


def test_damaged_video_containers_decode_or_fail_with_one_line(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    sources = [write_video(tmp_path / "a.mp4", pan_clip(3.0, frames=8, height=48, width=64), 8.0).read_bytes()]
    limits = DecodeLimits(max_frames=64, max_decoded_bytes=64 << 20)
    outcomes = {"decoded": 0, "error": 0}
    for case in range(200):
        path = tmp_path / f"case{case % 4}.mp4"
        path.write_bytes(damage(rng.choice(sources), rng))
        try:
            video = read_video(path, limits=limits)
        except VideoError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(str(path)), str(exc)
            outcomes["error"] += 1
            continue
        assert video.frames.dtype == np.uint8 and video.frames.ndim == 4 and video.num_frames >= 2
        outcomes["decoded"] += 1
    assert sum(outcomes.values()) == 200 and outcomes["error"] > 0
