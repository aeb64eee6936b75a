"""The Wan 2.1 causal 3D VAE: 4x8x8 compression, causal Conv3d, RMS norms, chunked streaming.

Module names follow the official ``Wan2.1_VAE.pth`` keys (``encoder.downsamples.0.residual.0.gamma``,
``decoder.upsamples.3.time_conv.weight``, ``conv1``, ``conv2``), so that file loads strictly.

Time is causal: every temporal convolution sees only the current and past frames. Video is encoded
as its first frame, then chunks of 4 frames (one latent frame each), and decoded one latent frame
at a time; what each convolution needs from the previous chunk lives in a ``VAECache`` (one slot
per module, keyed by the module itself), so memory does not grow with the video's length.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from wanmodel.configs import VAEConfig

CACHE_FRAMES = 2  # a kernel-3 causal conv needs the two previous input frames


class VAECache:
    """Causal state of one streaming encode or decode: per module, what it kept from the last chunk.
    Lives for one encode or decode (it holds its modules, by identity)."""

    def __init__(self) -> None:
        self._slots: dict[nn.Module, Any] = {}

    def get(self, module: nn.Module) -> Any:
        return self._slots.get(module)

    def set(self, module: nn.Module, value: Any) -> None:
        self._slots[module] = value


def keep_last_frames(x: torch.Tensor, previous: torch.Tensor | None) -> torch.Tensor:
    """The last CACHE_FRAMES input frames, topped up from the previous chunk when x is shorter."""
    last = x[:, :, -CACHE_FRAMES:].clone()
    if last.shape[2] < CACHE_FRAMES and previous is not None:
        last = torch.cat([previous[:, :, -1:].to(last.device), last], dim=2)
    return last


class CausalConv3d(nn.Conv3d):
    """Conv3d padded only on the past side in time; with a cache, the past is the previous chunk.
    ``forward`` is its one entry point."""

    def __init__(
        self, in_dim: int, out_dim: int, kernel_size, stride=1, padding: int | tuple[int, int, int] = 0
    ) -> None:
        super().__init__(in_dim, out_dim, kernel_size, stride=stride, padding=0)  # padded in forward instead
        pt, ph, pw = (padding, padding, padding) if isinstance(padding, int) else padding
        self.causal_padding = (pw, pw, ph, ph, 2 * pt, 0)  # F.pad order: W, H, then T (past only)

    def forward(self, x: torch.Tensor, cache: VAECache | None = None) -> torch.Tensor:
        padding = list(self.causal_padding)
        if cache is not None and padding[4] > 0:
            previous = cache.get(self)
            cache.set(self, keep_last_frames(x, previous))
            if previous is not None:
                x = torch.cat([previous.to(x.device), x], dim=2)
                padding[4] -= previous.shape[2]
        return super().forward(F.pad(x, padding))


class RMSNorm(nn.Module):
    """x / ||x||_channels * sqrt(C) * gamma (channel-first)."""

    def __init__(self, dim: int, images: bool = True) -> None:
        super().__init__()
        self.scale = dim**0.5
        self.gamma = nn.Parameter(torch.ones(dim, *((1, 1) if images else (1, 1, 1))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(x.float(), dim=1).type_as(x) * self.scale * self.gamma.type_as(x)


class Upsample(nn.Upsample):
    """Nearest-exact upsampling computed in float32 (bf16 interpolation is not exact)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.float()).type_as(x)


class ResidualBlock(nn.Module):
    def __init__(self, in_dim: int, out_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.residual = nn.Sequential(
            RMSNorm(in_dim, images=False),
            nn.SiLU(),
            CausalConv3d(in_dim, out_dim, 3, padding=1),
            RMSNorm(out_dim, images=False),
            nn.SiLU(),
            nn.Dropout(dropout),
            CausalConv3d(out_dim, out_dim, 3, padding=1),
        )
        self.shortcut = CausalConv3d(in_dim, out_dim, 1) if in_dim != out_dim else nn.Identity()

    def forward(self, x: torch.Tensor, cache: VAECache | None = None) -> torch.Tensor:
        norm1, act1, conv1, norm2, act2, dropout, conv2 = self.residual
        h = self.shortcut(x)
        x = conv1(act1(norm1(x)), cache)
        x = conv2(dropout(act2(norm2(x))), cache)
        return x + h


class AttentionBlock(nn.Module):
    """Single-head self-attention over the pixels of each frame (no mixing across time)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm = RMSNorm(dim)
        self.to_qkv = nn.Conv2d(dim, dim * 3, 1)
        self.proj = nn.Conv2d(dim, dim, 1)

    def forward(self, x: torch.Tensor, cache: VAECache | None = None) -> torch.Tensor:
        b, c, t, h, w = x.shape
        frames = x.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w)
        qkv = self.to_qkv(self.norm(frames)).reshape(b * t, 1, c * 3, h * w).permute(0, 1, 3, 2)
        q, k, v = qkv.contiguous().chunk(3, dim=-1)  # each [b*t, 1, h*w, c]
        out = F.scaled_dot_product_attention(q, k, v).squeeze(1).permute(0, 2, 1).reshape(b * t, c, h, w)
        out = self.proj(out).view(b, t, c, h, w).permute(0, 2, 1, 3, 4)
        return x + out


class Resample(nn.Module):
    """2x spatial up/down-sampling per frame, plus 2x in time for the ``*3d`` modes."""

    def __init__(self, dim: int, mode: str) -> None:
        super().__init__()
        self.mode = mode
        if mode in ("upsample2d", "upsample3d"):
            self.resample = nn.Sequential(
                Upsample(scale_factor=(2.0, 2.0), mode="nearest-exact"), nn.Conv2d(dim, dim // 2, 3, padding=1)
            )
        elif mode in ("downsample2d", "downsample3d"):
            self.resample = nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(dim, dim, 3, stride=(2, 2)))
        else:
            raise ValueError(f"unknown resample mode {mode!r}")
        if mode == "upsample3d":
            self.time_conv = CausalConv3d(dim, dim * 2, (3, 1, 1), padding=(1, 0, 0))
        elif mode == "downsample3d":
            self.time_conv = CausalConv3d(dim, dim, (3, 1, 1), stride=(2, 1, 1), padding=(0, 0, 0))

    def forward(self, x: torch.Tensor, cache: VAECache | None = None) -> torch.Tensor:
        if self.mode == "upsample3d" and cache is not None:
            x = self._upsample_time(x, cache)
        b, c, t, h, w = x.shape
        frames = self.resample(x.permute(0, 2, 1, 3, 4).reshape(b * t, c, h, w))
        x = frames.view(b, t, *frames.shape[1:]).permute(0, 2, 1, 3, 4)
        if self.mode == "downsample3d" and cache is not None:
            x = self._downsample_time(x, cache)
        return x

    def _upsample_time(self, x: torch.Tensor, cache: VAECache) -> torch.Tensor:
        """Each frame becomes two, except the very first latent frame, which stays one (and is not
        part of the time convolution's past: the past starts as zeros)."""
        if cache.get(self) is None:  # this module's slot: whether the first latent frame went by
            cache.set(self, True)
            return x
        b, c, t, h, w = x.shape
        doubled = self.time_conv(x, cache).reshape(b, 2, c, t, h, w)  # [B, 2, C, T, H, W]
        return torch.stack((doubled[:, 0], doubled[:, 1]), dim=3).reshape(b, c, t * 2, h, w)

    def _downsample_time(self, x: torch.Tensor, cache: VAECache) -> torch.Tensor:
        """Stride-2 causal conv in time; the first chunk (one frame) passes through."""
        previous = cache.get(self)
        if previous is None:
            cache.set(self, x.clone())
            return x
        cache.set(self, x[:, :, -1:].clone())
        return self.time_conv(torch.cat([previous[:, :, -1:], x], dim=2))  # no temporal padding: past given


def _run(layers: nn.Sequential, x: torch.Tensor, cache: VAECache | None) -> torch.Tensor:
    for layer in layers:
        x = layer(x, cache)
    return x


class Encoder3d(nn.Module):
    def __init__(self, config: VAEConfig) -> None:
        super().__init__()
        dims = [config.dim * m for m in (1, *config.dim_mult)]
        scale = 1.0
        self.conv1 = CausalConv3d(3, dims[0], 3, padding=1)
        layers: list[nn.Module] = []
        for i, (in_dim, out_dim) in enumerate(zip(dims[:-1], dims[1:])):
            for _ in range(config.num_res_blocks):
                layers.append(ResidualBlock(in_dim, out_dim))
                if scale in config.attn_scales:
                    layers.append(AttentionBlock(out_dim))
                in_dim = out_dim
            if i != len(config.dim_mult) - 1:
                layers.append(Resample(out_dim, "downsample3d" if config.temporal_downsample[i] else "downsample2d"))
                scale /= 2.0
        self.downsamples = nn.Sequential(*layers)
        self.middle = nn.Sequential(
            ResidualBlock(dims[-1], dims[-1]), AttentionBlock(dims[-1]), ResidualBlock(dims[-1], dims[-1])
        )
        self.head = nn.Sequential(
            RMSNorm(dims[-1], images=False), nn.SiLU(), CausalConv3d(dims[-1], config.z_dim * 2, 3, padding=1)
        )

    def forward(self, x: torch.Tensor, cache: VAECache | None = None) -> torch.Tensor:
        x = self.conv1(x, cache)
        x = _run(self.middle, _run(self.downsamples, x, cache), cache)
        norm, act, conv = self.head
        return conv(act(norm(x)), cache)


class Decoder3d(nn.Module):
    def __init__(self, config: VAEConfig) -> None:
        super().__init__()
        mults = config.dim_mult
        dims = [config.dim * m for m in (mults[-1], *mults[::-1])]
        scale = 1.0 / 2 ** (len(mults) - 2)
        temporal_upsample = config.temporal_downsample[::-1]
        self.conv1 = CausalConv3d(config.z_dim, dims[0], 3, padding=1)
        self.middle = nn.Sequential(
            ResidualBlock(dims[0], dims[0]), AttentionBlock(dims[0]), ResidualBlock(dims[0], dims[0])
        )
        layers: list[nn.Module] = []
        for i, (in_dim, out_dim) in enumerate(zip(dims[:-1], dims[1:])):
            if i > 0:
                in_dim //= 2  # the previous upsampler halved the channels
            for _ in range(config.num_res_blocks + 1):
                layers.append(ResidualBlock(in_dim, out_dim))
                if scale in config.attn_scales:
                    layers.append(AttentionBlock(out_dim))
                in_dim = out_dim
            if i != len(mults) - 1:
                layers.append(Resample(out_dim, "upsample3d" if temporal_upsample[i] else "upsample2d"))
                scale *= 2.0
        self.upsamples = nn.Sequential(*layers)
        self.head = nn.Sequential(RMSNorm(dims[-1], images=False), nn.SiLU(), CausalConv3d(dims[-1], 3, 3, padding=1))

    def forward(self, x: torch.Tensor, cache: VAECache | None = None) -> torch.Tensor:
        x = self.conv1(x, cache)
        x = _run(self.upsamples, _run(self.middle, x, cache), cache)
        norm, act, conv = self.head
        return conv(act(norm(x)), cache)


def normalize_latents(mu: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Encoder mean -> the DiT's latents, in the official's arithmetic: times the reciprocal std."""
    return (mu - mean) * (1.0 / std)


def unnormalize_latents(latents: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """The DiT's latents -> the decoder's input, in the official's arithmetic, bit for bit: divided by
    the reciprocal std (``latents * std`` rounds differently and flips a few uint8 values)."""
    return latents / (1.0 / std) + mean


class WanVAE(nn.Module):
    def __init__(self, config: VAEConfig = VAEConfig()) -> None:
        super().__init__()
        self.config = config
        self.encoder = Encoder3d(config)
        self.conv1 = CausalConv3d(config.z_dim * 2, config.z_dim * 2, 1)
        self.conv2 = CausalConv3d(config.z_dim, config.z_dim, 1)
        self.decoder = Decoder3d(config)

    def latent_stats(self, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-channel mean and std of the latents, shaped [1, z, 1, 1, 1] like ``like``.
        Built from the config (not buffers), so meta-device construction leaves nothing to fill."""
        shape = (1, -1, 1, 1, 1)
        mean = torch.tensor(self.config.latents_mean, device=like.device, dtype=like.dtype).view(shape)
        std = torch.tensor(self.config.latents_std, device=like.device, dtype=like.dtype).view(shape)
        return mean, std

    def encode_chunks(self, video: torch.Tensor) -> Iterator[torch.Tensor]:
        """video [B, 3, T, H, W] in [-1, 1] -> raw encoder output [B, 2z, t, h, w] per chunk
        (the first frame, then 4 frames at a time)."""
        cache = VAECache()
        frames = video.shape[2]
        yield self.encoder(video[:, :, :1], cache)
        for start in range(1, frames, self.config.temporal_stride):
            yield self.encoder(video[:, :, start : start + self.config.temporal_stride], cache)

    def encode(
        self,
        video: torch.Tensor,
        normalize: bool = True,
        sample: bool = False,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """video [B, 3, 1+4k, H, W] in [-1, 1] -> latents [B, z, 1+k, H/8, W/8] (the posterior mean
        unless ``sample``), normalised with the latent statistics unless ``normalize=False``."""
        moments = self.conv1(torch.cat(list(self.encode_chunks(video)), dim=2))
        mu, log_var = moments.chunk(2, dim=1)
        if sample:
            std = torch.exp(0.5 * log_var.clamp(-30.0, 20.0))
            mu = mu + std * torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        if not normalize:
            return mu
        return normalize_latents(mu, *self.latent_stats(mu))

    def decode_chunks(self, latents: torch.Tensor, normalized: bool = True) -> Iterator[torch.Tensor]:
        """latents [B, z, t, h, w] -> frames in [-1, 1], one latent frame at a time (1 frame, then 4 each)."""
        if normalized:
            latents = unnormalize_latents(latents, *self.latent_stats(latents))
        z = self.conv2(latents)
        cache = VAECache()
        for i in range(z.shape[2]):
            yield self.decoder(z[:, :, i : i + 1], cache).clamp(-1.0, 1.0)

    def decode(self, latents: torch.Tensor, normalized: bool = True) -> torch.Tensor:
        return torch.cat(list(self.decode_chunks(latents, normalized)), dim=2)
