"""WanDiT: official parameter counts, parity with diffusers, checkpoint layouts, fp32 islands."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from tests.wanmodel_helpers import diffusers_dit
from wanmodel.checkpoint import DIT_KEYS, CheckpointError, load_dit
from wanmodel.configs import get_config
from wanmodel.dit import WanDiT

CFG = get_config("tiny").dit


@pytest.mark.parametrize("name, count", [("t2v-1.3b", 1_418_996_800), ("t2v-14b", 14_288_491_584)])
def test_parameter_counts_match_the_official_models(name: str, count: int) -> None:
    with torch.device("meta"):
        model = WanDiT(get_config(name).dit)
    assert sum(p.numel() for p in model.parameters()) == count


def inputs(batch: int = 2, seed: int = 1):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, CFG.in_dim, 3, 8, 12, generator=generator)
    context = torch.randn(batch, CFG.text_len, CFG.text_dim, generator=generator)
    return x, context


@pytest.mark.parametrize("timesteps", [[999.0, 500.0], [3.0, 17.0], [0.0, 1.0]])
def test_forward_matches_diffusers(timesteps: list[float]) -> None:
    reference = diffusers_dit(CFG)
    ours = WanDiT(CFG).eval()
    ours.load_state_dict(DIT_KEYS.convert(reference.state_dict()), strict=True)
    x, context = inputs()
    t = torch.tensor(timesteps)
    with torch.no_grad():
        expected = reference(x, t, context, return_dict=False)[0]
        got = ours(x, t, context)
    assert got.shape == x.shape
    assert (got - expected).abs().max().item() <= 1e-5


def test_official_and_diffusers_files_load_to_identical_outputs(tmp_path: Path) -> None:
    reference = diffusers_dit(CFG, seed=3)
    (tmp_path / "diffusers").mkdir()
    save_file(reference.state_dict(), str(tmp_path / "diffusers" / "diffusion_pytorch_model.safetensors"))
    official = DIT_KEYS.convert(reference.state_dict())
    keys = sorted(official)
    half = len(keys) // 2  # sharded, with an index, as the official 14B release is
    (tmp_path / "official").mkdir()
    shards = {
        "diffusion_pytorch_model-00001-of-00002.safetensors": keys[:half],
        "diffusion_pytorch_model-00002-of-00002.safetensors": keys[half:],
    }
    for name, part in shards.items():
        save_file({k: official[k].contiguous() for k in part}, str(tmp_path / "official" / name))
    index = {"weight_map": {k: name for name, part in shards.items() for k in part}}
    (tmp_path / "official" / "diffusion_pytorch_model.safetensors.index.json").write_text(
        __import__("json").dumps(index)
    )

    from_diffusers = load_dit(tmp_path / "diffusers", CFG).eval()
    from_official = load_dit(tmp_path / "official" / "diffusion_pytorch_model.safetensors.index.json", CFG).eval()
    x, context = inputs()
    t = torch.tensor([700.0, 20.0])
    with torch.no_grad():
        a, b = from_diffusers(x, t, context), from_official(x, t, context)
    assert torch.equal(a, b)
    assert all(p.device.type == "cpu" for p in from_official.parameters())  # nothing left on meta


def test_missing_and_mismatched_keys_are_named(tmp_path: Path) -> None:
    state = WanDiT(CFG).state_dict()
    dropped = dict(state)
    del dropped["blocks.1.cross_attn.k.weight"]
    save_file(dropped, str(tmp_path / "missing.safetensors"))
    with pytest.raises(CheckpointError, match=r"missing keys: blocks\.1\.cross_attn\.k\.weight"):
        load_dit(tmp_path / "missing.safetensors", CFG)
    wrong = dict(state)
    wrong["head.head.weight"] = torch.zeros(3, 3)
    save_file(wrong, str(tmp_path / "wrong.safetensors"))
    with pytest.raises(CheckpointError, match=r"'head\.head\.weight' has shape \(3, 3\)"):
        load_dit(tmp_path / "wrong.safetensors", CFG)
    extra = dict(state) | {"blocks.9.extra.weight": torch.zeros(1)}
    save_file(extra, str(tmp_path / "extra.safetensors"))
    with pytest.raises(CheckpointError, match="unexpected keys: blocks.9.extra.weight"):
        load_dit(tmp_path / "extra.safetensors", CFG)
    with pytest.raises(CheckpointError, match="no official name"):
        DIT_KEYS.convert({"condition_embedder.mystery.weight": torch.zeros(1)})


def test_bf16_cast_keeps_the_fp32_islands() -> None:
    full = WanDiT(CFG).eval()
    half = WanDiT(CFG).eval()
    half.load_state_dict(full.state_dict())
    half.cast(torch.bfloat16)
    assert half.blocks[0].self_attn.q.weight.dtype == torch.bfloat16
    assert half.time_embedding[0].weight.dtype == torch.float32
    assert half.blocks[0].modulation.dtype == torch.float32 and half.head.modulation.dtype == torch.float32
    t = torch.tensor([999.0, 1.0])
    e_full, e0_full = full.time_embed(t)
    e_half, e0_half = half.time_embed(t)
    assert torch.equal(e_full, e_half) and torch.equal(e0_full, e0_half)  # not degraded at all
    x, context = inputs()
    with torch.no_grad():
        reference, low = full(x, t, context), half(x, t, context)
    assert low.dtype == torch.float32  # the residual stream stays fp32
    assert (low - reference).abs().max().item() < 0.1 * reference.abs().max().item()
