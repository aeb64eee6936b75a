"""bf16 numerics against the float32 reference, with tolerances derived from bf16's precision.

bf16 keeps 8 significant bits: rounding a value costs up to u/2 of it, u = 2**-8. A computation
that runs in float32 on float32 inputs errs by about 2**-24, so the checks below separate the two:
an fp32 island (the output head, the q/k norm scale) must agree with float32 to 2**-16 relative,
and the control in each test (the same computation with bf16 operands, what a head run in bf16
would give) must err by more than u/16, so the check can fail. The whole DiT, whose matmuls do
run in bf16, must stay within u (relative L2): one rounding of each matmul's inputs per layer, the
errors of independent roundings adding in quadrature.
"""

import copy

import torch
import torch.nn.functional as F

from wanmodel.configs import get_config
from wanmodel.dit import RMSNorm, WanDiT

CFG = get_config("tiny").dit
U = 2.0**-8


def relative(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a.float() - b.float()).norm() / b.float().norm()).item()


def models() -> tuple[WanDiT, WanDiT]:
    torch.manual_seed(0)
    full = WanDiT(CFG).eval()
    return full, copy.deepcopy(full).cast(torch.bfloat16)


@torch.no_grad()
def test_head_runs_in_float32_under_bf16() -> None:
    full, half = models()
    g = torch.Generator().manual_seed(1)
    x, e = torch.randn(2, 40, CFG.dim, generator=g), torch.randn(2, CFG.dim, generator=g)
    reference = full.head(x, e)
    assert relative(half.head(x, e), reference) < 2.0**-16
    # control: the same head with bf16 operands (what the head gives if it runs in bf16)
    shift, scale = (full.head.modulation + e[:, None]).unbind(1)
    y = full.head.norm(x) * (1 + scale[:, None]) + shift[:, None]
    control = F.linear(y.bfloat16(), full.head.head.weight.bfloat16(), full.head.head.bias.bfloat16())
    assert relative(control, reference) > U / 16


@torch.no_grad()
def test_qk_norm_scales_in_float32_as_the_official() -> None:
    norm = RMSNorm(CFG.dim)
    norm.weight.copy_(torch.randn(CFG.dim))
    x = torch.randn(3, CFG.dim).bfloat16()
    out = norm(x)
    normed = F.rms_norm(x.float(), (CFG.dim,), eps=norm.eps).bfloat16()
    assert out.dtype == torch.float32 and torch.equal(out, normed.float() * norm.weight)
    assert relative(normed * norm.weight.bfloat16(), out) > U / 16  # a bf16 scale would differ


@torch.no_grad()
def test_bf16_dit_within_bf16_precision_of_float32() -> None:
    full, half = models()
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, CFG.in_dim, 3, 8, 8, generator=g)
    t, context = torch.tensor([900.0, 100.0]), torch.randn(2, CFG.text_len, CFG.text_dim, generator=g)
    error = relative(half(x, t, context), full(x, t, context))
    assert 2.0**-16 < error < U  # bf16 matmuls really ran, and no worse than bf16 allows


@torch.no_grad()
def test_block0_rounds_its_first_layernorm_to_bf16_as_the_official() -> None:
    """The official stream enters block 0 in bf16 (the patch embedding's output), its LayerNorm returns
    x's dtype, and the fp32 gated residual addition lifts the stream to float32 for every later norm."""
    _, half = models()
    seen: dict[str, torch.Tensor] = {}
    hooks = [
        half.patch_embedding.register_forward_hook(lambda m, i, out: seen.update(patches=out)),
        half.blocks[0].self_attn.register_forward_pre_hook(lambda m, args: seen.update(attn0=args[0])),
        half.blocks[1].register_forward_pre_hook(lambda m, args: seen.update(block1=args[0])),
    ]
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, CFG.in_dim, 3, 8, 8, generator=g)
    t, context = torch.tensor([900.0, 100.0]), torch.randn(2, CFG.text_len, CFG.text_dim, generator=g)
    half(x, t, context)
    for hook in hooks:
        hook.remove()
    tokens = seen["patches"].flatten(2).transpose(1, 2)
    assert tokens.dtype == torch.bfloat16 and seen["block1"].dtype == torch.float32
    shift, scale = (half.blocks[0].modulation + half.time_embed(t)[1]).unbind(1)[:2]
    normed = F.layer_norm(tokens.float(), (CFG.dim,), eps=CFG.eps)
    official = (normed.bfloat16().float() * (1 + scale[:, None]) + shift[:, None]).bfloat16()
    assert torch.equal(seen["attn0"], official)
    unrounded = (normed * (1 + scale[:, None]) + shift[:, None]).bfloat16()
    assert not torch.equal(unrounded, official)  # control: the rounding is visible
