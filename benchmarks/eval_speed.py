"""wanbench's own scoring paths against each other (not against VBench: benchmarks/vbench_peer.py is that).

--mode shared: shared-feature scoring vs wanbench run once per dimension. Shared: each video is
decoded once and each backbone runs once per video; flow serves three dimensions, CLIP two. Per
dimension: every dimension decodes the video itself and runs its own freshly built backbones, as a
per-dimension script would. Both score the same videos on the six vision dimensions and must
produce the same values. Also printed: our wall time over the sum of
pure model forward times (hooks on the models), i.e. the overhead of everything that is not a
model forward: decoding, resizing, bookkeeping, the store.

--mode overlap: the whole procedural smoke suite end to end (generate, decode, every dimension),
sequential (prefetch 0) vs overlapped (decode and flow of the next video while one scores), the
latter also with torch and OpenCV held to one thread each (so the two threads do not fight over two
cores), in videos per minute, with a check that every run wrote the same rows.

Real weights are used where present under WANBENCH_HOME; otherwise tiny random stand-ins of the
exact architectures are installed in a temp folder (RAFT-large keeps its full size: it is the
real cost). Usage:  python benchmarks/eval_speed.py [--mode shared|overlap] [--videos 4] [--pairs N]
[--flow raft|dis] [--rounds 2] [--json out.json]
Published runs: --json reports/benchmarks/eval_speed_cpu.json (reports/benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

DIMS = ("large_motion", "pixel_stability", "camera_control", "id_consistency", "scene_quality", "image_quality")


class ForwardTimer:
    """Sums the wall time of forward passes of the given modules (outermost calls only)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._depth = 0
        self._start = 0.0

    def attach(self, module) -> None:
        module.register_forward_pre_hook(self._pre)
        module.register_forward_hook(self._post)

    def _pre(self, *_):
        if self._depth == 0:
            self._start = time.perf_counter()
        self._depth += 1

    def _post(self, *_):
        self._depth -= 1
        if self._depth == 0:
            self.seconds += time.perf_counter() - self._start


def model_modules(backbone) -> list:
    """The torch modules doing the work inside a loaded backbone (none when it cannot run here: the
    judge half of camera control only runs for aerial and tracking prompts, which this run has not)."""
    from wanbench.backbones.base import BackboneUnavailable

    try:
        backbone.backend()  # loads it
    except BackboneUnavailable:
        return []
    return backbone.torch_modules()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=None, help="cap on flow pairs per video (default: RAFT's)")
    parser.add_argument("--mode", choices=("shared", "overlap"), default="shared")
    from wanbench.benchmark.flow_settings import FLOW_METHODS

    parser.add_argument("--flow", choices=tuple(m.choice for m in FLOW_METHODS), default="raft")
    parser.add_argument("--rounds", type=int, default=2, help="overlap mode: rounds of every mode")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from wanbench.model_weights import weights_status

    work = Path(tempfile.mkdtemp(prefix="eval-speed-"))
    real = all(
        weights_status(n).state in ("present", "unverified")
        for n in ("raft-large", "dino-vitb16", "clip-vit-l-14", "laion-aesthetic", "musiq-koniq", "maniqa-koniq")
    )
    options: dict = {}
    if not real:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/
        from tests.tiny_backbones import install_tiny_weights

        os.environ["WANBENCH_HOME"] = str(work / "home")
        options = install_tiny_weights(work / "home")
    if args.pairs is not None:
        options.setdefault("flow-raft", {})["max_pairs"] = args.pairs
    if args.mode == "overlap":
        result = overlap_speed(
            work, options, args.flow, "real" if real else "tiny random stand-ins (RAFT-large full size)", args.rounds
        )
        print(json.dumps(result, indent=1))
        if args.json:
            args.json.write_text(json.dumps(result, indent=1) + "\n")
        return

    from wanbench.adapters.procedural import ProceduralAdapter
    from wanbench.backbones.base import FeatureCache
    from wanbench.dims.registry import get_dimension
    from wanbench.prompts.suite import load_suite
    from wanbench.run.runner import EvalConfig, Evaluator, build_backbones
    from wanbench.video import read_video

    suite = load_suite("smoke")
    # every video is scored on all six dimensions: that is where sharing pays (and how a full run looks)
    prompts = [replace(p, dimensions=DIMS, camera=p.camera or "static") for p in suite.prompts[: args.videos]]
    folder = work / "videos"
    adapter = ProceduralAdapter()
    for prompt in prompts:
        adapter.generate(prompt, 0, folder / f"{prompt.id}.mp4")
    dims = [get_dimension(n) for n in DIMS]
    timer = ForwardTimer()

    # --- shared: the real runner over the folder of videos -------------------------------------
    config = EvalConfig(
        model="folder",
        suite="smoke",
        out=work / "run",
        dimensions=DIMS,
        flow=args.flow,
        model_options={"videos": folder},
        backbone_options=options,
    )
    evaluator = Evaluator(config)
    for backbone in evaluator.backbones.values():
        for module in model_modules(backbone):
            timer.attach(module)
    from wanbench.prompts.suite import Suite

    subset = Suite(name=suite.name, path=suite.path, prompts=prompts, problems=[], sha256=suite.sha256)
    start, start_cpu = time.perf_counter(), time.process_time()
    summary = evaluator.run_suite(subset)
    shared_seconds, shared_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    forward_seconds = timer.seconds

    # --- naive: every dimension decodes and runs its own freshly built backbones ----------------
    start, start_cpu = time.perf_counter(), time.process_time()
    naive_values = {}
    for prompt in prompts:
        for dim in dims:
            if not dim.applies_to(prompt):
                continue
            video = read_video(folder / f"{prompt.id}.mp4")
            backbones = build_backbones([dim], args.flow, options)
            try:
                naive_values[(prompt.id, dim.name)] = dim.score(video, prompt, FeatureCache(video, backbones)).value
            except Exception as exc:  # the same errors as the shared run (e.g. no static region)
                naive_values[(prompt.id, dim.name)] = type(exc).__name__
    naive_seconds, naive_cpu = time.perf_counter() - start, time.process_time() - start_cpu

    from wanbench.run.store import ResultStore

    with ResultStore(work / "run" / "results.sqlite") as store:
        shared_values = {(r["prompt_id"], r["dimension"]): r["value"] for r in store.results() if r["status"] == "ok"}
    same = all(abs(shared_values[k] - v) < 1e-6 for k, v in naive_values.items() if k in shared_values)

    videos = len(prompts)
    result = {
        "weights": "real" if real else "tiny random stand-ins (RAFT-large full size)",
        "videos": videos,
        "dimensions": list(DIMS),
        "flow_pairs_per_video": args.pairs or "RAFT default: pairs of up to 0.5 s tiling the clip (4 on 33 frames)",
        "scores": summary.ok,
        "shared_videos_per_minute": round(60 * videos / shared_seconds, 2),
        "per_dimension_videos_per_minute": round(60 * videos / naive_seconds, 2),
        "speedup_shared_over_per_dimension": round(naive_seconds / shared_seconds, 2),
        "cpu_speedup_shared_over_per_dimension": round(naive_cpu / shared_cpu, 2),
        "shared_cpu_seconds": round(shared_cpu, 2),
        "per_dimension_cpu_seconds": round(naive_cpu, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "shared_seconds": round(shared_seconds, 2),
        "per_dimension_seconds": round(naive_seconds, 2),
        "flow": args.flow,
        "model_forward_seconds": round(forward_seconds, 2),
        "overhead_wall_over_forward": round(shared_seconds / forward_seconds, 3),
        "same_values": same,
        "device": "cuda" if __import__("torch").cuda.is_available() else "cpu",
        "threads": __import__("torch").get_num_threads(),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


OVERLAP_MODES = {
    # label: (prefetch, torch and OpenCV threads; None: leave the defaults)
    "sequential": (0, None),
    "overlapped": (1, None),
    "sequential_one_thread": (0, 1),
    "overlapped_split": (1, 1),  # one core each: scoring's torch in one thread, decode + flow in the other
}


def with_threads(threads: int | None):
    """Set torch's and OpenCV's thread counts for one run; returns a function restoring them."""
    import cv2
    import torch

    before = (torch.get_num_threads(), cv2.getNumThreads())
    if threads is not None:
        torch.set_num_threads(threads)
        cv2.setNumThreads(threads)

    def restore() -> None:
        torch.set_num_threads(before[0])
        cv2.setNumThreads(before[1])

    return restore


def overlap_speed(work: Path, options: dict, flow: str, weights: str, rounds: int = 2) -> dict:
    """The smoke suite end to end: a discarded warm-up run (imports, first calls), then every mode of
    OVERLAP_MODES in turn, ``rounds`` times, the order rotated each round, so drifting load and warm
    caches favour none. Rows must agree (values to 1e-6: one thread sums in another order than two)."""
    import torch

    from wanbench.run.runner import EvalConfig, run_eval
    from wanbench.run.store import ResultStore

    def run(label: str, prefetch: int, threads: int | None) -> tuple[float, dict, int]:
        out = work / f"suite-{label}"
        config = EvalConfig(
            model="procedural", suite="smoke", out=out, flow=flow, backbone_options=options, prefetch=prefetch
        )
        restore = with_threads(threads)
        try:
            start = time.perf_counter()
            summary = run_eval(config)
            seconds = time.perf_counter() - start
        finally:
            restore()
        with ResultStore(out / "results.sqlite") as store:
            rows = {(r["prompt_id"], r["dimension"]): (r["status"], r["value"]) for r in store.results()}
        return seconds, rows, summary.videos

    warmup_seconds, reference, videos = run("warmup", 0, None)
    names = list(OVERLAP_MODES)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    same = True
    for k in range(rounds):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            took, rows, _ = run(f"{name}-{k}", *OVERLAP_MODES[name])
            seconds[name].append(round(took, 2))
            same &= rows.keys() == reference.keys() and all(
                rows[key][0] == reference[key][0]
                and (rows[key][1] is None) == (reference[key][1] is None)
                and (rows[key][1] is None or abs(rows[key][1] - reference[key][1]) < 1e-6)
                for key in rows
            )
    per_minute = {name: round(60 * videos * len(s) / sum(s), 2) for name, s in seconds.items()}
    return {
        "suite": "smoke",
        "videos": videos,
        "flow": flow,
        "weights": weights,
        "rows": len(reference),
        "rows_ok": sum(status == "ok" for status, _ in reference.values()),
        "modes": {
            name: {"prefetch": OVERLAP_MODES[name][0], "threads": OVERLAP_MODES[name][1] or "default"} for name in names
        },
        "seconds": seconds,
        "warmup_seconds": round(warmup_seconds, 2),
        "videos_per_minute": per_minute,
        "ratio_to_sequential": {name: round(v / per_minute["sequential"], 3) for name, v in per_minute.items()},
        "same_rows": same,
        "default_threads": {"torch": torch.get_num_threads(), "opencv": __import__("cv2").getNumThreads()},
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
