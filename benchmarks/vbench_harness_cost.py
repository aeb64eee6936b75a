"""Cost per video of VBench's dimensions run through wanbench's harness against VBench's own evaluate().

Both sides run VBench 0.1.5's code in VBench's environment (.venv-vbench): the harness through
``wanbench.vbench.runner.score_vbench`` (a worker process, one ``compute_<dimension>`` call per
dimension for all clips, rows written to the store), VBench through ``VBench(...).evaluate(...,
mode='custom_input')`` in a fresh process. Each repetition runs both, in alternating order, on the
same clips (procedural, written to mp4), with random-weight RAFT and AMT-S of VBench's own classes
planted where VBench looks (cost does not depend on weights: fixed iteration counts). Timed end to end
per side: process start, imports, model loading, decoding, inference, writing results; CPU time is
the children's user+system time. Outside the timing, the script times one cv2 decode per clip as
VBench's three dimensions each do, to size what sharing decoded frames could save.

Usage:  python benchmarks/vbench_harness_cost.py [--clips 4] [--size 128] [--frames 17] [--repeats 2]
        [--dims temporal_flickering,dynamic_degree,motion_smoothness] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EVALUATE = r"""
import sys, torch
torch.set_num_threads(int(sys.argv[4]))
from vbench import VBench
VBench("cpu", "", sys.argv[2]).evaluate(videos_path=sys.argv[1], name="peer", dimension_list=sys.argv[3].split(","),
                                        local=True, mode="custom_input")
"""
HARNESS = r"""
import sys
from pathlib import Path
from wanbench.vbench.runner import VBenchRunConfig, score_vbench
summary = score_vbench(VBenchRunConfig(videos=Path(sys.argv[1]), out=Path(sys.argv[2]), mode="custom",
                       dimensions=tuple(sys.argv[3].split(",")), threads=int(sys.argv[4]), chunk=10**6))
assert summary.statuses.get("ok", 0) > 0 and set(summary.statuses) == {"ok"}, summary.statuses
"""
DECODE = r"""
import sys, time, cv2
seconds = []
for path in sys.argv[1:]:
    start = time.perf_counter()
    video = cv2.VideoCapture(path)
    while video.read()[0]:
        pass
    video.release()
    seconds.append(time.perf_counter() - start)
print(sum(seconds) / len(seconds))
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and children's CPU seconds of one subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command[:3])}...\n{done.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--frames", type=int, default=17)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dims", default="temporal_flickering,dynamic_degree,motion_smoothness")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from tests.vbench_helpers import moving_clip, plant_checkpoints
    from wanbench.vbench.environment import worker_python
    from wanbench.video import write_video

    python = worker_python()
    work = Path(tempfile.mkdtemp(prefix="vbench-cost-"))
    home = work / "home"
    cache = home / "weights" / "vbench"
    plant_checkpoints(python, cache)
    clips = work / "clips"
    clips.mkdir()
    paths = []
    for k in range(args.clips):
        path = clips / f"a procedural clip number {k}-0.mp4"
        write_video(path, moving_clip(k, frames=args.frames, size=args.size, speed=float(k % 3) * 2), fps=16)
        paths.append(path)

    env = dict(os.environ, WANBENCH_HOME=str(home), VBENCH_CACHE_DIR=str(cache), PYTHONPATH=str(ROOT))
    vbench_env = {k: v for k, v in env.items() if k != "PYTHONPATH"}
    results: dict[str, list[tuple[float, float]]] = {"harness": [], "vbench_evaluate": []}
    load_before = os.getloadavg()[0]
    for repeat in range(args.repeats):
        order = ["harness", "vbench_evaluate"] if repeat % 2 == 0 else ["vbench_evaluate", "harness"]
        for side in order:
            out = work / f"{side}-{repeat}"
            if side == "harness":
                command = [sys.executable, "-c", HARNESS, str(clips), str(out), args.dims, str(args.threads)]
                results[side].append(timed(command, env))
            else:
                command = [str(python), "-c", EVALUATE, str(clips), str(out), args.dims, str(args.threads)]
                results[side].append(timed(command, vbench_env))
            print(f"repeat {repeat + 1} {side}: {results[side][-1][0]:.2f}s wall", flush=True)
    load_after = os.getloadavg()[0]
    decode = subprocess.run(
        [str(python), "-c", DECODE, *map(str, paths)], capture_output=True, text=True, env=vbench_env
    )
    decode_seconds = float(decode.stdout.strip().splitlines()[-1])
    dims = args.dims.split(",")
    per_video = {
        side: {
            "wall_s": round(sum(w for w, _ in runs) / len(runs) / args.clips, 3),
            "cpu_s": round(sum(c for _, c in runs) / len(runs) / args.clips, 3),
        }
        for side, runs in results.items()
    }
    result = {
        "clips": args.clips,
        "size": f"{args.size}x{args.size}",
        "frames": args.frames,
        "fps": 16,
        "dimensions": dims,
        "repeats": args.repeats,
        "threads": args.threads,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_1min_before_after": [round(load_before, 2), round(load_after, 2)],
        "per_video": per_video,
        "harness_over_vbench_wall": round(per_video["harness"]["wall_s"] / per_video["vbench_evaluate"]["wall_s"], 3),
        "harness_over_vbench_cpu": round(per_video["harness"]["cpu_s"] / per_video["vbench_evaluate"]["cpu_s"], 3),
        "runs_wall_cpu_s": {side: [[round(w, 2), round(c, 2)] for w, c in runs] for side, runs in results.items()},
        "cv2_decode_s_per_video": round(decode_seconds, 4),
        "decodes_per_video": len(dims),
        "sharing_decode_would_save_s_per_video": round(decode_seconds * (len(dims) - 1), 4),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
