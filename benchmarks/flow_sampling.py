"""The fast flow sampling against all consecutive pairs: do the three flow dimensions keep their values?

Two samplings of the same flow backend (OpenCV DIS, forward only, as RAFT's defaults run; DIS is
real and needs no weights, while RAFT has only random weights on this machine):
- fast: RAFTFlow's default sampling, pairs that tile the clip with spans of at most
  ``span_seconds`` (0.5 s: 4 pairs of 8 frames on a 33-frame 16 fps clip);
- all: every consecutive pair (i, i+1).

Clips (33 frames, 16 fps, SIZE x SIZE): scikit-image photos seen by a camera that pans, lifts or zooms
at three speeds; bursts of camera motion at several places in an otherwise still clip; a static
camera with an object crossing the frame; procedural smoke-suite clips. Per dimension: Spearman's
rho between the two samplings and the largest |difference|, per family and over all clips.

Usage:  python benchmarks/flow_sampling.py [--size 128] [--span SECONDS] [--json out.json]
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

FRAMES, FPS = 33, 16.0
SPEEDS = {"pan": (0.5, 1.5, 3.0), "zoom": (0.005, 0.015, 0.03)}  # px per frame at SIZE=128; scale per frame
BURSTS = ((3, 9), (12, 20), (14, 18), (25, 32))


def clips(size: int) -> list[tuple[str, str, object]]:
    """(family, camera asked, frames) for every clip of the comparison."""
    from tests.flow_clips import PHOTOS, camera_clip, with_crossing_object

    out = []
    scale = size / 128
    for name in PHOTOS:
        for move in ("pan_left", "pan_right", "lift_up", "lift_down", "zoom_in", "zoom_out"):
            zoom = move.startswith("zoom")
            for pace, speed in zip(("slow", "medium", "fast"), SPEEDS["zoom" if zoom else "pan"]):
                out.append(
                    (f"camera, {pace}", move, camera_clip(name, move, speed if zoom else speed * scale, FRAMES, size))
                )
    for name in PHOTOS[:2]:
        for move, speed in (("pan_left", 3.0 * scale), ("lift_down", 3.0 * scale), ("zoom_out", 0.03)):
            for burst in BURSTS:
                out.append(("burst", move, camera_clip(name, move, speed, FRAMES, size, burst=burst)))
    for k, name in enumerate(PHOTOS):
        for side in (0.3, 0.15):
            still = camera_clip(name, "static", 0.0, FRAMES, size)
            out.append(
                ("static camera, crossing object", "static", with_crossing_object(still, PHOTOS[(k + 1) % 4], side))
            )
    return out + procedural(size)


def procedural(size: int) -> list[tuple[str, str, object]]:
    from wanbench.adapters.procedural import RenderConfig, render
    from wanbench.dims.camera import FLOW_MOTIONS
    from wanbench.prompts.suite import load_suite

    cameras = ("pan_left", "static", "zoom_in", "lift_up", "pan_right", "zoom_out", "lift_down", "static")
    config = RenderConfig(width=size, height=size, frames=FRAMES, fps=FPS)
    out = []
    for k, prompt in enumerate(load_suite("smoke").prompts[:16]):
        prompt = replace(prompt, camera=prompt.camera if prompt.camera in FLOW_MOTIONS else cameras[k % len(cameras)])
        out.append(("procedural", prompt.camera, render(prompt, 0, config)))
    return out


def scores(frames, camera: str, flow) -> dict[str, float | None]:
    from wanbench.backbones.base import FeatureCache
    from wanbench.dims.base import NotScorable
    from wanbench.dims.camera import CameraControl
    from wanbench.dims.flow_dims import LargeMotion, PixelStability
    from wanbench.prompts.suite import prompt_from_dict
    from wanbench.video import Video

    prompt = prompt_from_dict({"id": "p", "text": "t", "dimensions": ["camera_control"], "camera": camera})
    cache = FeatureCache(Video(frames, fps=FPS), {"flow": flow})
    out: dict[str, float | None] = {}
    for dim in (LargeMotion(), PixelStability(), CameraControl()):
        try:
            out[dim.name] = dim.score(cache.video, prompt, cache).value
        except NotScorable:
            out[dim.name] = None
    return out


def compare(a: list, b: list) -> dict:
    from scipy.stats import spearmanr

    both = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    out: dict = {
        "clips": len(a),
        "scored_by_both": len(both),
        "not_applicable_disagree": sum((x is None) != (y is None) for x, y in zip(a, b)),
    }
    if both:
        xs, ys = zip(*both)
        out["max_abs_difference"] = round(max(abs(x - y) for x, y in both), 4)
        out["mean_abs_difference"] = round(sum(abs(x - y) for x, y in both) / len(both), 4)
        rho = spearmanr(xs, ys).statistic if len(set(xs)) > 1 and len(set(ys)) > 1 else None
        out["spearman"] = None if rho is None else round(float(rho), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--span", type=float, default=None, help="seconds per pair (default: RAFTFlow's default)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/
    from wanbench.backbones.flow import DISFlow, RAFTFlow

    span = inspect.signature(RAFTFlow).parameters["span_seconds"].default if args.span is None else args.span
    samplings = {
        "fast": DISFlow(backward=False, span_seconds=span),
        "all": DISFlow(backward=False, max_pairs=10_000, span_seconds=0.0),
    }
    began = time.process_time()
    rows = []
    for family, camera, frames in clips(args.size):
        rows.append(
            {"family": family, "camera": camera, **{n: scores(frames, camera, f) for n, f in samplings.items()}}
        )
    dims = ("large_motion", "pixel_stability", "camera_control")
    families = sorted({r["family"] for r in rows})
    result = {
        "settings": {
            "size": args.size,
            "frames": FRAMES,
            "fps": FPS,
            "flow": {n: f.backend() for n, f in samplings.items()},
        },
        "clips": len(rows),
        "families": {f: sum(r["family"] == f for r in rows) for f in families},
        "all_clips": {d: compare([r["fast"][d] for r in rows], [r["all"][d] for r in rows]) for d in dims},
        "by_family": {
            f: {
                d: compare(
                    [r["fast"][d] for r in rows if r["family"] == f], [r["all"][d] for r in rows if r["family"] == f]
                )
                for d in dims
            }
            for f in families
        },
        "cpu_seconds": round(time.process_time() - began, 1),
        "rows": rows,
    }
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
