"""Local VLM judge throughput: batch 1, batched, and batched with a shared prefix, in one run.

Each clip gets the four clip-level questions the judge dimensions ask most (plausibility x3,
smoothness), asked and read by the judge protocol (chat template, answers over every casing and
leading-space variant); answers are not cached between the modes or rounds. Modes alternate over
``--rounds`` rounds (order rotated), timed in wall and CPU time. The shared-prefix mode runs the system
turn and the clip's vision tokens once per clip and continues each question from a copy of that
key/value cache; it also reports the language-model positions a clip costs each way. Uses the weights entry given with
--weights when present (e.g. qwen2-vl-2b on a GPU), else a tiny random Qwen2-VL built here.

    python benchmarks/judge_speed.py [--clips 16] [--batch 8] [--rounds 2] [--weights qwen2-vl-2b] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--weights", default="qwen2-vl-2b")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every mode, order rotated")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    import numpy as np
    import torch

    from wanbench.backbones.judge.protocol import JudgeSettings, Query, fit_pixels
    from wanbench.backbones.vlm import VLMBackbone
    from wanbench.dims.judge_dims import questions
    from wanbench.model_weights import weights_status
    from wanbench.video import Video

    work = Path(tempfile.mkdtemp(prefix="judge-speed-"))
    real = weights_status(args.weights).state in ("present", "unverified")
    settings = JudgeSettings()
    if not real:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/
        from tests.tiny_backbones import install_tiny_judge

        os.environ["WANBENCH_HOME"] = str(work / "home")
        install_tiny_judge(work / "home", args.weights)
        settings = JudgeSettings(frames=8, keyframes=4, max_pixels=224 * 224)
    asked = [q.text for q in questions("physical_plausibility") + questions("smoothness")]
    rng = np.random.default_rng(0)
    clips = [Video(rng.integers(0, 255, (16, 240, 320, 3), dtype=np.uint8), 16.0) for _ in range(args.clips)]

    modes = {
        "batch1": (1, False),
        f"batch{args.batch}": (args.batch, False),
        f"shared-prefix batch{args.batch}": (args.batch, True),
    }
    wall: dict[str, list[float]] = {mode: [] for mode in modes}
    cpu: dict[str, list[float]] = {mode: [] for mode in modes}
    judges = {}
    names = list(modes)
    for round_ in range(args.rounds):  # modes in an order rotated round by round; fresh answer caches
        for mode in names[round_ % len(names) :] + names[: round_ % len(names)]:
            batch, share = modes[mode]
            backbone = VLMBackbone(
                weights=args.weights,
                settings=settings,
                batch=batch,
                share_prefix=share,
                cache_path=work / f"cache-{batch}-{share}-{round_}.sqlite",
            )
            backbone.backend()  # load before timing
            backbone.compute(clips[0]).ask_clip(asked[:2])  # warm-up (both paths)
            start, start_cpu = time.perf_counter(), time.process_time()
            for clip in clips:
                backbone.compute(clip).ask_clip(asked)
            wall[mode].append(time.perf_counter() - start)
            cpu[mode].append(time.process_time() - start_cpu)
            judges[mode] = backbone.judge()
    rates = {mode: 60 * len(clips) * args.rounds / sum(seconds) for mode, seconds in wall.items()}
    cpu_rates = {mode: 60 * len(clips) * args.rounds / sum(seconds) for mode, seconds in cpu.items()}
    # the work a clip's questions cost, in sequence positions the language model runs over
    judge = judges["batch1"]
    prefix = judge._inputs(
        [judge.vision_prefix(True)],
        [Query(tuple(fit_pixels(clips[0].frames[: settings.frames], settings.max_pixels)), "", "yes", True)],
    )["input_ids"].shape[1]
    suffix = float(np.mean([len(judge.question_ids(q, True)) for q in asked]))
    q = len(asked)
    result = {
        "judge": "real " + args.weights if real else "tiny random Qwen2-VL (2 layers, width 64)",
        "clips": args.clips,
        "questions_per_clip": q,
        "frames": settings.frames,
        "max_pixels": settings.max_pixels,
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "clips_per_minute": {mode: round(rate, 1) for mode, rate in rates.items()},
        "speedup_over_batch1": {mode: round(rate / rates["batch1"], 2) for mode, rate in rates.items()},
        "clips_per_cpu_minute": {mode: round(rate, 1) for mode, rate in cpu_rates.items()},
        "cpu_speedup_over_batch1": {mode: round(rate / cpu_rates["batch1"], 2) for mode, rate in cpu_rates.items()},
        "rounds": args.rounds,
        "threads": torch.get_num_threads(),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "prefix_tokens": int(prefix),
        "mean_question_tokens": round(suffix, 1),
        "tokens_per_clip": {"separate": round(q * (prefix + suffix)), "shared_prefix": round(prefix + q * suffix)},
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
