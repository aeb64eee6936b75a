"""wanbench's three flow dimensions against VBench's own dynamic_degree, on the same clips, interleaved.

VBench 0.1.5 is installed by this script from the package index into its own folder under the cache
(``pip install --no-deps --target``; it needs only ``easydict`` and ``decord`` besides the torch,
numpy and opencv already here: its other pins, e.g. transformers 4.33 and numpy<2, concern
dimensions this benchmark does not run). That folder is appended to ``sys.path`` behind the running
interpreter's packages, so both sides use the same torch and threads in one process. Random RAFT
weights are written where VBench looks (``$VBENCH_CACHE_DIR/raft_model/models/raft-things.pth``):
RAFT runs a fixed number of iterations, so its cost does not depend on its weights.

Clips: procedural videos (256x256, 33 frames, 16 fps by default) written to mp4 and read back by
each side with its own decoder. Per clip, every configuration runs once, in an order rotated clip
by clip, timed end to end (decode, flow, scoring), in wall and in CPU time (the process's, all
threads: the steadier figure on a shared machine). Also recorded: how many flow fields each
configuration computes and how many of the clip's frame intervals lie inside them (coverage).
Outside the timing, each RAFT field of the fast configuration is compared with RAFT at 20
iterations called alone on the same pair (end-point error), and RAFT and DIS are compared with the
ground truth of synthetic moves of known speed.

Usage:  python benchmarks/vbench_peer.py [--clips 8] [--configs vbench,raft,dis] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

VBENCH = "vbench==0.1.5"
VBENCH_EXTRAS = ("easydict==1.14", "decord==0.6.0")  # what importing vbench.dynamic_degree needs
CONFIGS = {
    # name: RAFTFlow / DISFlow options (None: VBench's own dynamic_degree)
    "vbench": None,
    # wanbench's defaults: 20 iterations, forward only, pairs tiling the clip, each at most 0.5 s
    # (4 pairs of 8 frames on 33 frames at 16 fps): every frame interval seen, as VBench sees them all
    "raft": {"backend": "raft"},
    "raft-3-pairs": {"backend": "raft", "span_seconds": 0.75},  # 3 pairs of 10-11 frames
    "raft-vbench-pairs": {"backend": "raft", "span_seconds": 0.125},  # VBench's own pairs: 2 frames apart
    "raft-old-defaults": {
        "backend": "raft",
        "iterations": 12,
        "max_pairs": 48,
        "span_seconds": 0.0,
        "backward": True,
        "batch": 8,
    },
    "dis": {"backend": "dis"},
}
VBENCH_FPS = 8  # dynamic_degree samples frames at about 8 fps: every round(fps / 8)-th frame


def install_vbench(cache: Path) -> Path:
    """Install VBench into ``cache/vbench-0.1.5`` once; raise RuntimeError with pip's reason on failure."""
    target = cache / VBENCH.replace("==", "-")
    if (target / "vbench" / "dynamic_degree.py").exists():
        return target
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--target",
        str(target),
        VBENCH,
        *VBENCH_EXTRAS,
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pip could not install {VBENCH}: {done.stderr.strip().splitlines()[-1:]}")
    return target


def vbench_dynamic_degree(target: Path, weights_dir: Path):
    """VBench's DynamicDegree with random RAFT-large weights written where VBench looks."""
    import torch

    os.environ["VBENCH_CACHE_DIR"] = str(weights_dir)
    sys.path.append(str(target))
    from easydict import EasyDict
    from vbench.dynamic_degree import DynamicDegree
    from vbench.third_party.RAFT.core.raft import RAFT
    from vbench.utils import CACHE_DIR

    args = EasyDict(small=False, mixed_precision=False, alternate_corr=False)
    path = Path(CACHE_DIR) / "raft_model" / "models" / "raft-things.pth"
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    torch.save(RAFT(args).state_dict(), path)
    return DynamicDegree(EasyDict(model=str(path), **args), "cpu")


def make_clips(folder: Path, count: int, size: int, frames: int, fps: float) -> list:
    from wanbench.adapters.procedural import ProceduralAdapter
    from wanbench.dims.camera import FLOW_MOTIONS
    from wanbench.prompts.suite import load_suite

    cameras = ("pan_left", "static", "zoom_in", "lift_up", "pan_right", "zoom_out", "lift_down", "static")
    prompts = [
        replace(
            p,
            camera=p.camera if p.camera in FLOW_MOTIONS else cameras[k % len(cameras)],
            dimensions=("large_motion", "pixel_stability", "camera_control"),
        )
        for k, p in enumerate(load_suite("smoke").prompts[:count])
    ]
    adapter = ProceduralAdapter(width=size, height=size, frames=frames, fps=fps)
    return [(p, adapter.generate(p, 0, folder / f"{p.id}.mp4")) for p in prompts]


def wanbench_scorer(options: dict):
    """A function (prompt, mp4) -> {dimension: value}: decode, one flow pass, the three dimensions."""
    from wanbench.backbones.base import FeatureCache
    from wanbench.backbones.flow import DISFlow, RAFTFlow
    from wanbench.dims.base import NotScorable
    from wanbench.dims.camera import CameraControl
    from wanbench.dims.flow_dims import LargeMotion, PixelStability
    from wanbench.video import read_video

    options = dict(options)
    backend = options.pop("backend")
    flow = DISFlow(**options) if backend == "dis" else RAFTFlow(**options)
    if backend == "raft":
        flow.model()  # loaded once, outside the timing, like VBench's
    dims = (LargeMotion(), PixelStability(), CameraControl())

    def score(prompt, path: Path) -> dict:
        video = read_video(path)
        cache = FeatureCache(video, {"flow": flow})
        values = {}
        for dim in dims:
            try:
                values[dim.name] = dim.score(video, prompt, cache).value
            except NotScorable:
                values[dim.name] = None
        return values

    score.flow = flow
    return score


def end_point_errors(flow, path: Path) -> list[float]:
    """Mean end-point error of each field of ``flow`` against RAFT at 20 iterations called alone on that pair."""
    import numpy as np
    import torch

    from wanbench.backbones.flow import RAFT_MIN_SIDE, working_size
    from wanbench.video import read_video

    video = read_video(path)
    field = flow.compute(video)
    h, w = working_size(video.height, video.width, flow.max_side, min_side=RAFT_MIN_SIDE)
    errors = []
    for pair, (i, j) in enumerate(zip(field.pair_index, field.ends)):
        frames = torch.from_numpy(video.frames[[i, j]]).permute(0, 3, 1, 2).float()
        frames = (
            torch.nn.functional.interpolate(frames, size=(h, w), mode="bilinear", antialias=True, align_corners=False)
            / 127.5
            - 1.0
        )
        with torch.inference_mode():
            alone = flow.model()(frames[:1], frames[1:], num_flow_updates=20)[-1][0].permute(1, 2, 0).numpy()
        errors.append(float(np.linalg.norm(field.forward[pair] - alone, axis=-1).mean()))
    return errors


def known_moves(scorers: dict, size: int) -> dict:
    """End-point error against the true flow of clips translated by a known number of pixels per frame."""
    import cv2
    import numpy as np

    from wanbench.video import Video

    rng = np.random.default_rng(0)
    canvas = np.zeros((size, size * 3, 3), np.float32)
    for cells in (8, 32):
        canvas += 0.5 * cv2.resize(
            rng.random((cells, cells * 3, 3)).astype(np.float32), (size * 3, size), interpolation=cv2.INTER_CUBIC
        )
    canvas = np.clip(canvas * 255, 0, 255).astype(np.uint8)
    out = {}
    for speed in (1.0, 3.0, 6.0):
        frames = np.stack(
            [
                cv2.warpAffine(
                    canvas,
                    np.float32([[1, 0, size - speed * t], [0, 1, 0]]),
                    (size, size),
                    flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                )
                for t in range(9)
            ]
        )
        for name, score in scorers.items():
            field = score.flow.compute(Video(frames, fps=16))
            scale = field.forward.shape[2] / size  # flow is in working-resolution pixels
            truth = np.array([speed * scale, 0.0], np.float32)
            inner = field.forward[:, 8:-8, 8:-8]  # away from the borders, where content enters the frame
            out[f"{name} {speed:g}px/frame"] = round(float(np.linalg.norm(inner - truth, axis=-1).mean()), 4)
    return out


def coverage(runners: dict, names: list[str], frames: int, fps: float = 16.0) -> dict[str, dict[str, int]]:
    """Flow fields per clip and frame intervals inside them, per configuration: VBench's pairs of
    frames ``round(fps / 8)`` apart, wanbench's pairs as its sampling places them."""
    from wanbench.backbones.flow import pair_spans, span_frames

    out = {}
    for name in names:
        if name == "vbench":
            step = max(1, round(fps / VBENCH_FPS))
            starts = list(range(0, frames - step, step))
            ends = [a + step for a in starts]
        else:
            flow = runners[name].flow
            starts, ends = pair_spans(frames, flow.max_pairs, span_frames(flow.span_seconds, fps))
        out[name] = {"fields": len(starts), "intervals": int(sum(b - a for a, b in zip(starts, ends)))}
    out["clip"] = {"intervals": frames - 1}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=8)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--frames", type=int, default=33)
    parser.add_argument("--configs", default="vbench,raft,dis", help=f"comma list of {', '.join(CONFIGS)}")
    parser.add_argument("--threads", type=int, default=None, help="torch threads for both sides (default: torch's)")
    parser.add_argument("--no-epe", action="store_true", help="skip the end-point-error checks")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wanbench" / "peer",
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = sorted(set(names) - set(CONFIGS))
    if unknown or "vbench" not in names:
        parser.error(f"--configs must include vbench; unknown: {', '.join(unknown) or 'none'}")

    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/
    from tests.tiny_backbones import install_tiny_weights

    if args.threads:
        torch.set_num_threads(args.threads)

    work = Path(tempfile.mkdtemp(prefix="vbench-peer-"))
    os.environ["WANBENCH_HOME"] = str(work / "home")
    raft_options = install_tiny_weights(work / "home", which=("raft-large",))["flow-raft"]  # full-size RAFT-large
    try:
        target = install_vbench(args.cache)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    runners = {"vbench": vbench_dynamic_degree(target, work / "vbench-cache")}
    for name in names:
        if name != "vbench":
            options = {**CONFIGS[name], **(raft_options if CONFIGS[name]["backend"] == "raft" else {})}
            runners[name] = wanbench_scorer(options)
    clips = make_clips(work / "clips", args.clips, args.size, args.frames, 16.0)

    load_before = os.getloadavg()
    seconds = {name: [] for name in names}
    cpu = {name: [] for name in names}
    values = {name: [] for name in names}
    for k, (prompt, path) in enumerate(clips):
        order = names[k % len(names) :] + names[: k % len(names)]
        for name in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            value = runners[name].infer(str(path)) if name == "vbench" else runners[name](prompt, path)
            seconds[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)  # every thread of this process
            values[name].append(value)
        print(
            f"clip {k + 1}/{len(clips)} {prompt.id}: "
            + ", ".join(f"{n} {seconds[n][-1]:.2f}s ({cpu[n][-1]:.2f}s cpu)" for n in names),
            flush=True,
        )
    load_after = os.getloadavg()

    mean = {n: sum(s) / len(s) for n, s in seconds.items()}
    mean_cpu = {n: sum(s) / len(s) for n, s in cpu.items()}
    result = {
        "clips": len(clips),
        "size": f"{args.size}x{args.size}",
        "frames": args.frames,
        "fps": 16,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_1min_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "intervals_seen": coverage(runners, names, args.frames),
        "seconds_per_clip": {n: round(v, 3) for n, v in mean.items()},
        "cpu_seconds_per_clip": {n: round(v, 3) for n, v in mean_cpu.items()},
        "ratio_to_vbench": {n: round(v / mean["vbench"], 3) for n, v in mean.items()},
        "cpu_ratio_to_vbench": {n: round(v / mean_cpu["vbench"], 3) for n, v in mean_cpu.items()},
        "ratio_to_vbench_per_clip": {
            n: [round(a / b, 3) for a, b in zip(seconds[n], seconds["vbench"])] for n in names
        },
        "cpu_ratio_to_vbench_per_clip": {n: [round(a / b, 3) for a, b in zip(cpu[n], cpu["vbench"])] for n in names},
        "backends": {n: runners[n].flow.backend() for n in names if n != "vbench"},
        "vbench_moving": values["vbench"],
        "wanbench_values": {n: values[n] for n in names if n != "vbench"},
    }
    if not args.no_epe:
        for name in names:
            if name != "vbench" and CONFIGS[name]["backend"] == "raft":
                errors = [e for _, path in clips for e in end_point_errors(runners[name].flow, path)]
                result[f"epe_vs_raft20_alone_{name}"] = {
                    "pairs": len(errors),
                    "max": max(errors),
                    "mean": sum(errors) / len(errors),
                }
        result["epe_vs_known_moves"] = known_moves({n: runners[n] for n in names if n != "vbench"}, args.size)
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
