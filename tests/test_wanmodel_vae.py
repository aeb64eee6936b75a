"""WanVAE: official parameter count, parity with diffusers (whole and streamed), checkpoint layouts."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from tests.wanmodel_helpers import diffusers_vae
from wanmodel.checkpoint import load_vae, vae_key_map
from wanmodel.configs import VAEConfig, get_config
from wanmodel.vae import WanVAE

CFG = get_config("tiny").vae


def test_parameter_count_matches_the_official_vae() -> None:
    with torch.device("meta"):
        model = WanVAE(VAEConfig())
    assert sum(p.numel() for p in model.parameters()) == 126_892_531


def pair(seed: int = 0) -> tuple[torch.nn.Module, WanVAE]:
    reference = diffusers_vae(CFG, seed)
    ours = WanVAE(CFG).eval()
    ours.load_state_dict(vae_key_map(CFG).convert(reference.state_dict()), strict=True)
    return reference, ours


def video(frames: int = 9, seed: int = 2) -> torch.Tensor:
    return torch.rand(1, 3, frames, 32, 48, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_encode_matches_diffusers_whole_and_streamed() -> None:
    reference, ours = pair()
    x = video()
    with torch.no_grad():
        expected = reference.encode(x).latent_dist.mean
        whole = ours.encode(x, normalize=False)
        streamed = ours.conv1(torch.cat(list(ours.encode_chunks(x)), dim=2)).chunk(2, dim=1)[0]
    assert whole.shape == (1, CFG.z_dim, 3, 4, 6)
    assert (whole - expected).abs().max().item() <= 1e-5
    assert (streamed - expected).abs().max().item() <= 1e-5


def test_decode_matches_diffusers_whole_and_streamed() -> None:
    reference, ours = pair(seed=1)
    z = torch.randn(1, CFG.z_dim, 3, 4, 6, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = reference.decode(z).sample
        whole = ours.decode(z, normalized=False)
        chunks = list(ours.decode_chunks(z, normalized=False))
    assert [c.shape[2] for c in chunks] == [1, 4, 4]  # first frame, then 4 frames per latent frame
    assert whole.shape == (1, 3, 9, 32, 48)
    assert (whole - expected).abs().max().item() <= 1e-5
    assert (torch.cat(chunks, dim=2) - expected).abs().max().item() <= 1e-5


def test_latent_normalisation_round_trip() -> None:
    _, ours = pair()
    x = video()
    with torch.no_grad():
        raw, normed = ours.encode(x, normalize=False), ours.encode(x)
        mean, std = ours.latent_stats(raw)
        assert torch.allclose(normed, (raw - mean) / std)
        assert torch.allclose(ours.decode(normed), ours.decode(raw, normalized=False), atol=1e-6)


def test_causality_earlier_frames_do_not_see_later_ones() -> None:
    _, ours = pair()
    x = video(frames=9)
    y = x.clone()
    y[:, :, 5:] = 0  # change only the last chunk
    with torch.no_grad():
        a, b = ours.encode(x, normalize=False), ours.encode(y, normalize=False)
    assert torch.equal(a[:, :, :2], b[:, :, :2]) and not torch.equal(a[:, :, 2], b[:, :, 2])


def test_official_pth_and_diffusers_safetensors_load_identically(tmp_path: Path) -> None:
    reference, ours = pair(seed=4)
    torch.save(ours.state_dict(), tmp_path / "Wan2.1_VAE.pth")
    (tmp_path / "vae").mkdir()
    save_file(reference.state_dict(), str(tmp_path / "vae" / "diffusion_pytorch_model.safetensors"))
    official = load_vae(tmp_path / "Wan2.1_VAE.pth", CFG).eval()
    diffusers = load_vae(tmp_path / "vae", CFG).eval()
    z = torch.randn(1, CFG.z_dim, 2, 4, 6)
    with torch.no_grad():
        assert torch.equal(official.decode(z), diffusers.decode(z))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_pth_loading_refuses_pickled_code(tmp_path: Path, capsys) -> None:
    import pickle

    from wanmodel.checkpoint import read_state_dict

    class Payload:
        def __reduce__(self):
            return (print, ("this must never run",))

    torch.save({"w": Payload()}, tmp_path / "zip.pth")
    with open(tmp_path / "legacy.pth", "wb") as handle:
        pickle.dump({"w": Payload()}, handle)
    for name in ("zip.pth", "legacy.pth"):
        with pytest.raises(Exception, match="(?i)weights.only|unsupported|unpickl|magic"):
            read_state_dict(tmp_path / name)
    assert "this must never run" not in capsys.readouterr().out
