"""Frame tensors for vision models: uint8 RGB frames -> resized, normalised float batches."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def to_tensor(frames: np.ndarray) -> torch.Tensor:
    """uint8 [N, H, W, 3] -> float [N, 3, H, W] in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float().div_(255.0)


def resize_center_crop(images: torch.Tensor, size: int) -> torch.Tensor:
    """Shorter side to ``size`` (bicubic, antialiased), then the central size x size square."""
    h, w = images.shape[-2:]
    scale = size / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    images = F.interpolate(images, size=(nh, nw), mode="bicubic", antialias=True, align_corners=False)
    top, left = (nh - size) // 2, (nw - size) // 2
    return images[..., top : top + size, left : left + size].clamp_(0.0, 1.0)


def resize_square(images: torch.Tensor, size: int) -> torch.Tensor:
    """Whole image to size x size (crops of a subject keep all of it)."""
    return F.interpolate(images, size=(size, size), mode="bicubic", antialias=True, align_corners=False).clamp_(0, 1)


def normalise(images: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    m = torch.tensor(mean, dtype=images.dtype).view(1, -1, 1, 1)
    s = torch.tensor(std, dtype=images.dtype).view(1, -1, 1, 1)
    return (images - m) / s


def l2_normalise(x: torch.Tensor) -> torch.Tensor:
    return x / x.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def pick_device(device: str | None) -> str:
    return device or ("cuda" if torch.cuda.is_available() else "cpu")
