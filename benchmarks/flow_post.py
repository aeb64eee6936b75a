"""DIS flow vs the post-processing of the three flow dimensions, per clip, on procedural clips.

Flow: DISFlow.compute (decoded frames to forward and backward fields). Post-processing: everything
the three dimensions do with the fields (tracking masks, static masks, magnitudes, the camera fit,
the scores), timed on a fresh FlowField per clip so nothing is cached between them.
Usage:  python benchmarks/flow_post.py [--clips 8] [--size 256] [--frames 33] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=8)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--frames", type=int, default=33)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from wanbench.adapters.procedural import RenderConfig, render
    from wanbench.backbones.base import FeatureCache
    from wanbench.backbones.flow import DISFlow
    from wanbench.dims.base import NotScorable
    from wanbench.dims.camera import CameraControl
    from wanbench.dims.flow_dims import LargeMotion, PixelStability
    from wanbench.prompts.suite import load_suite
    from wanbench.video import Video

    cfg = RenderConfig(width=args.size, height=args.size, frames=args.frames, fps=16)
    cameras = ("pan_left", "static", "zoom_in", "lift_up", "pan_right", "zoom_out", "lift_down", "static")
    prompts = [
        replace(p, camera=cameras[k % len(cameras)]) for k, p in enumerate(load_suite("smoke").prompts[: args.clips])
    ]
    dims = (LargeMotion(), PixelStability(), CameraControl())
    flow = DISFlow()
    rows = []
    for k, prompt in enumerate(prompts):
        video = Video(render(prompt, k, cfg), fps=cfg.fps)
        start = time.perf_counter()
        field = flow.compute(video)
        flow_seconds = time.perf_counter() - start
        cache = FeatureCache(video, {"flow": flow})
        cache._values["flow"] = field  # the field just timed: post-processing alone from here
        start = time.perf_counter()
        for dim in dims:
            try:
                dim.score(video, prompt, cache)
            except NotScorable:
                pass
        rows.append((flow_seconds, time.perf_counter() - start))
        print(f"clip {k + 1}: flow {rows[-1][0]:.3f}s post {rows[-1][1]:.3f}s", flush=True)
    flow_mean = sum(r[0] for r in rows) / len(rows)
    post_mean = sum(r[1] for r in rows) / len(rows)
    result = {
        "clips": len(rows),
        "size": args.size,
        "frames": args.frames,
        "pairs": int(len(field.pair_index)),
        "dis_flow_seconds_per_clip": round(flow_mean, 4),
        "post_seconds_per_clip": round(post_mean, 4),
        "post_over_flow": round(post_mean / flow_mean, 3),
        "post_over_flow_per_clip": [round(p / f, 3) for f, p in rows],
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
