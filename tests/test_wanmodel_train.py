"""Rectified-flow training: the loss is the velocity MSE, it goes down, and resuming is exact."""

from pathlib import Path

import pytest
import torch

from wanmodel.configs import get_config
from wanmodel.dit import WanDiT
from wanmodel.train import TrainConfig, Trainer, flow_matching_loss, sample_sigmas

CFG = get_config("tiny").dit


def batch(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(2, CFG.in_dim, 2, 4, 4, generator=g), torch.randn(2, CFG.text_len, CFG.text_dim, generator=g)


def test_loss_is_the_velocity_error() -> None:
    torch.manual_seed(0)
    dit = WanDiT(CFG).eval()
    x0, context = batch()
    noise = torch.randn_like(x0)
    sigmas = torch.tensor([0.3, 0.8])
    x_t = sigmas.view(-1, 1, 1, 1, 1) * noise + (1 - sigmas.view(-1, 1, 1, 1, 1)) * x0
    with torch.no_grad():
        expected = ((dit(x_t, sigmas * 1000, context) - (noise - x0)) ** 2).mean()
        assert torch.allclose(flow_matching_loss(dit, x0, context, sigmas, noise), expected)


def test_sigma_sampling_is_inside_the_unit_interval() -> None:
    g = torch.Generator().manual_seed(0)
    for method in ("logit_normal", "uniform"):
        s = sample_sigmas(1000, TrainConfig(timestep_sampling=method, shift=3.0), g)
        assert s.min() > 0 and s.max() < 1
    shifted = sample_sigmas(2000, TrainConfig(shift=3.0), torch.Generator().manual_seed(1))
    plain = sample_sigmas(2000, TrainConfig(shift=1.0), torch.Generator().manual_seed(1))
    assert shifted.mean() > plain.mean()  # the shift spends more steps at high noise


def test_training_lowers_the_loss_with_bf16_autocast_and_clipping() -> None:
    torch.manual_seed(0)
    trainer = Trainer(WanDiT(CFG), TrainConfig(lr=3e-3, grad_clip=0.5, amp_dtype="bfloat16"))
    x0, context = batch()
    losses = [trainer.step(x0, context)["loss"] for _ in range(60)]
    assert sum(losses[-10:]) / 10 < 0.7 * sum(losses[:10]) / 10
    assert all(r["grad_norm"] >= 0 for r in trainer.history)


def test_cosine_schedule_and_moving_average() -> None:
    config = TrainConfig(lr=1e-3, amp_dtype=None, lr_schedule="cosine", total_steps=4, min_lr_ratio=0.1, ema_decay=0.5)
    assert [round(config.lr_at(k), 8) for k in (0, 2, 4, 9)] == [1e-3, 5.5e-4, 1e-4, 1e-4]
    torch.manual_seed(0)
    trainer = Trainer(WanDiT(CFG), config)
    x0, context = batch(1)
    expected = {k: v.clone() for k, v in trainer.dit.state_dict().items()}
    for _ in range(3):
        trainer.step(x0, context)
        expected = {k: 0.5 * expected[k] + 0.5 * v for k, v in trainer.dit.state_dict().items()}
    assert [r["lr"] for r in trainer.history] == [config.lr_at(k) for k in range(3)]
    weights = trainer.sampling_state_dict()
    name = "blocks.0.self_attn.q.weight"
    assert torch.allclose(weights[name], expected[name], atol=1e-7)
    assert not torch.allclose(weights[name], trainer.dit.state_dict()[name])
    with pytest.raises(ValueError, match="total_steps"):
        TrainConfig(lr_schedule="cosine").lr_at(0)


def test_resume_continues_exactly(tmp_path: Path) -> None:
    config = TrainConfig(lr=1e-3, amp_dtype=None, lr_schedule="cosine", total_steps=6, ema_decay=0.9)
    x0, context = batch(1)
    torch.manual_seed(0)
    straight = Trainer(WanDiT(CFG), config)
    for _ in range(6):
        straight.step(x0, context)
    torch.manual_seed(0)
    first = Trainer(WanDiT(CFG), config)
    for _ in range(3):
        first.step(x0, context)
    first.save(tmp_path / "ckpt")
    torch.manual_seed(123)  # a different fresh model: resume must overwrite it completely
    resumed = Trainer(WanDiT(CFG), config)
    resumed.resume(tmp_path / "ckpt")
    for _ in range(3):
        resumed.step(x0, context)
    assert resumed.step_count == 6
    assert [r["loss"] for r in resumed.history] == [r["loss"] for r in straight.history]
    for (name, a), (_, b) in zip(straight.dit.state_dict().items(), resumed.dit.state_dict().items()):
        assert torch.equal(a, b), name
    for name, a in straight.sampling_state_dict().items():
        assert torch.equal(a, resumed.sampling_state_dict()[name]), name
