"""Same (model, prompt, seed): same mp4 bytes; same video: same scores, across fresh processes.

The processes import torch first (the issue saw bytes change with torch loaded) and run at the
same time, so they load each other's CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from wanbench.video import read_video, rgb_to_yuv420, write_video

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import hashlib, json, sys
from pathlib import Path
import torch
torch.randn(256, 256) @ torch.randn(256, 256)  # torch loaded and its thread pool started
from wanbench.adapters.procedural import ProceduralAdapter
from wanbench.backbones.base import FeatureCache
from wanbench.dims.registry import get_dimension
from wanbench.run.runner import build_backbones
from wanbench.prompts.suite import Prompt
from wanbench.video import read_video

out = Path(sys.argv[1])
prompt = Prompt(id="pan", text="camera pans left over a forest", dimensions=("large_motion", "camera_control"),
                camera="pan_left", scene="forest")
adapter = ProceduralAdapter(width=96, height=64, frames=13)
first = adapter.generate(prompt, 1, out / "a.mp4")
video = read_video(first)
again = adapter.generate(prompt, 1, out / "b.mp4")  # a second write of the same frames in this process
dims = [get_dimension(d) for d in ("large_motion", "pixel_stability", "camera_control")]
features = FeatureCache(video, build_backbones(dims, "dis"))
scores = {}
for dim in dims:
    try:
        scores[dim.name] = dim.score(video, prompt, features).value
    except Exception as exc:
        scores[dim.name] = type(exc).__name__
print(json.dumps({"generated": hashlib.sha256(first.read_bytes()).hexdigest(),
                  "rewritten": hashlib.sha256(again.read_bytes()).hexdigest(), "scores": scores}))
"""


def test_same_seed_same_bytes_and_same_scores_in_three_concurrent_processes(tmp_path: Path) -> None:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    procs = []
    for i in range(3):
        folder = tmp_path / f"p{i}"
        folder.mkdir()
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", CHILD, str(folder)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr[-2000:]
        outputs.append(json.loads(stdout.strip().splitlines()[-1]))
    assert len({o["generated"] for o in outputs}) == 1, outputs
    assert all(o["rewritten"] == o["generated"] for o in outputs), outputs  # first write == later writes
    assert all(o["scores"] == outputs[0]["scores"] for o in outputs), outputs
    assert all(isinstance(v, float) for k, v in outputs[0]["scores"].items() if k != "pixel_stability")


def test_our_rgb_to_yuv_conversion_round_trips_closely(tmp_path: Path) -> None:
    """The encoder's input is converted by us (exact integers), tagged BT.601 limited range."""
    rng = np.random.default_rng(0)
    flat = np.broadcast_to(np.array([200, 30, 90], np.uint8), (4, 32, 48, 3)).copy()
    yuv = rgb_to_yuv420(flat[0])
    assert yuv.shape == (48, 48) and yuv.dtype == np.uint8
    assert 16 <= yuv[:32].min() and yuv[:32].max() <= 235  # limited range luma
    back = read_video(write_video(tmp_path / "flat.mp4", flat, 8)).frames.astype(int)
    assert np.abs(back - flat).max() <= 3  # a flat colour survives conversion and x264 within 3 levels
    noise = rng.integers(0, 256, (3, 32, 48, 3), dtype=np.uint8)
    assert np.array_equal(rgb_to_yuv420(noise[0]), rgb_to_yuv420(noise[0].copy()))
