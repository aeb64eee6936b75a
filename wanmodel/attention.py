"""The one attention entry point of the DiT. Sequence-parallel wrappers replace ``ATTENTION`` from
outside (parallel.py), so model code never imports torch.distributed."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F


def sdpa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """q [B, Lq, H, D], k/v [B, Lk, H, D] -> [B, Lq, H, D] (full, non-causal attention)."""
    out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
    return out.transpose(1, 2)


AttentionFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]

# The function every DiT attention calls; parallel.py may swap in a sequence-parallel one.
ATTENTION: AttentionFn = sdpa
