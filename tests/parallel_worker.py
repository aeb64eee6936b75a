"""Checks run inside each process of a gloo group (tests/test_wanmodel_parallel.py starts them)."""

from __future__ import annotations

import copy
import os

import numpy as np
import torch
import torch.distributed as dist

from wanmodel.configs import get_config
from wanmodel.dit import WanDiT
from wanmodel.parallel import apply_fsdp_dit, apply_ulysses, parallelize_pipeline, sequence_mesh
from wanmodel.train import flow_matching_loss

CFG = get_config("tiny").dit
TOL = 1e-5


def _dit_inputs(shape: tuple[int, ...], seed: int = 1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g)
    t = torch.tensor([900.0, 130.0][: shape[0]])
    context = torch.randn(shape[0], CFG.text_len, CFG.text_dim, generator=g)
    return x, t, context


def check_ulysses_forward(world: int) -> None:
    torch.manual_seed(0)
    reference = WanDiT(CFG).eval()
    sharded = apply_ulysses(copy.deepcopy(reference), sequence_mesh(world, "cpu")["sequence"].get_group())
    # 3x3x5 = 45 tokens (odd: padded to a multiple of the ranks), and 2x2x4 = 16 (no padding)
    for shape in ((2, CFG.in_dim, 3, 6, 10), (1, CFG.in_dim, 2, 4, 8)):
        x, t, context = _dit_inputs(shape)
        with torch.no_grad():
            diff = (sharded(x, t, context) - reference(x, t, context)).abs().max().item()
        assert diff < TOL, f"Ulysses forward {shape} differs by {diff}"


def check_bf16_fsdp_forward(world: int) -> None:
    """bf16 weights with float32 islands (FSDP2 units of mixed dtype: the islands stay replicated),
    Ulysses on top: the same output as the unsharded bf16 model, to float32 rounding."""
    torch.manual_seed(0)
    reference = WanDiT(CFG).eval().cast(torch.bfloat16)
    mesh = sequence_mesh(world, "cpu")["sequence"]
    sharded = apply_fsdp_dit(apply_ulysses(copy.deepcopy(reference), mesh.get_group()), mesh)
    x, t, context = _dit_inputs((1, CFG.in_dim, 2, 4, 8))
    with torch.no_grad():
        expected, got = reference(x, t, context), sharded(x, t, context)
    diff = ((got - expected).norm() / expected.norm()).item()
    assert diff < 2.0**-12, f"bf16 FSDP2 + Ulysses forward differs by {diff} (relative)"


def _train_step(model: WanDiT, x0, context, sigmas, noise) -> float:
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loss = flow_matching_loss(model, x0, context, sigmas, noise)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def _full(param: torch.Tensor) -> torch.Tensor:
    return param.full_tensor() if hasattr(param, "full_tensor") else param


def check_fsdp_train_step(world: int) -> None:
    """FSDP2 over all ranks, each rank a slice of the batch; then FSDP2 + Ulysses on one sample."""
    from torch.distributed.device_mesh import init_device_mesh

    rank = dist.get_rank()
    torch.manual_seed(0)
    reference = WanDiT(CFG).train()
    start = copy.deepcopy(reference)
    g = torch.Generator().manual_seed(2)
    x0 = torch.randn(world, CFG.in_dim, 2, 4, 6, generator=g)
    noise = torch.randn(x0.shape, generator=g)
    context = torch.randn(world, CFG.text_len, CFG.text_dim, generator=g)
    sigmas = torch.rand(world, generator=g)
    ref_loss = _train_step(reference, x0, context, sigmas, noise)

    fsdp = apply_fsdp_dit(copy.deepcopy(start), init_device_mesh("cpu", (world,)))
    part = slice(rank, rank + 1)
    _train_step(fsdp, x0[part], context[part], sigmas[part], noise[part])
    for (name, a), (_, b) in zip(fsdp.named_parameters(), reference.named_parameters()):
        diff = (_full(a.detach()) - b.detach()).abs().max().item()
        assert diff < TOL, f"FSDP2 step: {name} differs by {diff}"

    # FSDP2 and Ulysses together: every rank of the group sees the same sample, its own tokens.
    single = copy.deepcopy(start).train()
    _train_step(single, x0[:1], context[:1], sigmas[:1], noise[:1])
    mesh = sequence_mesh(world, "cpu")["sequence"]
    both = apply_fsdp_dit(apply_ulysses(copy.deepcopy(start).train(), mesh.get_group()), mesh)
    _train_step(both, x0[:1], context[:1], sigmas[:1], noise[:1])
    for (name, a), (_, b) in zip(both.named_parameters(), single.named_parameters()):
        diff = (_full(a.detach()) - b.detach()).abs().max().item()
        assert diff < TOL, f"FSDP2 + Ulysses step: {name} differs by {diff}"
    assert np.isfinite(ref_loss)


def check_generation(world: int, release: str) -> None:
    """W ranks, Ulysses size 2: W/2 groups, each its own prompt; frames equal the unsharded ones."""
    from wanmodel.pipeline import SamplingConfig, WanPipeline

    sampling = SamplingConfig(steps=3, frames=5, width=32, height=48, guidance=4.0)
    prompts = ["a red car races", "a corgi surfing at sunset"]
    mesh = sequence_mesh(2, "cpu")
    group = dist.get_rank() // 2
    prompt = prompts[group % len(prompts)]
    pipeline = WanPipeline.from_weights(release, get_config("tiny"))
    expected = pipeline.generate(prompt, seed=group, sampling=sampling)
    parallelize_pipeline(pipeline, mesh)
    frames = pipeline.generate(prompt, seed=group, sampling=sampling)
    differing = int((frames != expected).sum())
    assert differing == 0, f"sharded generation: {differing} of {frames.size} values differ"


def run(rank: int, world: int, init_file: str, release: str) -> None:
    torch.set_num_threads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        check_ulysses_forward(world)
        check_bf16_fsdp_forward(world)
        check_fsdp_train_step(world)
        check_generation(world, release)
    finally:
        dist.destroy_process_group()
