"""Shared-feature scoring vs a naive per-dimension pipeline, measured in one run.

Shared (ours): each video is decoded once and each backbone runs once per video; flow serves
three dimensions, CLIP two. Naive (what per-dimension benchmark scripts do): every dimension
decodes the video itself and runs its own backbones. Both score the same videos on the six
vision dimensions and must produce the same values. Also printed: our wall time over the sum of
pure model forward times (hooks on the models), i.e. the overhead of everything that is not a
model forward: decoding, resizing, bookkeeping, the store.

Real weights are used where present under WANBENCH_HOME; otherwise tiny random stand-ins of the
exact architectures are installed in a temp folder (RAFT-large keeps its full size: it is the
real cost). Usage:  python benchmarks/eval_speed.py [--videos 4] [--pairs 4] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
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
    parser.add_argument("--pairs", type=int, default=4, help="flow pairs per video")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from wanbench.weights import weights_status

    work = Path(tempfile.mkdtemp(prefix="eval-speed-"))
    real = all(weights_status(n).state in ("present", "unverified") for n in
               ("raft-large", "dino-vitb16", "clip-vit-l-14", "laion-aesthetic", "musiq-koniq", "maniqa-koniq"))
    options: dict = {}
    if not real:
        from wanbench.backbones.tiny import install_tiny_weights

        os.environ["WANBENCH_HOME"] = str(work / "home")
        options = install_tiny_weights(work / "home")
    options.setdefault("flow-raft", {})["max_pairs"] = args.pairs

    from wanbench.adapters.procedural import ProceduralAdapter
    from wanbench.backbones.base import FeatureCache
    from wanbench.dims.registry import get_dimension
    from wanbench.runner import EvalConfig, Evaluator, build_backbones
    from wanbench.suite import load_suite
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
    config = EvalConfig(model="folder", suite="smoke", out=work / "run", dimensions=DIMS, flow_backend="raft",
                        model_options={"videos": folder}, backbone_options=options)
    evaluator = Evaluator(config)
    for backbone in evaluator.backbones.values():
        for module in model_modules(backbone):
            timer.attach(module)
    from wanbench.suite import Suite

    subset = Suite(name=suite.name, path=suite.path, prompts=prompts, problems=[], sha256=suite.sha256)
    start = time.perf_counter()
    summary = evaluator.run_suite(subset)
    shared_seconds = time.perf_counter() - start
    forward_seconds = timer.seconds

    # --- naive: every dimension decodes and runs its own freshly built backbones ----------------
    start = time.perf_counter()
    naive_values = {}
    for prompt in prompts:
        for dim in dims:
            if not dim.applies_to(prompt):
                continue
            video = read_video(folder / f"{prompt.id}.mp4")
            backbones = build_backbones([dim], "raft", options)
            try:
                naive_values[(prompt.id, dim.name)] = dim.score(video, prompt, FeatureCache(video, backbones)).value
            except Exception as exc:  # the same errors as the shared run (e.g. no static region)
                naive_values[(prompt.id, dim.name)] = type(exc).__name__
    naive_seconds = time.perf_counter() - start

    from wanbench.store import ResultStore

    with ResultStore(work / "run" / "results.sqlite") as store:
        shared_values = {(r["prompt_id"], r["dimension"]): r["value"] for r in store.results() if r["status"] == "ok"}
    same = all(abs(shared_values[k] - v) < 1e-6 for k, v in naive_values.items() if k in shared_values)

    videos = len(prompts)
    result = {
        "weights": "real" if real else "tiny random stand-ins (RAFT-large full size)",
        "videos": videos, "dimensions": list(DIMS), "flow_pairs_per_video": args.pairs, "scores": summary.ok,
        "shared_videos_per_minute": round(60 * videos / shared_seconds, 2),
        "naive_videos_per_minute": round(60 * videos / naive_seconds, 2),
        "speedup_shared_over_naive": round(naive_seconds / shared_seconds, 2),
        "shared_seconds": round(shared_seconds, 2), "naive_seconds": round(naive_seconds, 2),
        "model_forward_seconds": round(forward_seconds, 2),
        "overhead_wall_over_forward": round(shared_seconds / forward_seconds, 3),
        "same_values": same, "device": "cuda" if __import__("torch").cuda.is_available() else "cpu",
        "threads": __import__("torch").get_num_threads(),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
