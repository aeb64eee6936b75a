"""An ESTIMATE of a full Wan-Bench run of the 14B (1,035 prompts) on 1 and 8 GPUs, until a device is lent.

Every input is printed with where it comes from: FLOP counts of the exact architectures (counted on
this CPU with torch's FlopCounterMode by benchmarks/cost_model.py --count, or from the model's shape
where stated), the number of calls per video from wanbench's defaults, the dense bf16 peak of an
H100/H200 SXM from NVIDIA's datasheet, and an assumed sustained throughput per kind of work. The output is
GPU hours, not a measurement.  Usage:  python benchmarks/cost_model.py [--count] [--json out.json]
Published runs: --json reports/benchmarks/cost_model_estimate.json (reports/benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

PROMPTS = 1035  # the report's Wan-Bench size
PEAK_BF16 = 989e12  # H100 / H200 SXM dense bf16 tensor FLOP/s (datasheet; no sparsity)
PEAK_FP32 = 67e12  # H100 / H200 SXM fp32 FLOP/s without tensor cores (datasheet)
# assumed sustained FLOP/s per kind of work (not measured): the DiT in bf16 at 40% of peak (long
# sequences), the vision backbones in fp32 at 45% of the fp32 peak, the judge in bf16 at 30%
EFFECTIVE = {"dit": 0.40 * PEAK_BF16, "vision": 0.45 * PEAK_FP32, "judge": 0.30 * PEAK_BF16}

# Wan 2.1 T2V-14B: 40 blocks, width 5120, 14e9 parameters; 720p 81 frames -> latent 21 x 90 x 160,
# patch 1 x 2 x 2 -> 21 * 45 * 80 tokens; 50 sampling steps, classifier-free guidance = 2 forwards.
DIT = {"params": 14.0e9, "layers": 40, "width": 5120, "steps": 50, "forwards_per_step": 2}
RESOLUTIONS = {"720p": 21 * 45 * 80, "480p": 21 * 30 * 52}

# FLOPs per call (1 image or 1 flow field) are counted with FlopCounterMode on random-weight models of
# the exact architectures by --count and kept in benchmarks/cost_model_flops.json.
JUDGE = {"params": 7.6e9, "tokens_per_question": 1100, "questions_per_video": 10}  # Qwen2-VL-7B, assumed


def dit_flops(tokens: int) -> float:
    """One forward: 2 * params * tokens (matmuls) + 4 * layers * width * tokens^2 (attention scores and mix)."""
    return 2 * DIT["params"] * tokens + 4 * DIT["layers"] * DIT["width"] * tokens**2


def count_flops() -> dict[str, float]:
    import open_clip
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    from torchvision.models.optical_flow import raft_large
    from transformers import ViTConfig, ViTModel

    def count(fn) -> float:
        with FlopCounterMode(display=False) as counter, torch.inference_mode():
            fn()
        return float(counter.get_total_flops())

    raft = raft_large(weights=None).eval()
    frame = torch.rand(1, 3, 256, 256) * 2 - 1
    vit = ViTModel(ViTConfig(), add_pooling_layer=False).eval()
    clip = open_clip.create_model("ViT-L-14", pretrained=None).eval()
    return {
        "raft_large_256_20it": count(lambda: raft(frame, frame, num_flow_updates=20)),
        "vit_b16_224": count(lambda: vit(pixel_values=torch.rand(1, 3, 224, 224))),
        "clip_vit_l14_224_image": count(lambda: clip.encode_image(torch.rand(1, 3, 224, 224))),
    }


def estimate(counted: dict[str, float]) -> dict:
    per_video = {}
    for name, tokens in RESOLUTIONS.items():
        per_video[f"generation_{name}"] = (dit_flops(tokens) * DIT["steps"] * DIT["forwards_per_step"], "dit")
    per_video["flow_raft_4_fields"] = (4 * counted["raft_large_256_20it"], "vision")
    per_video["flow_vbench_dynamic_degree_16_fields"] = (16 * counted["raft_large_256_20it"], "vision")
    per_video["dino_16_frames"] = (16 * counted["vit_b16_224"], "vision")
    per_video["clip_16_frames"] = (16 * counted["clip_vit_l14_224_image"], "vision")
    per_video["judge_qwen2_vl_7b"] = (
        2 * JUDGE["params"] * JUDGE["tokens_per_question"] * JUDGE["questions_per_video"],
        "judge",
    )
    rows = {}
    for name, (flops, kind) in per_video.items():
        seconds = flops / EFFECTIVE[kind]
        rows[name] = {
            "tflop_per_video": round(flops / 1e12, 3),
            "assumed_tflops": round(EFFECTIVE[kind] / 1e12, 1),
            "seconds_per_video": round(seconds, 4),
            "hours_1_gpu": round(seconds * PROMPTS / 3600, 3),
            "hours_8_gpus": round(seconds * PROMPTS / 3600 / 8, 3),
        }
    return {
        "label": "ESTIMATE (no GPU measured)",
        "prompts": PROMPTS,
        "peak_bf16_flops": PEAK_BF16,
        "peak_fp32_flops": PEAK_FP32,
        "not_counted": "text encoder, VAE decode, IQA models, detectors",
        "counted_flops_per_call": counted,
        "dit": DIT,
        "tokens": RESOLUTIONS,
        "judge": JUDGE,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", action="store_true", help="count the vision FLOPs now (about a minute)")
    parser.add_argument("--counted", type=Path, default=Path(__file__).with_name("cost_model_flops.json"))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.count:
        args.counted.write_text(json.dumps(count_flops(), indent=1) + "\n")
    result = estimate(json.loads(args.counted.read_text()))
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
