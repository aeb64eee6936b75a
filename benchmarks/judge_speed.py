"""Local VLM judge throughput, batch 1 vs batched, measured in one run.

Each clip gets the four clip-level questions the judge dimensions ask most (plausibility x3,
smoothness); answers are not cached between the two modes. Uses the weights entry given with
--weights when present (e.g. qwen2-vl-2b on a GPU), else a tiny random Qwen2-VL built here.

    python benchmarks/judge_speed.py [--clips 16] [--batch 8] [--weights qwen2-vl-2b] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--weights", default="qwen2-vl-2b")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    import numpy as np
    import torch

    from wanbench.backbones.vlm import JudgeSettings, VLMBackbone
    from wanbench.dims.judge_dims import questions
    from wanbench.video import Video
    from wanbench.weights import weights_status

    work = Path(tempfile.mkdtemp(prefix="judge-speed-"))
    real = weights_status(args.weights).state in ("present", "unverified")
    settings = JudgeSettings()
    if not real:
        from wanbench.backbones.tiny import install_tiny_judge

        os.environ["WANBENCH_HOME"] = str(work / "home")
        install_tiny_judge(work / "home", args.weights)
        settings = JudgeSettings(frames=8, keyframes=4, max_pixels=224 * 224)
    asked = [q["question"] for q in questions("physical_plausibility") + questions("smoothness")]
    rng = np.random.default_rng(0)
    clips = [Video(rng.integers(0, 255, (16, 240, 320, 3), dtype=np.uint8), 16.0) for _ in range(args.clips)]

    rates = {}
    for batch in (1, args.batch):
        backbone = VLMBackbone(weights=args.weights, settings=settings, batch=batch,
                               cache_path=work / f"cache-{batch}.sqlite")
        backbone.backend()  # load before timing
        backbone.compute(clips[0]).ask_clip(asked[:1])  # warm-up
        start = time.perf_counter()
        for clip in clips:
            backbone.compute(clip).ask_clip(asked)
        rates[batch] = 60 * len(clips) / (time.perf_counter() - start)
    result = {
        "judge": "real " + args.weights if real else "tiny random Qwen2-VL (2 layers, width 64)",
        "clips": args.clips, "questions_per_clip": len(asked), "frames": settings.frames,
        "max_pixels": settings.max_pixels, "device": "cuda" if torch.cuda.is_available() else "cpu",
        "clips_per_minute_batch1": round(rates[1], 1), f"clips_per_minute_batch{args.batch}": round(rates[args.batch], 1),
        "speedup_batched": round(rates[args.batch] / rates[1], 2),
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
