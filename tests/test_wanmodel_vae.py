"""WanVAE: official parameter count, parity with diffusers, streamed (cached, chunk by chunk) equal to one
pass over the whole video, checkpoint layouts."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from tests.wanmodel_helpers import diffusers_vae
from wanmodel.checkpoint import load_vae, vae_key_map
from wanmodel.configs import VAEConfig, get_config
from wanmodel.vae import Resample, WanVAE, normalize_latents, unnormalize_latents

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


def whole_video_layer(layer: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """One layer over every frame at once, with no cache: causal convs pad the past with zeros, and
    the time resamplers act on the whole sequence. The streamed path must reproduce this.

    Time downsampling keeps frame 0 and then takes a stride-2 window over all frames; time upsampling
    keeps frame 0 single and doubles each later frame (its time conv's past starts at frame 1)."""
    if isinstance(layer, Resample) and layer.mode == "downsample3d":
        x = layer(x)  # without a cache: the per-frame spatial part only
        return torch.cat([x[:, :, :1], layer.time_conv(x)], dim=2)
    if isinstance(layer, Resample) and layer.mode == "upsample3d":
        b, c, t, h, w = x.shape
        pairs = layer.time_conv(x[:, :, 1:]).view(b, 2, c, t - 1, h, w).permute(0, 2, 3, 1, 4, 5)
        return layer(torch.cat([x[:, :, :1], pairs.reshape(b, c, 2 * (t - 1), h, w)], dim=2))
    return layer(x)


def encode_whole_video(vae: WanVAE, x: torch.Tensor) -> torch.Tensor:
    encoder = vae.encoder
    h = encoder.conv1(x)
    for layer in (*encoder.downsamples, *encoder.middle, *encoder.head):
        h = whole_video_layer(layer, h)
    return vae.conv1(h).chunk(2, dim=1)[0]


def decode_whole_video(vae: WanVAE, z: torch.Tensor) -> torch.Tensor:
    decoder = vae.decoder
    h = decoder.conv1(vae.conv2(z))
    for layer in (*decoder.middle, *decoder.upsamples, *decoder.head):
        h = whole_video_layer(layer, h)
    return h.clamp(-1.0, 1.0)


def test_encode_matches_diffusers_and_a_whole_video_pass() -> None:
    reference, ours = pair()
    x = video()
    with torch.no_grad():
        expected = reference.encode(x).latent_dist.mean
        streamed = ours.encode(x, normalize=False)
        whole = encode_whole_video(ours, x)
    assert streamed.shape == whole.shape == (1, CFG.z_dim, 3, 4, 6)
    assert (streamed - expected).abs().max().item() <= 1e-5
    assert (streamed - whole).abs().max().item() <= 1e-5


def test_decode_matches_diffusers_and_a_whole_video_pass() -> None:
    reference, ours = pair(seed=1)
    z = torch.randn(1, CFG.z_dim, 3, 4, 6, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = reference.decode(z).sample
        streamed = ours.decode(z, normalized=False)
        chunks = list(ours.decode_chunks(z, normalized=False))
        whole = decode_whole_video(ours, z)
    assert [c.shape[2] for c in chunks] == [1, 4, 4]  # first frame, then 4 frames per latent frame
    assert streamed.shape == whole.shape == (1, 3, 9, 32, 48)
    assert (streamed - expected).abs().max().item() <= 1e-5
    assert (streamed - whole).abs().max().item() <= 1e-5


def test_latent_normalisation_round_trip() -> None:
    _, ours = pair()
    x = video()
    with torch.no_grad():
        raw, normed = ours.encode(x, normalize=False), ours.encode(x)
        mean, std = ours.latent_stats(raw)
        assert torch.allclose(normed, (raw - mean) / std)
        assert torch.equal(normed, normalize_latents(raw, mean, std))
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


def test_latent_scaling_is_the_officials_arithmetic_bit_for_bit() -> None:
    """The official keeps ``1 / std`` and unscales as ``z / (1 / std) + mean``; ``z * std + mean`` rounds
    differently in float32 (it flipped one uint8 value in 110,592 after dpm++). Real Wan statistics:
    the tiny config's are zeros and ones, where every form agrees."""
    real = VAEConfig()
    shape = (1, -1, 1, 1, 1)
    mean = torch.tensor(real.latents_mean).view(shape)
    std = torch.tensor(real.latents_std).view(shape)
    z = torch.randn(1, real.z_dim, 3, 8, 8, generator=torch.Generator().manual_seed(3))
    reciprocal = 1.0 / std  # the official's stored scale
    assert torch.equal(unnormalize_latents(z, mean, std), z / reciprocal + mean)
    assert torch.equal(normalize_latents(z, mean, std), (z - mean) * reciprocal)
    # control: the forms differ on some values, so the equalities above can fail
    assert not torch.equal(z * std + mean, z / reciprocal + mean)
    assert not torch.equal((z - mean) / std, (z - mean) * reciprocal)
