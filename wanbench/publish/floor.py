"""The floor: wan-tiny's architecture and text encoder with a random DiT and VAE.

Built exactly as scripts/evaluate_tiny_model.py builds it (torch seed 123, the ``tiny`` config), in
the official release layout, so the wan-tiny adapter loads it through its ordinary loading code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

TEXT_ENCODER = "models_t5_umt5-xxl-enc-bf16.pth"


def wan_tiny_weights() -> Path:
    """The committed wan-tiny release folder (package data)."""
    from importlib import resources

    return Path(str(resources.files("wanbench").joinpath("data/models/wan-tiny")))


def random_release(out: Path, seed: int = 123, trained: Path | None = None) -> Path:
    """Write the random-weights release into ``out`` (created) and return it."""
    import torch
    from safetensors.torch import save_file

    from wanmodel.configs import get_config
    from wanmodel.dit import WanDiT
    from wanmodel.vae import WanVAE

    trained = trained or wan_tiny_weights()
    config = get_config("tiny")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    dit = WanDiT(config.dit).state_dict()
    save_file({k: v.contiguous() for k, v in dit.items()}, str(out / "diffusion_pytorch_model.safetensors"))
    torch.save(WanVAE(config.vae).state_dict(), out / "Wan2.1_VAE.pth")
    shutil.copyfile(trained / TEXT_ENCODER, out / TEXT_ENCODER)
    shutil.copytree(trained / "google", out / "google", dirs_exist_ok=True)
    return out
