"""Train wan-tiny: a tiny VAE and a tiny DiT (the ``tiny`` config) on procedural videos.

Data: clips from wanbench's procedural adapter (the camera pans, lifts, zooms or stays still over
textured scenes; subjects move) with their captions. Text: a tiny umT5 (random, frozen) over a
word tokenizer built from the captions. The VAE learns reconstruction; its latents are then
standardised by folding per-channel statistics into its first and last 1x1 convolutions. The DiT
learns the rectified flow on those latents, with 10% of captions dropped for guidance.
Writes wanbench/data/models/wan-tiny/ (official release layout), its model card and loss curve.

    make tiny-model          # .venv/bin/python scripts/train_tiny_model.py
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wanbench.adapters.procedural import RenderConfig, render  # noqa: E402
from wanbench.prompts.suite import prompt_from_dict  # noqa: E402
from wanmodel.checkpoint import transformers_umt5_to_official  # noqa: E402
from wanmodel.configs import get_config  # noqa: E402
from wanmodel.dit import WanDiT  # noqa: E402
from wanmodel.train import TrainConfig, Trainer  # noqa: E402
from wanmodel.vae import WanVAE  # noqa: E402

CFG = get_config("tiny")
# coarse, high-contrast textures: what a VAE of base width 8 can learn to keep within the CPU budget
RENDER = RenderConfig(width=64, height=48, frames=9, fps=16, detail=0.25, contrast=3.0)
VAE_LR, VAE_WARMUP = 5e-4, 50
CAMERA_WORDS = {
    "static": "the camera stays still",
    "pan_left": "the camera pans left",
    "pan_right": "the camera pans right",
    "lift_up": "the camera lifts up",
    "lift_down": "the camera lifts down",
    "zoom_in": "the camera zooms in",
    "zoom_out": "the camera zooms out",
}
SCENES = ["forest", "beach", "city", "snow", "desert", "field", "night", "room", "ocean", "grass"]
SUBJECTS = [("red ball", "object"), ("dog", "animal"), ("woman", "human"), ("blue box", "object"), ("cat", "animal")]
ACTIONS = ["running", "walking", "jumping"]


def make_prompts(count: int, seed: int) -> list:
    rng = random.Random(seed)
    prompts = []
    for i in range(count):
        camera = rng.choice(list(CAMERA_WORDS))
        scene = rng.choice(SCENES)
        meta: dict = {"camera": camera, "scene": scene}
        text = f"{CAMERA_WORDS[camera]} over a {scene}"
        if rng.random() < 0.5:
            name, kind = rng.choice(SUBJECTS)
            action = rng.choice(ACTIONS)
            meta |= {"subject": {"name": name, "kind": kind}, "action": action}
            text = f"a {name} {action} , {text}"
        prompts.append(
            prompt_from_dict({"id": f"p{seed}-{i:04d}", "text": text, "dimensions": ["camera_control"], **meta})
        )
    return prompts


def clips_of(prompts: list, seed: int) -> torch.Tensor:
    frames = [render(p, seed + i, RENDER) for i, p in enumerate(prompts)]
    return torch.from_numpy(np.stack(frames)).permute(0, 4, 1, 2, 3).float() / 127.5 - 1.0  # [N, 3, T, H, W]


def build_text(captions: list[str], out: Path):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast, UMT5EncoderModel

    from wanmodel.text import TextEncoder, umt5_config

    words = sorted({w for c in captions for w in c.lower().replace(",", " , ").split()})
    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2} | {w: i + 3 for i, w in enumerate(words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=CFG.text.text_len
    )
    fast.save_pretrained(str(out / "google" / "umt5-xxl"))
    torch.manual_seed(0)
    model = UMT5EncoderModel(umt5_config(CFG.text)).eval()  # random and frozen: a fixed text featuriser
    torch.save(transformers_umt5_to_official(model.state_dict()), out / "models_t5_umt5-xxl-enc-bf16.pth")
    return TextEncoder(model, fast, CFG.text.text_len)


def train_vae(videos: torch.Tensor, steps: int, log: list, motion_weight: float = 3.0) -> WanVAE:
    """Deterministic autoencoding (decode mu, as inference does: sampled latents taught the decoder to
    ignore them) with an L1 loss on frames and on frame differences (the motion), warm-up then AdamW."""
    torch.manual_seed(1)
    vae = WanVAE(CFG.vae).train()
    optimizer = torch.optim.AdamW(vae.parameters(), lr=VAE_LR)
    warmup = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / VAE_WARMUP))
    rng = np.random.default_rng(1)
    for step in range(steps):
        batch = videos[rng.integers(0, len(videos), 4)]
        mu, _ = vae.conv1(torch.cat(list(vae.encode_chunks(batch)), dim=2)).chunk(2, dim=1)
        recon = torch.cat([vae.decoder(z_chunk, cache) for z_chunk, cache in _decode_chunks(vae, mu)], dim=2)
        motion = ((recon[:, :, 1:] - recon[:, :, :-1]) - (batch[:, :, 1:] - batch[:, :, :-1])).abs().mean()
        loss = (recon - batch).abs().mean() + motion_weight * motion + 1e-4 * mu.pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        optimizer.step()
        warmup.step()
        log.append({"stage": "vae", "step": step + 1, "loss": float(loss.detach())})
        if (step + 1) % 50 == 0:
            print(f"vae step {step + 1}/{steps} loss {float(loss.detach()):.4f}", flush=True)
    return vae.eval()


@torch.no_grad()
def camera_kept(vae: WanVAE, prompts: list, videos: torch.Tensor) -> dict:
    """How many reconstructions still show the asked camera motion (flow classifier), vs the originals."""
    from wanbench.backbones.flow import DISFlow
    from wanbench.dims.camera import classify_video
    from wanbench.video import Video

    flow = DISFlow()
    recon = vae.decode(vae.encode(videos, normalize=False), normalized=False)

    def label(clip: torch.Tensor) -> str:
        frames = ((clip.permute(1, 2, 3, 0).clamp(-1, 1) + 1) * 127.5).round().byte().numpy()
        return classify_video(flow.compute(Video(frames, RENDER.fps)))[0]

    kept = sum(label(r) == p.camera for p, r in zip(prompts, recon))
    original = sum(label(v) == p.camera for p, v in zip(prompts, videos))
    return {"clips": len(prompts), "reconstructions": kept, "originals": original}


def _decode_chunks(vae: WanVAE, z: torch.Tensor):
    from wanmodel.vae import VAECache

    z = vae.conv2(z)
    cache = VAECache()
    for i in range(z.shape[2]):
        yield z[:, :, i : i + 1], cache


@torch.no_grad()
def standardise_latents(vae: WanVAE, videos: torch.Tensor) -> None:
    """Fold per-channel latent mean/std into conv1 (mu rows) and conv2 (input columns)."""
    mu = torch.cat([vae.encode(videos[i : i + 16], normalize=False) for i in range(0, len(videos), 16)])
    mean, std = mu.mean(dim=(0, 2, 3, 4)), mu.std(dim=(0, 2, 3, 4))
    z = CFG.vae.z_dim
    w1, b1 = vae.conv1.weight, vae.conv1.bias
    w1[:z] /= std.view(-1, 1, 1, 1, 1)
    b1[:z] = (b1[:z] - mean) / std
    w2, b2 = vae.conv2.weight, vae.conv2.bias
    b2 += w2[..., 0, 0, 0] @ mean
    w2 *= std.view(1, -1, 1, 1, 1)


def display_path(path: Path) -> str:
    """``path`` relative to the repository when inside it, else just its name."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return path.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clips", type=int, default=600)
    parser.add_argument("--vae-steps", type=int, default=1500)
    parser.add_argument("--dit-steps", type=int, default=30000)
    parser.add_argument(
        "--motion-weight",
        type=float,
        default=3.0,
        help="weight of the VAE's L1 term on frame differences (the motion); 1 kept the camera "
        "motion in 14 of 28 held-out clips, 3 in 19",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "wanbench" / "data" / "models" / "wan-tiny")
    parser.add_argument(
        "--reuse-vae",
        action="store_true",
        help="keep the VAE already in --out (trained by an earlier run) and train only the DiT",
    )
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    prompts = make_prompts(args.clips, seed=0)
    videos = clips_of(prompts, seed=0)
    print(f"{len(prompts)} clips rendered ({time.time() - started:.0f}s)", flush=True)
    log: list = []
    if args.reuse_vae:
        vae = WanVAE(CFG.vae).eval()
        vae.load_state_dict(torch.load(args.out / "Wan2.1_VAE.pth", map_location="cpu", weights_only=True))
        earlier = json.loads((args.out / "training_log.json").read_text())
        vae_check = earlier["vae_camera_check"]
        log += [r for r in earlier["log"] if r["stage"] == "vae"]
        args.vae_steps = int(earlier["args"]["vae_steps"])
        vae_seconds = float(earlier.get("vae_seconds", earlier["seconds"]))  # the whole earlier run if unknown
        args.motion_weight = float(earlier["args"].get("motion_weight", 1.0))
    else:
        vae = train_vae(videos, args.vae_steps, log, args.motion_weight)
        held = make_prompts(28, seed=99)
        vae_check = camera_kept(vae, held, clips_of(held, seed=99))
        print(
            f"vae keeps the camera motion in {vae_check['reconstructions']}/{vae_check['clips']} held-out clips "
            f"(originals {vae_check['originals']})",
            flush=True,
        )
        standardise_latents(vae, videos)
        torch.save({k: v.contiguous() for k, v in vae.state_dict().items()}, args.out / "Wan2.1_VAE.pth")
        vae_seconds = time.time() - started
    print(f"vae trained ({time.time() - started:.0f}s)", flush=True)

    text = build_text([p.text for p in prompts] + [""], args.out)
    with torch.no_grad():
        latents = torch.cat([vae.encode(videos[i : i + 16]) for i in range(0, len(videos), 16)])
        contexts = torch.cat([text.encode([p.text for p in prompts[i : i + 64]]) for i in range(0, len(prompts), 64)])
        empty = text.encode([""])
    torch.manual_seed(2)
    trainer = Trainer(
        WanDiT(CFG.dit),
        TrainConfig(lr=1e-3, amp_dtype=None, timestep_sampling="logit_normal", shift=CFG.sampling.shift, seed=2),
    )
    rng = np.random.default_rng(2)
    for step in range(args.dit_steps):
        pick = rng.integers(0, len(latents), 16)
        ctx = contexts[pick].clone()
        ctx[rng.random(16) < 0.1] = empty[0]  # caption dropout: the unconditional branch for guidance
        record = trainer.step(latents[pick], ctx)
        log.append({"stage": "dit"} | record)
        if (step + 1) % 100 == 0:
            print(
                f"dit step {step + 1}/{args.dit_steps} loss {record['loss']:.4f} ({time.time() - started:.0f}s)",
                flush=True,
            )
    from safetensors.torch import save_file

    save_file(
        {k: v.detach().contiguous() for k, v in trainer.dit.state_dict().items()},
        str(args.out / "diffusion_pytorch_model.safetensors"),
    )
    recorded = {k: str(v) for k, v in vars(args).items()} | {"out": display_path(args.out)}  # no machine paths
    (args.out / "training_log.json").write_text(
        json.dumps(
            {
                "args": recorded,
                "seconds": time.time() - started + (vae_seconds if args.reuse_vae else 0.0),
                "vae_seconds": vae_seconds,
                "vae_camera_check": vae_check,
                "log": log,
            }
        )
    )
    print(f"done in {time.time() - started:.0f}s -> {args.out}", flush=True)


if __name__ == "__main__":
    main()
