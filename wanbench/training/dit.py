"""Train (or fine-tune) a Wan DiT on a folder of captioned videos; write a loadable release folder.

A clip is ``NAME.mp4`` with its caption in ``NAME.txt``. Each clip is decoded once, sampled to the
training frame count, resized, encoded by the release's VAE and its caption by the text encoder;
then the DiT trains on those latents with the rectified-flow loss. The result is a release folder
(the base release's VAE, text encoder and tokenizer, and the trained DiT) that ``wan-*`` adapters
load with ``weights=FOLDER``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from safetensors.torch import save_file

from wanbench.video import VIDEO_SUFFIXES, read_video


@dataclass(frozen=True)
class Clip:
    video: Path
    caption: str


def find_clips(folder: str | Path) -> list[Clip]:
    """Every video in ``folder`` that has a same-named .txt caption; missing captions are an error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"video folder not found: {folder}")
    videos = sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    if not videos:
        raise FileNotFoundError(f"no videos in {folder}")
    missing = [v.name for v in videos if not v.with_suffix(".txt").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{folder}: no caption .txt for {', '.join(missing[:5])}"
            + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else "")
        )
    return [Clip(v, v.with_suffix(".txt").read_text(encoding="utf-8").strip()) for v in videos]


def clip_tensor(path: Path, frames: int, width: int, height: int) -> torch.Tensor:
    """[1, 3, frames, height, width] in [-1, 1]: evenly sampled frames, resized."""
    video = read_video(path)
    picked = video.sample(count=frames)
    if len(picked) < frames:  # shorter than asked: hold the last frame
        picked = np.concatenate([picked, np.repeat(picked[-1:], frames - len(picked), axis=0)])
    resized = np.stack([cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA) for f in picked])
    return torch.from_numpy(resized).permute(3, 0, 1, 2)[None].float() / 127.5 - 1.0


def train_on_folder(
    videos: str | Path,
    base: str | Path,
    preset: str,
    out: str | Path,
    steps: int,
    frames: int,
    width: int,
    height: int,
    lr: float = 1e-4,
    batch_size: int = 1,
    save_every: int = 100,
    resume: bool = False,
    from_scratch: bool = False,
    lr_schedule: str = "constant",
    ema_decay: float = 0.0,
    progress: Callable[[dict], None] | None = None,
) -> Path:
    """Train, checkpointing into ``out/checkpoint``; returns the release folder ``out/release``, whose
    DiT is the moving average of the weights when ``ema_decay`` > 0."""
    from wanmodel.checkpoint import load_dit, load_vae, locate_weights
    from wanmodel.configs import get_config
    from wanmodel.dit import WanDiT
    from wanmodel.text import TextEncoder
    from wanmodel.train import TrainConfig, Trainer

    config = get_config(preset)
    weights = locate_weights(base)
    if weights.layout != "official":
        raise ValueError("training writes an official-layout release; start from an official-layout base")
    clips = find_clips(videos)
    vae = load_vae(weights.vae, config.vae).eval()
    text = TextEncoder.load(weights.text_encoder, weights.tokenizer, config.text)
    with torch.no_grad():
        latents = [vae.encode(clip_tensor(c.video, frames, width, height)) for c in clips]
        contexts = [text.encode([c.caption]) for c in clips]
    del vae, text
    dit = WanDiT(config.dit) if from_scratch else load_dit(weights.dit, config.dit)
    trainer = Trainer(dit, TrainConfig(lr=lr, lr_schedule=lr_schedule, total_steps=steps, ema_decay=ema_decay))
    out = Path(out)
    checkpoint = out / "checkpoint"
    if resume and (checkpoint / "state.json").is_file():
        trainer.resume(checkpoint)
    while trainer.step_count < steps:
        # batch of step k depends on k only, so a resumed run sees the batches it would have seen
        pick = np.random.default_rng(trainer.step_count).integers(0, len(clips), size=batch_size)
        record = trainer.step(torch.cat([latents[i] for i in pick]), torch.cat([contexts[i] for i in pick]))
        if progress:
            progress(record)
        if trainer.step_count % save_every == 0 or trainer.step_count == steps:
            trainer.save(checkpoint)
    release = out / "release"
    release.mkdir(parents=True, exist_ok=True)
    save_file(trainer.sampling_state_dict(), str(release / "diffusion_pytorch_model.safetensors"))
    for source in (weights.vae, weights.text_encoder):
        shutil.copyfile(source, release / source.name)
    shutil.copytree(weights.tokenizer, release / "google" / "umt5-xxl", dirs_exist_ok=True)
    return release
