"""Fixtures for the VBench tests: random-weight checkpoints of the architectures VBench builds (its own
RAFT and AMT-S, pyiqa's MUSIQ, OpenAI CLIP's ViT-B/32), planted where VBench looks, and tiny clips
named as VBench's standard mode expects."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from wanbench.video import write_video

# Run inside VBench's environment: VBench's own RAFT and AMT-S classes, random init, saved as VBench loads them.
PLANT = r"""
import sys, torch
from pathlib import Path
from easydict import EasyDict
from omegaconf import OmegaConf
root = Path(sys.argv[1]); which = sys.argv[2].split(",")
torch.manual_seed(0)
if "vbench-raft" in which:
    from vbench.third_party.RAFT.core.raft import RAFT
    path = root / "raft_model/models/raft-things.pth"; path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(RAFT(EasyDict(small=False, mixed_precision=False, alternate_corr=False)).state_dict(), path)
if "vbench-amt-s" in which:
    import vbench
    from vbench.third_party.amt.utils.build_utils import build_from_cfg
    cfg = OmegaConf.load(Path(vbench.__file__).parent / "third_party/amt/cfgs/AMT-S.yaml").network
    path = root / "amt_model/amt-s.pth"; path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": build_from_cfg(cfg).state_dict()}, path)
if "vbench-musiq-spaq" in which:  # VBench builds pyiqa's MUSIQ(pretrained_model_path=...): a plain state dict
    from pyiqa.archs.musiq_arch import MUSIQ
    path = root / "pyiqa_model/musiq_spaq_ckpt-358bb6af.pth"; path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(MUSIQ(pretrained=False).state_dict(), path)
if "vbench-clip-vit-b-32" in which:  # a TorchScript archive, as OpenAI ships it: clip.load rebuilds from its state dict
    from clip.model import CLIP
    model = CLIP(512, 224, 12, 768, 32, 77, 49408, 512, 8, 12).eval()  # ViT-B/32's shapes, as build_model reads them
    image, text = torch.zeros(1, 3, 224, 224), torch.zeros(1, 77, dtype=torch.long)
    traced = torch.jit.trace(model, (image, text), check_trace=False).half()  # fp16 as shipped; CPU runs fp32
    path = root / "clip_model/ViT-B-32.pt"; path.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.save(traced, str(path))
"""
PLANTABLE = ("vbench-raft", "vbench-amt-s", "vbench-musiq-spaq", "vbench-clip-vit-b-32")


def plant_checkpoints(python: Path, cache: Path, which: tuple[str, ...] = ("vbench-raft", "vbench-amt-s")) -> None:
    done = subprocess.run([str(python), "-c", PLANT, str(cache), ",".join(which)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def moving_clip(seed: int, frames: int = 9, size: int = 64, speed: float = 3.0) -> np.ndarray:
    """A smooth random texture translated ``speed`` pixels per frame (0: a still clip)."""
    rng = np.random.default_rng(seed)
    base = rng.random((size // 8, 3 * size // 8, 3))
    canvas = np.kron(base, np.ones((8, 8, 1)))  # blocky texture, 3 frames wide
    out = []
    for t in range(frames):
        shift = int(round(speed * t))
        out.append(canvas[:, shift : shift + size])
    return (np.stack(out) * 255).astype(np.uint8)


def write_standard_samples(folder: Path, texts: list[str], samples: int = 2, fps: float = 24.0) -> list[Path]:
    """``{prompt}-{i}.mp4`` for each text; odd samples are still, even ones move. 9 frames at 24 fps:
    VBench's dynamic_degree keeps every third frame (round(fps / 8)), so RAFT sees two pairs."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, text in enumerate(texts):
        for i in range(samples):
            path = folder / f"{text}-{i}.mp4"
            write_video(path, moving_clip(seed=10 * k + i, speed=0.0 if i % 2 else 4.0), fps=fps)
            paths.append(path)
    return paths


EVALUATE = r"""
import json, sys, torch
torch.set_num_threads(int(sys.argv[5]))
from vbench import VBench
folder, full_info, out, dims = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
VBench("cpu", full_info, out).evaluate(videos_path=folder, name="peer", dimension_list=dims, local=True)
"""


def vbench_evaluate(python: Path, cache: Path, folder: Path, full_info: Path, out: Path, dims, threads=2) -> dict:
    """VBench's own ``VBench.evaluate()`` on ``folder`` (standard mode): {dimension: {video path: result}}."""
    import json
    import os

    env = dict(os.environ, VBENCH_CACHE_DIR=str(cache))
    env.pop("PYTHONPATH", None)
    command = [str(python), "-c", EVALUATE, str(folder), str(full_info), str(out), ",".join(dims), str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "peer_eval_results.json").read_text())
    return {dim: {item["video_path"]: item["video_results"] for item in results[dim][1]} for dim in dims}
