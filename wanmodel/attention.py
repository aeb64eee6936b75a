"""The one attention entry point of the DiT, and the signature every replacement keeps.

Each attention module holds its own ``attention`` callable (``sdpa`` unless something else was set),
so a sequence-parallel wrapper can be installed on self-attention alone, from outside the model
(``wanmodel/parallel.py``); model code never imports torch.distributed.
"""

from __future__ import annotations

from typing import Protocol

import torch
import torch.nn.functional as F


class AttentionFn(Protocol):
    def __call__(
        self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_length: int | None = None
    ) -> torch.Tensor: ...


def sdpa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_length: int | None = None) -> torch.Tensor:
    """q [B, Lq, H, D], k/v [B, Lk, H, D] -> [B, Lq, H, D] (full, non-causal attention).

    ``key_length``: only the first ``key_length`` keys are real (the rest is padding added to split
    the sequence evenly over ranks) and the others are masked out. q, k and v are brought to v's
    dtype, as the official code brings them to its half-precision dtype before flash attention."""
    q, k = q.to(v.dtype), k.to(v.dtype)
    mask = None
    if key_length is not None and key_length < k.shape[1]:
        mask = (torch.arange(k.shape[1], device=k.device) < key_length)[None, None, None, :]
    out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), attn_mask=mask)
    return out.transpose(1, 2)
