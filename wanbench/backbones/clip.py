"""CLIP image embeddings of sampled frames, and text embeddings of prompts, through open_clip.

The default is OpenAI CLIP ViT-L/14 (open_clip ``ViT-L-14-quickgelu``, pretrained ``openai``,
weights entry ``clip-vit-l-14``). One model serves two dimensions: Scene Generation Quality
(frame-frame and frame-text similarity) and, through the LAION aesthetic head that was trained on
exactly these embeddings, the aesthetic part of Comprehensive Image Quality. The frames are
embedded once per video.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from wanbench.backbones.base import Backbone, require_weights
from wanbench.backbones.images import l2_normalise, normalise, pick_device, resize_center_crop, to_tensor
from wanbench.hashing import file_sha256
from wanbench.model_weights import require
from wanbench.video import Video

DEFAULT_MODEL = "ViT-L-14-quickgelu"


@dataclass(frozen=True)
class ClipFeatures:
    image: np.ndarray  # [N, D] L2-normalised image embeddings of the sampled frames
    frame_index: np.ndarray  # [N]


class ClipBackbone(Backbone):
    name = "clip"

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        weights: str = "clip-vit-l-14",
        frames: int = 16,
        batch: int = 16,
        device: str | None = None,
    ) -> None:
        self.model_name, self.weights = model_name, weights
        self.frames, self.batch, self.device = frames, batch, pick_device(device)
        self._model = None
        # per instance (a cache on the method would be one for the class, keeping every instance alive)
        self._text_embeddings = lru_cache(maxsize=4096)(self._embed_text)

    def check(self) -> None:
        require_weights(self.weights, "CLIP: {}")

    def _load(self):
        if self._model is None:
            import open_clip

            (path,) = require(self.weights).values()
            model = open_clip.create_model(self.model_name, pretrained=str(path), device=self.device)
            self._model = model.eval()
            self._tokenizer = open_clip.get_tokenizer(self.model_name)
            self._sha = file_sha256(path)
            cfg = getattr(model.visual, "preprocess_cfg", {})
            size = model.visual.image_size
            self._size = int(size[0] if isinstance(size, (tuple, list)) else size)
            self._mean = tuple(cfg.get("mean", (0.48145466, 0.4578275, 0.40821073)))
            self._std = tuple(cfg.get("std", (0.26862954, 0.26130258, 0.27577711)))
        return self._model

    def torch_modules(self) -> list:
        return [self._model.visual, self._model.transformer] if self._model is not None else []  # the two towers

    def backend(self) -> str:
        self._load()
        return f"open_clip {self.model_name} ({self.weights}) sha256:{self._sha[:12]}"

    @torch.inference_mode()
    def embed_images(self, frames: np.ndarray) -> np.ndarray:
        model = self._load()
        out = []
        for start in range(0, len(frames), self.batch):
            pixels = resize_center_crop(to_tensor(frames[start : start + self.batch]), self._size)
            pixels = normalise(pixels, self._mean, self._std).to(self.device)
            out.append(l2_normalise(model.encode_image(pixels).float()).cpu())
        return torch.cat(out).numpy()

    @torch.inference_mode()
    def embed_text(self, text: str) -> np.ndarray:
        return self._text_embeddings(text).copy()

    def _embed_text(self, text: str) -> np.ndarray:
        model = self._load()
        tokens = self._tokenizer([text]).to(self.device)
        return l2_normalise(model.encode_text(tokens).float()).cpu().numpy()[0]

    def compute(self, video: Video) -> ClipFeatures:
        index = video.sample_indices(count=min(self.frames, video.num_frames))
        return ClipFeatures(self.embed_images(video.frames[index]), index)
