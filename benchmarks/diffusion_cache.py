"""Diffusion cache: speed-up and output difference against the uncached sampler, from one run.

Same DiT (random weights, mid-size config), same noise and text contexts, 50 UniPC steps with CFG;
the cached run follows ``CachePolicy()``. Prints wall-time speed-up of sampling, DiT forwards
saved, and the PSNR of the decoded frames (and of the latents) against the uncached result.

    .venv/bin/python benchmarks/diffusion_cache.py [--json out.json]
    Published runs: --json reports/benchmarks/diffusion_cache_cpu.json (reports/benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wanmodel.cache import CachePolicy, CacheStats, cached_cfg_denoiser  # noqa: E402
from wanmodel.configs import DiTConfig, VAEConfig  # noqa: E402
from wanmodel.dit import WanDiT  # noqa: E402
from wanmodel.pipeline import cfg_denoiser, to_uint8_frames  # noqa: E402
from wanmodel.schedulers import flow_sigmas, sample_unipc  # noqa: E402
from wanmodel.vae import WanVAE  # noqa: E402

MID_DIT = DiTConfig(dim=512, ffn_dim=2048, num_heads=8, num_layers=8, text_len=512)


def psnr(a: torch.Tensor, b: torch.Tensor, peak: float) -> float:
    mse = float(((a.double() - b.double()) ** 2).mean())
    return math.inf if mse == 0 else 10 * math.log10(peak**2 / mse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--frames", type=int, default=17)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.manual_seed(0)
    dit, vae = WanDiT(MID_DIT).eval(), WanVAE(VAEConfig()).eval()
    cond, uncond = torch.randn(1, 512, 4096), torch.randn(1, 512, 4096)
    latent = (1, 16, 1 + (args.frames - 1) // 4, args.size // 8, args.size // 8)
    noise = torch.randn(latent, generator=torch.Generator().manual_seed(1))
    sigmas = flow_sigmas(args.steps, 5.0)
    with torch.no_grad():
        start = time.perf_counter()
        full = sample_unipc(cfg_denoiser(dit, cond, uncond, 5.0), noise.clone(), sigmas)
        t_full = time.perf_counter() - start
        stats = CacheStats()
        start = time.perf_counter()
        cached = sample_unipc(
            cached_cfg_denoiser(dit, cond, uncond, 5.0, args.steps, CachePolicy(), stats), noise.clone(), sigmas
        )
        t_cached = time.perf_counter() - start
        frames_full = torch.from_numpy(to_uint8_frames(vae.decode(full)))
        frames_cached = torch.from_numpy(to_uint8_frames(vae.decode(cached)))
    result = {
        "device": f"cpu x{torch.get_num_threads()}",
        "steps": args.steps,
        "frames": args.frames,
        "size": args.size,
        "uncached_s": t_full,
        "cached_s": t_cached,
        "speedup": t_full / t_cached,
        "forwards_uncached": 2 * args.steps,
        "forwards_cached": stats.forwards,
        "skipped_steps": stats.skipped,
        "uncond_reused": stats.uncond_reused,
        "psnr_frames_db": psnr(frames_full, frames_cached, 255.0),
        "psnr_latents_db": psnr(full, cached, float(full.abs().max())),
        "policy": CachePolicy().__dict__,
    }
    print(
        f"sampling {args.steps} steps: uncached {t_full:.1f}s, cached {t_cached:.1f}s, "
        f"speed-up {result['speedup']:.2f}x ({stats.forwards}/{2 * args.steps} DiT forwards, "
        f"{stats.skipped} steps skipped, {stats.uncond_reused} uncond reused)"
    )
    print(f"PSNR vs uncached: frames {result['psnr_frames_db']:.1f} dB, latents {result['psnr_latents_db']:.1f} dB")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
