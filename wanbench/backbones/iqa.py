"""Image-quality models for Comprehensive Image Quality: MANIQA and MUSIQ (pyiqa), LAION aesthetic.

MANIQA and MUSIQ are pyiqa's architectures, built without pyiqa's own loader (which unpickles
files and downloads backbones) and filled from the registry's files with
``torch.load(weights_only=True)``. The LAION aesthetic predictor is a small MLP over CLIP ViT-L/14
image embeddings; we implement it here with the layer names of its released state dict and read
the embeddings from the shared CLIP backbone, so no second CLIP runs.

Raw outputs and our normalisation to [0, 1] (docs/dimensions.md):
  MUSIQ (KonIQ, MOS ~0..100)   -> musiq / 100
  MANIQA (KonIQ, ~0..1)        -> maniqa
  LAION aesthetic (~1..10)     -> (aesthetic - 1) / 9
each clipped to [0, 1].
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import torch
from torch import nn

from wanbench.backbones.base import Backbone, require_weights
from wanbench.backbones.images import pick_device, to_tensor
from wanbench.hashing import file_sha256
from wanbench.model_weights import require
from wanbench.video import Video

MANIQA_CROP = 224  # MANIQA scores 224x224 crops: frames are scaled so the shorter side is at least this


class AestheticHead(nn.Module):
    """LAION improved aesthetic predictor: linear layers only (the release has no activations).

    ``layers.{0,2,4,6,7}`` match the keys of ``sac+logos+ava1-l14-linearMSE.pth``; the dropouts sit
    between them as in training.
    """

    def __init__(self, embed_dim: int = 768) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(embed_dim, 1024),
            nn.Dropout(0.2),
            nn.Linear(1024, 128),
            nn.Dropout(0.2),
            nn.Linear(128, 64),
            nn.Dropout(0.1),
            nn.Linear(64, 16),
            nn.Linear(16, 1),
        )

    def forward(self, embedding: torch.Tensor) -> torch.Tensor:
        """L2-normalised CLIP image embeddings [N, D] -> ratings [N] (about 1..10)."""
        return self.layers(embedding).squeeze(-1)


def load_state(path) -> dict[str, torch.Tensor]:
    """A plain state dict (optionally under 'params' or 'state_dict'), read with weights_only."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("params", "state_dict", "model"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    return {k.removeprefix("module."): v for k, v in state.items()}


@contextlib.contextmanager
def _maniqa_vit(factory: Callable[[], nn.Module]) -> Iterator[None]:
    """MANIQA's constructor asks timm for a *pretrained* ViT-B/8 (a download); build ours instead.

    The released MANIQA checkpoint holds the ViT's weights too, so nothing is lost.
    """
    from pyiqa.archs import maniqa_arch

    original = maniqa_arch.timm
    maniqa_arch.timm = SimpleNamespace(create_model=lambda *args, **kwargs: factory())
    try:
        yield
    finally:
        maniqa_arch.timm = original


def default_maniqa_vit() -> nn.Module:
    import timm

    return timm.create_model("vit_base_patch8_224", pretrained=False)


@dataclass
class IQAArchitectures:
    """The architectures' settings: pyiqa's defaults for the released weights; tests shrink them."""

    musiq: dict[str, Any] = field(default_factory=dict)
    maniqa: dict[str, Any] = field(default_factory=lambda: {"scale": 0.8})
    maniqa_vit: Callable[[], nn.Module] = default_maniqa_vit
    aesthetic_dim: int = 768


@dataclass(frozen=True)
class IQAScores:
    frame_index: np.ndarray  # [N]
    musiq: np.ndarray  # [N] raw MUSIQ MOS
    maniqa: np.ndarray  # [N] raw MANIQA


class IQABackbone(Backbone):
    name = "iqa"

    def __init__(
        self,
        frames: int = 4,
        architectures: IQAArchitectures | None = None,
        device: str | None = None,
        musiq_weights: str = "musiq-koniq",
        maniqa_weights: str = "maniqa-koniq",
        aesthetic_weights: str = "laion-aesthetic",
    ) -> None:
        self.frames, self.device = frames, pick_device(device)
        self.arch = architectures or IQAArchitectures()
        self.weight_names = {"musiq": musiq_weights, "maniqa": maniqa_weights, "aesthetic": aesthetic_weights}
        self._models: dict[str, nn.Module] = {}
        self._sha: dict[str, str] = {}

    def check(self) -> None:
        for name in self.weight_names.values():
            require_weights(name, "image quality needs MUSIQ, MANIQA and the LAION aesthetic head: {}")

    def _path(self, part: str):
        (path,) = require(self.weight_names[part]).values()
        self._sha[part] = file_sha256(path)
        return path

    def model(self, part: str) -> nn.Module:
        if part not in self._models:
            if part == "musiq":
                from pyiqa.archs.musiq_arch import MUSIQ

                model = MUSIQ(pretrained=False, **self.arch.musiq)
            elif part == "maniqa":
                from pyiqa.archs.maniqa_arch import MANIQA

                with _maniqa_vit(self.arch.maniqa_vit):
                    model = MANIQA(pretrained=False, **self.arch.maniqa)
            else:
                model = AestheticHead(self.arch.aesthetic_dim)
            model.load_state_dict(load_state(self._path(part)), strict=True)
            self._models[part] = model.to(self.device).eval()
        return self._models[part]

    def torch_modules(self) -> list:
        return list(self._models.values())

    def backend(self) -> str:
        for part in self.weight_names:
            self.model(part)
        return ", ".join(
            f"{part} {self.weight_names[part]} sha256:{self._sha[part][:12]}" for part in self.weight_names
        )

    @torch.inference_mode()
    def aesthetic(self, clip_embeddings: np.ndarray) -> np.ndarray:
        """LAION aesthetic ratings for L2-normalised CLIP ViT-L/14 image embeddings."""
        head = self.model("aesthetic")
        return head(torch.from_numpy(clip_embeddings).float().to(self.device)).cpu().numpy()

    @torch.inference_mode()
    def compute(self, video: Video) -> IQAScores:
        index = video.sample_indices(count=min(self.frames, video.num_frames))
        images = to_tensor(video.frames[index])
        musiq = self.model("musiq")(images.to(self.device)).flatten().float().cpu().numpy()
        h, w = images.shape[-2:]
        if min(h, w) < MANIQA_CROP:  # upscale small frames so a 224 crop exists, keeping the aspect ratio
            scale = MANIQA_CROP / min(h, w)
            size = (max(MANIQA_CROP, math.ceil(h * scale)), max(MANIQA_CROP, math.ceil(w * scale)))
            images = torch.nn.functional.interpolate(images, size=size, mode="bicubic", antialias=True).clamp(0, 1)
        maniqa = self.model("maniqa")(images.to(self.device)).flatten().float().cpu().numpy()
        return IQAScores(index, musiq, maniqa)


def normalised_quality(musiq: float, maniqa: float, aesthetic: float) -> dict[str, float]:
    """Each model's mean raw score mapped to [0, 1] (module docstring)."""
    return {
        "musiq": float(np.clip(musiq / 100.0, 0.0, 1.0)),
        "maniqa": float(np.clip(maniqa, 0.0, 1.0)),
        "aesthetic": float(np.clip((aesthetic - 1.0) / 9.0, 0.0, 1.0)),
    }
