"""Parallelism for wanmodel, applied from outside the model (the pattern of torchtitan's parallelize).

Two axes, as the official release runs the 14B model (``--dit_fsdp --t5_fsdp --ulysses_size N``):

- FSDP2 (``fully_shard``) over a group of ranks: each DiT block and each umT5 block is one unit whose
  parameters are gathered for its forward and freed after it, then the roots. Parameters of the fp32
  islands inside a unit that otherwise holds bf16 weights are left replicated (FSDP2 gathers one
  dtype per unit; the islands are a few vectors per block).
- Ulysses sequence parallelism over the same group: the DiT splits its token sequence over the U
  ranks (padded to a multiple of U, the padding masked out of attention); each self-attention
  exchanges tokens for heads with one all-to-all, attends over the whole sequence for H/U heads,
  and exchanges back. Cross-attention needs nothing: its keys are the (replicated) text tokens.

Ring attention (the second axis of the report's 2D context parallelism) is not implemented: Ulysses
is bounded by the head count (12 for 1.3B, 40 for 14B), which covers one 8-GPU node.

Ranks are arranged as a 2D mesh ``(prompt groups, sequence)``: W ranks with Ulysses size U make W/U
groups that each generate their own prompts (wanbench shards prompts over groups); FSDP and Ulysses
work inside a group, so groups never wait for each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.distributed as dist
import torch.distributed._functional_collectives as fc
import torch.nn.functional as F
from torch.distributed.device_mesh import DeviceMesh, init_device_mesh

from wanmodel.attention import AttentionFn, sdpa
from wanmodel.dit import Block, WanDiT

if TYPE_CHECKING:
    from transformers import UMT5EncoderModel

MESH_DIMS = ("group", "sequence")


def sequence_mesh(ulysses: int, device_type: str = "cuda") -> DeviceMesh:
    """The (W/U groups) x (U ranks) mesh over the initialised default process group."""
    world = dist.get_world_size()
    if ulysses < 1 or world % ulysses:
        raise ValueError(f"ulysses size {ulysses} must divide the number of ranks ({world})")
    return init_device_mesh(device_type, (world // ulysses, ulysses), mesh_dim_names=MESH_DIMS)


def _all_to_all(x: torch.Tensor, group: dist.ProcessGroup) -> torch.Tensor:
    """Differentiable all-to-all over dim 0 (chunk j goes to rank j; chunk j received from rank j)."""
    return fc.wait_tensor(fc.all_to_all_single_autograd(x.contiguous(), None, None, group))


class UlyssesAttention:
    """Sequence-sharded attention: [B, L/U, H, D] per rank in and out; full-length attention inside
    over H/U heads. ``key_length`` counts the real tokens of the whole (padded) sequence."""

    def __init__(self, group: dist.ProcessGroup, inner: AttentionFn = sdpa) -> None:
        self.group, self.inner = group, inner
        self.size = dist.get_world_size(group)

    def _heads_to_ranks(self, x: torch.Tensor) -> torch.Tensor:
        """[B, Ls, H, D] -> [B, U*Ls, H/U, D]: gather the sequence, scatter the heads."""
        b, ls, h, d = x.shape
        if h % self.size:
            raise ValueError(f"Ulysses size {self.size} must divide the number of heads ({h})")
        chunks = x.reshape(b, ls, self.size, h // self.size, d).permute(2, 0, 1, 3, 4)
        received = _all_to_all(chunks, self.group)  # [U, B, Ls, H/U, D]: rank j's tokens, my heads
        return received.permute(1, 0, 2, 3, 4).reshape(b, self.size * ls, h // self.size, d)

    def _ranks_to_heads(self, x: torch.Tensor) -> torch.Tensor:
        """[B, U*Ls, H/U, D] -> [B, Ls, H, D]: the inverse exchange."""
        b, length, hu, d = x.shape
        chunks = x.reshape(b, self.size, length // self.size, hu, d).permute(1, 0, 2, 3, 4)
        received = _all_to_all(chunks, self.group)  # [U, B, Ls, H/U, D]: my tokens, rank j's heads
        return received.permute(1, 2, 0, 3, 4).reshape(b, length // self.size, self.size * hu, d)

    def __call__(
        self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_length: int | None = None
    ) -> torch.Tensor:
        q, k = q.to(v.dtype), k.to(v.dtype)  # exchange in the attention dtype
        q, k, v = (self._heads_to_ranks(t) for t in (q, k, v))
        return self._ranks_to_heads(self.inner(q, k, v, key_length))


class UlyssesSequence:
    """Splits the DiT's token sequence over the ranks of ``group`` (padding the end with zeros to a
    multiple of the group size) and gathers it back without the padding."""

    def __init__(self, group: dist.ProcessGroup) -> None:
        self.group = group
        self.size, self.rank = dist.get_world_size(group), dist.get_rank(group)

    def shard(self, x: torch.Tensor, dim: int) -> torch.Tensor:
        length = x.shape[dim]
        padded = -(-length // self.size) * self.size
        if padded != length:
            pad = [0, 0] * (x.dim() - 1 - dim) + [0, padded - length]
            x = F.pad(x, pad)
        return x.chunk(self.size, dim=dim)[self.rank].contiguous()

    def gather(self, x: torch.Tensor, dim: int, length: int) -> torch.Tensor:
        gathered = fc.wait_tensor(fc.all_gather_single_autograd(x.movedim(dim, 0).contiguous(), 0, self.group))
        return gathered.movedim(0, dim).narrow(dim, 0, length)


def apply_ulysses(dit: WanDiT, group: dist.ProcessGroup) -> WanDiT:
    """Sequence parallelism on ``dit`` (a WanDiT): self-attention only, all-to-all over heads."""
    size = dist.get_world_size(group)
    if dit.config.num_heads % size:
        raise ValueError(f"Ulysses size {size} must divide the DiT's {dit.config.num_heads} heads")
    dit.sequence_parallel = UlyssesSequence(group)
    for block in dit.blocks:
        assert isinstance(block, Block)  # a WanDiT's blocks
        block.self_attn.attention = UlyssesAttention(group)
    return dit


def _shard_unit(module: torch.nn.Module, mesh: DeviceMesh, reshard_after_forward: bool = True) -> None:
    """``fully_shard`` one unit; float32 parameters stay replicated when the unit mixes dtypes."""
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor import DTensor

    own = [p for p in module.parameters() if not isinstance(p, DTensor)]
    dtypes = {p.dtype for p in own}
    ignored = {p for p in own if p.dtype == torch.float32} if len(dtypes) > 1 else None
    fully_shard(module, mesh=mesh, reshard_after_forward=reshard_after_forward, ignored_params=ignored)


def apply_fsdp_dit(dit: WanDiT, mesh: DeviceMesh) -> WanDiT:
    """FSDP2 over ``mesh`` (1D): one unit per DiT block, then the root (embeddings and head)."""
    for block in dit.blocks:
        _shard_unit(block, mesh)
    _shard_unit(dit, mesh, reshard_after_forward=False)  # the root is needed again at once
    return dit


def apply_fsdp_umt5(model: UMT5EncoderModel, mesh: DeviceMesh) -> UMT5EncoderModel:
    """FSDP2 over ``mesh`` for a transformers UMT5EncoderModel: one unit per encoder block, then the root."""
    for block in model.encoder.block:
        _shard_unit(block, mesh)
    _shard_unit(model, mesh, reshard_after_forward=False)
    return model


def parallelize_pipeline(pipeline, mesh: DeviceMesh, dit_fsdp: bool = True, t5_fsdp: bool = True, ulysses: bool = True):
    """Apply the chosen parallelism to a WanPipeline in place, over the mesh's ``sequence`` dimension
    (or a 1D mesh). The VAE stays replicated: it is small, and every rank decodes its group's video."""
    group_mesh = mesh["sequence"] if mesh.mesh_dim_names and "sequence" in mesh.mesh_dim_names else mesh
    if ulysses and group_mesh.size() > 1:
        apply_ulysses(pipeline.dit, group_mesh.get_group())
    if dit_fsdp and group_mesh.size() > 1:
        apply_fsdp_dit(pipeline.dit, group_mesh)
    if t5_fsdp and pipeline.text_encoder is not None and group_mesh.size() > 1:
        apply_fsdp_umt5(pipeline.text_encoder.model, group_mesh)
    return pipeline
