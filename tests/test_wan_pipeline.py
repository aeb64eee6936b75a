"""Text to video end to end with a tiny random Wan release: pipeline, adapters, CLI."""

from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from typer.testing import CliRunner

from tests.conftest import write_suite
from tests.wanmodel_helpers import write_tiny_release
from wanbench.adapters.base import AdapterError, make_adapter
from wanbench.cli import app
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.video import read_video
from wanmodel.configs import get_config
from wanmodel.pipeline import SamplingConfig, WanPipeline

SMALL = SamplingConfig(steps=3, frames=5, width=32, height=32, guidance=4.0)


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wan-tiny")
    write_tiny_release(folder)
    return folder


@pytest.fixture(scope="module")
def pipeline(release: Path) -> WanPipeline:
    return WanPipeline.from_weights(release, get_config("tiny"))


def test_same_seed_same_frames(pipeline: WanPipeline) -> None:
    a = pipeline.generate("a red car races", seed=7, sampling=SMALL)
    b = pipeline.generate("a red car races", seed=7, sampling=SMALL)
    c = pipeline.generate("a red car races", seed=8, sampling=SMALL)
    assert a.shape == (5, 32, 32, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_guidance_and_prompts_change_the_result(pipeline: WanPipeline) -> None:
    base = pipeline.generate("a red car races", seed=1, sampling=SMALL)
    other = pipeline.generate("the camera pans left", seed=1, sampling=SMALL)
    no_cfg = pipeline.generate(
        "a red car races", seed=1, sampling=SamplingConfig(**{**SMALL.__dict__, "guidance": 1.0})
    )
    assert not np.array_equal(base, other) and not np.array_equal(base, no_cfg)
    euler = pipeline.generate(
        "a red car races", seed=1, sampling=SamplingConfig(**{**SMALL.__dict__, "sampler": "euler"})
    )
    assert not np.array_equal(base, euler)


def test_precomputed_context_after_releasing_the_text_encoder(release: Path) -> None:
    pipe = WanPipeline.from_weights(release, get_config("tiny"))
    expected = pipe.generate("a corgi surfing at sunset", seed=3, sampling=SMALL)
    cond, uncond = pipe.encode_text(["a corgi surfing at sunset", SMALL.negative_prompt]).chunk(2)
    pipe.release_text_encoder()
    assert np.array_equal(pipe.generate("", seed=3, sampling=SMALL, context=(cond, uncond)), expected)
    with pytest.raises(RuntimeError, match="released"):
        pipe.generate("x", seed=3, sampling=SMALL)


def test_bad_shapes_are_refused(pipeline: WanPipeline) -> None:
    with pytest.raises(ValueError, match="4k\\+1"):
        pipeline.generate("x", sampling=SamplingConfig(frames=8, width=32, height=32, steps=1))
    with pytest.raises(ValueError, match="multiples of 16"):
        pipeline.generate("x", sampling=SamplingConfig(frames=5, width=40, height=32, steps=1))


def test_guided_velocity_is_both_branches_of_one_batched_forward() -> None:
    from wanmodel.dit import WanDiT
    from wanmodel.guidance import cfg_denoiser, cond_and_uncond

    cfg = get_config("tiny").dit
    torch.manual_seed(0)
    dit = WanDiT(cfg).eval()
    x, t = torch.randn(1, cfg.in_dim, 2, 8, 8), torch.tensor([700])
    cond, uncond = torch.randn(1, cfg.text_len, cfg.text_dim), torch.randn(1, cfg.text_len, cfg.text_dim)
    with torch.no_grad():
        alone = dit(x, t.float(), cond), dit(x, t.float(), uncond)
        batched = cond_and_uncond(dit, x, t, cond, uncond)
        guided = cfg_denoiser(dit, cond, uncond, 4.0)(x, t)
        assert torch.equal(cfg_denoiser(dit, cond, uncond, 1.0)(x, t), alone[0])  # scale 1: one branch
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(batched, alone))
    assert torch.allclose(guided, alone[1] + 4.0 * (alone[0] - alone[1]), atol=1e-4)


def test_sampling_defaults_come_from_the_preset(pipeline: WanPipeline) -> None:
    """WanConfig.sampling is the one place a model's sampling defaults live: the pipeline, the wan
    adapters and `wanbench models` all read it; the releases keep the official values."""
    from wanbench.adapters.base import ADAPTERS
    from wanbench.adapters.catalog import wanmodel_line

    tiny = get_config("tiny").sampling
    assert pipeline.with_defaults() == tiny and (tiny.steps, tiny.shift) == (10, 3.0)
    assert pipeline.with_defaults(steps=4, guidance=None) == SamplingConfig(steps=4, shift=3.0)
    for preset in ("t2v-1.3b", "t2v-14b"):
        assert get_config(preset).sampling == SamplingConfig()  # the official 50 steps, shift 5, guidance 5
    assert SamplingConfig().steps == 50 and SamplingConfig().shift == SamplingConfig().guidance == 5.0
    assert "steps=10, shift=3.0" in wanmodel_line(ADAPTERS.get("wan-tiny"))
    assert "steps=50, shift=5.0" in wanmodel_line(ADAPTERS.get("wan-1.3b"))


def test_wan_tiny_adapter_in_an_eval(release: Path, tmp_path: Path) -> None:
    suite = write_suite(
        tmp_path / "s.jsonl",
        [
            {"id": "a", "text": "a red car races", "dimensions": ["large_motion"]},
            {
                "id": "b",
                "text": "the camera pans left",
                "dimensions": ["camera_control", "large_motion"],
                "camera": "pan_left",
            },
        ],
    )
    options = {"weights": str(release), "steps": 2, "frames": 9, "width": 32, "height": 32}
    summary = run_eval(EvalConfig(model="wan-tiny", suite=str(suite), out=tmp_path / "run", model_options=options))
    assert summary.generated == 2 and summary.ok == 3 and summary.exit_code == 0
    video = read_video(tmp_path / "run" / "videos" / "wan-tiny" / "a-s0.mp4")
    assert video.frames.shape == (9, 32, 32, 3) and video.fps == 16


def test_a_copied_release_resumes_the_run_and_a_changed_one_is_refused(release: Path, tmp_path: Path) -> None:
    """The adapter identifies its weights by content (sha256), not by folder or modification time."""
    import os
    import shutil

    from wanbench.run.runner import RunMismatchError

    suite = write_suite(tmp_path / "s.jsonl", [{"id": "a", "text": "a red car races", "dimensions": ["large_motion"]}])
    small = {"steps": 1, "frames": 5, "width": 32, "height": 32}

    def run(weights: Path):
        return run_eval(
            EvalConfig(
                model="wan-tiny",
                suite=str(suite),
                out=tmp_path / "run",
                model_options=small | {"weights": str(weights)},
            )
        )

    assert run(release).generated == 1
    copy = tmp_path / "copy"
    shutil.copytree(release, copy, copy_function=shutil.copyfile)  # same bytes, new paths and times
    later = (release / "Wan2.1_VAE.pth").stat().st_mtime_ns + 10**9
    for path in (p for p in copy.rglob("*") if p.is_file()):
        os.utime(path, ns=(later, later))
    original = make_adapter("wan-tiny", weights=str(release)).info()
    assert make_adapter("wan-tiny", weights=str(copy)).info() == original
    assert run(copy).generated == 0  # resumed: nothing regenerated
    dit = copy / "diffusion_pytorch_model.safetensors"
    data = bytearray(dit.read_bytes())
    data[-1] ^= 1  # one byte of the last tensor
    dit.write_bytes(data)
    changed = make_adapter("wan-tiny", weights=str(copy)).info()["files"]
    assert [k for k in changed if changed[k] != original["files"][k]] == [dit.name]
    with pytest.raises(RunMismatchError, match="other model settings"):
        run(copy)


def test_missing_weights_are_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANBENCH_HOME", str(tmp_path / "home"))
    with pytest.raises(AdapterError) as info:
        make_adapter("wan-1.3b")
    message = str(info.value)
    assert "\n" not in message and str(tmp_path / "home" / "Wan2.1-T2V-1.3B") in message
    assert "hf download Wan-AI/Wan2.1-T2V-1.3B" in message
    result = CliRunner().invoke(app, ["eval", "--model", "wan-14b", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "weights not found" in result.output and "Traceback" not in result.output
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "Wan2.1_VAE.pth").write_bytes(b"")
    with pytest.raises(AdapterError, match="missing diffusion_pytorch_model"):
        make_adapter("wan-tiny", weights=str(partial))


def test_generate_cli_with_wan_tiny(release: Path, tmp_path: Path) -> None:
    out = tmp_path / "corgi.mp4"
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--model",
            "wan-tiny",
            "--prompt",
            "a corgi surfing at sunset",
            "-o",
            str(out),
            "--steps",
            "2",
            "--frames",
            "5",
            "--size",
            "32x32",
            "--seed",
            "4",
            "--option",
            f"weights={release}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert read_video(out).frames.shape == (5, 32, 32, 3)


def test_cache_that_reuses_nothing_changes_nothing(pipeline: WanPipeline) -> None:
    from wanmodel.cache import CachePolicy, CacheStats

    sampling = SamplingConfig(**{**SMALL.__dict__, "steps": 8})
    plain = pipeline.generate("a red car races", seed=2, sampling=sampling)
    stats = CacheStats()
    never = CachePolicy(warmup=0, cooldown=0, uncond_every=1, skip_threshold=0.0)
    same = pipeline.generate("a red car races", seed=2, sampling=sampling, cache=never, cache_stats=stats)
    assert np.array_equal(plain, same)
    assert stats.forwards == 16 and stats.skipped == 0 and stats.uncond_reused == 0


def test_default_cache_saves_forwards(pipeline: WanPipeline) -> None:
    from wanmodel.cache import CachePolicy, CacheStats

    sampling = SamplingConfig(**{**SMALL.__dict__, "steps": 20})
    stats = CacheStats()
    cached = pipeline.generate("a red car races", seed=2, sampling=sampling, cache=CachePolicy(), cache_stats=stats)
    plain = pipeline.generate("a red car races", seed=2, sampling=sampling)
    assert stats.steps == 20 and stats.forwards < 40
    assert stats.forwards == 2 * (20 - stats.skipped - stats.uncond_reused) + stats.uncond_reused
    assert np.abs(cached.astype(int) - plain.astype(int)).mean() < 20  # close, not equal


def test_train_on_captioned_videos_and_generate_from_the_result(release: Path, tmp_path: Path) -> None:
    from wanbench.adapters.procedural import ProceduralAdapter
    from wanbench.prompts.suite import prompt_from_dict

    clips = tmp_path / "clips"
    procedural = ProceduralAdapter(width=64, height=48, frames=9, fps=8)
    for name, camera in (("pan", "pan_left"), ("zoom", "zoom_in")):
        prompt = prompt_from_dict(
            {"id": name, "text": f"the camera {camera}", "dimensions": ["camera_control"], "camera": camera}
        )
        procedural.generate(prompt, 0, clips / f"{name}.mp4")
        (clips / f"{name}.txt").write_text("the camera pans left" if name == "pan" else "a red car races")
    out = tmp_path / "train"
    common = ["--size", "32x32", "--frames", "5", "-o", str(out), "--ema", "0.9", "--lr-schedule", "cosine"]
    result = CliRunner().invoke(
        app, ["train", "--videos", str(clips), "--weights", str(release), "--steps", "4", "--save-every", "2", *common]
    )
    assert result.exit_code == 0, result.output
    state = (out / "checkpoint" / "state.json").read_text()
    assert '"step": 4' in state
    resumed = CliRunner().invoke(
        app, ["train", "--videos", str(clips), "--weights", str(release), "--steps", "6", *common, "--resume"]
    )
    assert resumed.exit_code == 0 and '"step": 6' in (out / "checkpoint" / "state.json").read_text()
    released = load_file(str(out / "release" / "diffusion_pytorch_model.safetensors"))
    averaged = load_file(str(out / "checkpoint" / "model_ema.safetensors"))
    last = load_file(str(out / "checkpoint" / "model.safetensors"))
    assert all(torch.equal(released[k], averaged[k]) for k in last)
    assert not all(torch.equal(released[k], last[k]) for k in last)
    adapter = make_adapter("wan-tiny", weights=str(out / "release"), steps=2, frames=5, width=32, height=32)
    made = adapter.generate(
        prompt_from_dict({"id": "x", "text": "the camera pans left", "dimensions": ["large_motion"]}),
        0,
        tmp_path / "x.mp4",
    )
    assert read_video(made).frames.shape == (5, 32, 32, 3)
    (clips / "pan.txt").unlink()
    missing = CliRunner().invoke(app, ["train", "--videos", str(clips), "--weights", str(release), "-o", str(out)])
    assert missing.exit_code == 2 and "no caption" in missing.output


def test_a_run_records_the_sampling_it_used_not_nulls(tmp_path) -> None:
    """Provenance shows the guidance and shift the run used (the preset's defaults when none were
    given), not the nulls of the options that were left out."""
    from wanbench.adapters.base import make_adapter

    used = make_adapter("wan-tiny").settings_used()["sampling"]
    assert used["guidance"] is not None and used["shift"] is not None and used["steps"] >= 1
    asked = make_adapter("wan-tiny", steps=3, guidance=2.5).settings_used()["sampling"]
    assert (asked["steps"], asked["guidance"], asked["shift"]) == (3, 2.5, used["shift"])
