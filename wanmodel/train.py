"""Rectified-flow training of the DiT: loss, timestep sampling, an AdamW step, checkpoints.

Path and target (the convention the samplers use): x_t = sigma * noise + (1 - sigma) * x0, and the
model predicts the velocity noise - x0 at timestep sigma * 1000. Noise and timesteps for step k
come from a generator seeded with (seed, k), so a run resumed from a checkpoint continues exactly
as the uninterrupted run would have. Optional: a cosine learning-rate decay over ``total_steps`` and
an exponential moving average of the weights (the weights one samples with: averaging over the
last few thousand steps removes the noise of the final updates).
"""

from __future__ import annotations

import json
import math
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from wanmodel.dit import WanDiT
from wanmodel.schedulers import NUM_TRAIN_TIMESTEPS, shift_sigmas


@dataclass(frozen=True)
class TrainConfig:
    lr: float = 1e-4
    weight_decay: float = 0.0
    beta1: float = 0.9
    beta2: float = 0.999
    grad_clip: float = 1.0
    timestep_sampling: str = "logit_normal"  # or "uniform"
    shift: float = 1.0  # applied to sampled sigmas, as at inference
    amp_dtype: str | None = "bfloat16"  # autocast dtype for the forward; None: full fp32
    seed: int = 0
    lr_schedule: str = "constant"  # or "cosine": from lr down to lr * min_lr_ratio at total_steps
    total_steps: int = 0  # length of the cosine schedule
    min_lr_ratio: float = 0.0
    ema_decay: float = 0.0  # 0: no moving average; e.g. 0.999 averages over about 1,000 steps

    def lr_at(self, step: int) -> float:
        """Learning rate for optimisation step ``step`` (0-based)."""
        if self.lr_schedule == "constant":
            return self.lr
        if self.lr_schedule == "cosine":
            if self.total_steps <= 0:
                raise ValueError("the cosine schedule needs total_steps > 0")
            progress = min(1.0, step / self.total_steps)
            return self.lr * (self.min_lr_ratio + (1 - self.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))
        raise ValueError(f"unknown lr schedule {self.lr_schedule!r}")


def sample_sigmas(batch: int, config: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    """sigma in (0, 1) per sample: logit-normal (more weight mid-path) or uniform, then shifted."""
    if config.timestep_sampling == "logit_normal":
        sigmas = torch.sigmoid(torch.randn(batch, generator=generator))
    elif config.timestep_sampling == "uniform":
        sigmas = torch.rand(batch, generator=generator)
    else:
        raise ValueError(f"unknown timestep sampling {config.timestep_sampling!r}")
    return shift_sigmas(sigmas.clamp(1e-4, 1 - 1e-4), config.shift)


def flow_matching_loss(
    dit: WanDiT, x0: torch.Tensor, context: torch.Tensor, sigmas: torch.Tensor, noise: torch.Tensor
) -> torch.Tensor:
    """Mean squared error between the predicted and the true velocity (noise - x0)."""
    s = sigmas.view(-1, 1, 1, 1, 1).to(x0)
    x_t = s * noise + (1 - s) * x0
    prediction = dit(x_t, sigmas.to(x0.device) * NUM_TRAIN_TIMESTEPS, context)
    return F.mse_loss(prediction.float(), (noise - x0).float())


class Trainer:
    def __init__(self, dit: WanDiT, config: TrainConfig = TrainConfig()) -> None:
        self.dit, self.config = dit.train(), config
        self.optimizer = torch.optim.AdamW(
            dit.parameters(), lr=config.lr, betas=(config.beta1, config.beta2), weight_decay=config.weight_decay
        )
        self.step_count = 0
        self.history: list[dict] = []
        self.ema: dict[str, torch.Tensor] | None = None
        if config.ema_decay > 0:
            self.ema = {k: v.detach().clone().float() for k, v in dit.state_dict().items()}

    def _autocast(self, device: torch.device):
        if self.config.amp_dtype is None:
            return nullcontext()
        return torch.autocast(device.type, dtype=getattr(torch, self.config.amp_dtype))

    def step(self, latents: torch.Tensor, context: torch.Tensor) -> dict:
        """One optimisation step on a batch of (normalised) latents and text contexts."""
        generator = torch.Generator().manual_seed(self.config.seed * 1_000_003 + self.step_count)
        sigmas = sample_sigmas(latents.shape[0], self.config, generator)
        noise = torch.randn(latents.shape, generator=generator).to(latents)
        with self._autocast(latents.device):
            loss = flow_matching_loss(self.dit, latents, context, sigmas, noise)
        lr = self.config.lr_at(self.step_count)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = float(torch.nn.utils.clip_grad_norm_(self.dit.parameters(), self.config.grad_clip))
        self.optimizer.step()
        self._update_ema()
        self.step_count += 1
        record = {"step": self.step_count, "loss": float(loss.detach()), "grad_norm": grad_norm, "lr": lr}
        if not math.isfinite(record["loss"]):
            raise FloatingPointError(f"loss became {record['loss']} at step {self.step_count}")
        self.history.append(record)
        return record

    @torch.no_grad()
    def _update_ema(self) -> None:
        if self.ema is None:
            return
        decay = self.config.ema_decay
        for name, value in self.dit.state_dict().items():
            self.ema[name].mul_(decay).add_(value.detach().float(), alpha=1 - decay)

    def sampling_state_dict(self) -> dict[str, torch.Tensor]:
        """The weights to sample with: the moving average when there is one, else the live weights."""
        live = self.dit.state_dict()
        if self.ema is None:
            return {k: v.detach().contiguous() for k, v in live.items()}
        return {k: self.ema[k].to(live[k].dtype).contiguous() for k in live}

    def save(self, folder: str | Path) -> Path:
        """model.safetensors (official key names), optimizer.pt, state.json (step, config, history),
        and model_ema.safetensors when a moving average is kept."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file(
            {k: v.detach().contiguous() for k, v in self.dit.state_dict().items()}, str(folder / "model.safetensors")
        )
        if self.ema is not None:
            save_file({k: v.contiguous() for k, v in self.ema.items()}, str(folder / "model_ema.safetensors"))
        torch.save(self.optimizer.state_dict(), folder / "optimizer.pt")
        (folder / "state.json").write_text(
            json.dumps({"step": self.step_count, "config": asdict(self.config), "history": self.history}, indent=1)
        )
        return folder

    def resume(self, folder: str | Path) -> None:
        folder = Path(folder)
        self.dit.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True)
        self.optimizer.load_state_dict(torch.load(folder / "optimizer.pt", weights_only=True))
        if self.ema is not None:
            self.ema = load_file(str(folder / "model_ema.safetensors"))
        state = json.loads((folder / "state.json").read_text())
        self.step_count, self.history = state["step"], state["history"]
