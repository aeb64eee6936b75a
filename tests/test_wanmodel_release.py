"""A whole release folder, in the official and the diffusers layout, is found and loads the same."""

from pathlib import Path

import pytest
import torch

from tests.wanmodel_helpers import write_tiny_release
from wanmodel.checkpoint import CheckpointError, load_dit, load_vae, locate_weights
from wanmodel.configs import get_config
from wanmodel.text import TextEncoder

CFG = get_config("tiny")


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> tuple[Path, Path]:
    official, diffusers = tmp_path_factory.mktemp("official"), tmp_path_factory.mktemp("diffusers")
    write_tiny_release(official, diffusers)
    return official, diffusers


def run_all(root: Path) -> tuple[torch.Tensor, torch.Tensor]:
    weights = locate_weights(root)
    dit, vae = load_dit(weights.dit, CFG.dit).eval(), load_vae(weights.vae, CFG.vae).eval()
    context = TextEncoder.load(weights.text_encoder, weights.tokenizer, CFG.text).encode(["a red car races"])
    x = torch.randn(1, CFG.dit.in_dim, 2, 4, 6, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return dit(x, torch.tensor([400.0]), context), vae.decode(x)


def test_both_layouts_are_found_and_agree(releases) -> None:
    official, diffusers = releases
    assert locate_weights(official).layout == "official"
    assert locate_weights(diffusers).layout == "diffusers"
    (v1, f1), (v2, f2) = run_all(official), run_all(diffusers)
    # Equal weights; the two files place tensors at different byte alignments, which can change
    # the CPU's SIMD path and so the last bits of a matmul.
    assert (v1 - v2).abs().max().item() <= 1e-6 and (f1 - f2).abs().max().item() <= 1e-6


def test_incomplete_release_names_the_missing_file(tmp_path: Path, releases) -> None:
    official, _ = releases
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "Wan2.1_VAE.pth").write_bytes((official / "Wan2.1_VAE.pth").read_bytes())
    with pytest.raises(CheckpointError, match="missing diffusion_pytorch_model"):
        locate_weights(partial)
    with pytest.raises(CheckpointError, match="weights folder not found"):
        locate_weights(tmp_path / "absent")
