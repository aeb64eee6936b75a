"""wanmodel vs diffusers on the same mid-size config and input, timed in one run (CPU or GPU).

Prints time ratios (ours / diffusers; <= 1.0 means ours is no slower) for the DiT forward and the
VAE decode, and our VAE decode's peak memory at 17, 33 and 65 frames (streamed decode; it should
stay flat). Random weights: speed and memory do not depend on the values.

    .venv/bin/python benchmarks/model_speed.py            # CPU, fp32
    .venv/bin/python benchmarks/model_speed.py --device cuda --dtype bfloat16
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.wanmodel_helpers import diffusers_dit, diffusers_vae  # noqa: E402
from wanmodel.checkpoint import DIT_KEYS, vae_key_map  # noqa: E402
from wanmodel.configs import DiTConfig, VAEConfig  # noqa: E402
from wanmodel.dit import WanDiT  # noqa: E402
from wanmodel.vae import WanVAE  # noqa: E402

MID_DIT = DiTConfig(dim=512, ffn_dim=2048, num_heads=8, num_layers=8, text_len=512)


def compare(ours, reference, repeats: int, device: str) -> tuple[float, float]:
    """Median seconds of ours and the reference, calls interleaved (after one warm-up each) so
    that background load on the machine hits both alike."""

    def once(fn) -> float:
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    ours(), reference()
    pairs = [(once(ours), once(reference)) for _ in range(repeats)]
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def bench_dit(device: str, dtype: torch.dtype, frames: int, size: int, repeats: int) -> dict:
    reference = diffusers_dit(MID_DIT).to(device=device, dtype=dtype)
    ours = WanDiT(MID_DIT).eval()
    ours.load_state_dict(DIT_KEYS.convert(reference.float().state_dict()))
    reference.to(dtype)
    ours = ours.to(device).cast(dtype)
    latent_frames = 1 + (frames - 1) // 4
    x = torch.randn(1, 16, latent_frames, size // 8, size // 8, device=device, dtype=dtype)
    t = torch.tensor([500.0], device=device)
    context = torch.randn(1, 512, 4096, device=device, dtype=dtype)
    with torch.no_grad():
        t_ours, t_ref = compare(
            lambda: ours(x, t, context), lambda: reference(x, t, context, return_dict=False), 3 * repeats, device
        )
    return {
        "tokens": latent_frames * (size // 16) ** 2,
        "diffusers_s": t_ref,
        "ours_s": t_ours,
        "ratio": t_ours / t_ref,
    }


def bench_vae(device: str, dtype: torch.dtype, frames: int, size: int, repeats: int) -> dict:
    config = VAEConfig()
    reference = diffusers_vae(config).to(device=device, dtype=dtype)
    ours = WanVAE(config).eval()
    ours.load_state_dict(vae_key_map(config).convert(reference.float().state_dict()))
    reference.to(dtype)
    ours = ours.to(device=device, dtype=dtype)
    z = torch.randn(1, 16, 1 + (frames - 1) // 4, size // 8, size // 8, device=device, dtype=dtype)
    with torch.no_grad():
        t_ours, t_ref = compare(lambda: ours.decode(z, normalized=False), lambda: reference.decode(z), repeats, device)
    return {"diffusers_s": t_ref, "ours_s": t_ours, "ratio": t_ours / t_ref}


def decode_peak_memory(device: str, frames: int, size: int) -> float:
    """Peak MiB one streamed decode adds, in a fresh process: on CUDA the allocator's peak, on CPU
    the resident-set high-water mark (VmHWM), reset just before the decode via /proc clear_refs."""
    code = f"""
import sys, torch
sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
from wanmodel.vae import WanVAE
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
vae = WanVAE().eval().to({device!r})
z = torch.randn(1, 16, {1 + (frames - 1) // 4}, {size // 8}, {size // 8}, device={device!r})
out = torch.empty(1, 3, {frames}, {size}, {size}, dtype=torch.uint8, device={device!r})
if {device!r} == "cuda":
    torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
else:
    open("/proc/self/clear_refs", "w").write("5")  # reset the high-water mark to the current RSS
    base = rss()
with torch.no_grad():
    start = 0
    for chunk in vae.decode_chunks(z, normalized=False):
        n = chunk.shape[2]
        out[:, :, start:start + n] = ((chunk + 1) * 127.5).round().to(torch.uint8)
        start += n
peak = torch.cuda.max_memory_allocated() if {device!r} == "cuda" else hwm()
print((peak - base) / 2**20)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--frames", type=int, default=17)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    dtype = getattr(torch, args.dtype)
    torch.manual_seed(0)
    results = {
        "device": torch.cuda.get_device_name(0) if args.device == "cuda" else f"cpu x{torch.get_num_threads()}",
        "dtype": args.dtype,
        "frames": args.frames,
        "size": args.size,
        "dit": bench_dit(args.device, dtype, args.frames, args.size, args.repeats),
        "vae_decode": bench_vae(args.device, dtype, args.frames, args.size, args.repeats),
        "vae_decode_peak_mib": {n: decode_peak_memory(args.device, n, args.size) for n in (17, 33, 65)},
    }
    d, v = results["dit"], results["vae_decode"]
    print(f"device {results['device']}, {args.dtype}, {args.frames} frames at {args.size}x{args.size}")
    print(
        f"DiT forward (8 layers, dim 512, {d['tokens']} tokens): ours {d['ours_s']:.3f}s, "
        f"diffusers {d['diffusers_s']:.3f}s, ratio {d['ratio']:.2f}"
    )
    print(f"VAE decode: ours {v['ours_s']:.3f}s, diffusers {v['diffusers_s']:.3f}s, ratio {v['ratio']:.2f}")
    print(
        "VAE streamed decode peak memory (MiB): "
        + ", ".join(f"{n} frames {m:.0f}" for n, m in results["vae_decode_peak_mib"].items())
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
