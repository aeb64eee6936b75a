"""Baseline adapters over the real diffusers pipeline classes, on tiny random instances of each
(tests/diffusers_tiny.py) saved with save_pretrained: generate, a two-prompt eval through the CLI,
frames, frame rate and seeds; option checking; the recipes' settings reaching the pipeline."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import write_suite
from tests.diffusers_tiny import TINY, save_tiny
from tests.wanmodel_helpers import write_diffusers_pipeline
from wanbench.adapters.base import AdapterError, make_adapter
from wanbench.adapters.recipes import RECIPES
from wanbench.cli import app
from wanbench.prompts.suite import prompt_from_dict
from wanbench.video import read_video

PROMPT = prompt_from_dict({"id": "p", "text": "a red car races", "dimensions": ["large_motion"]})
WAN_SMALL = {"steps": 2, "frames": 5, "width": 32, "height": 32}


@pytest.fixture(scope="module")
def pipeline_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_diffusers_pipeline(tmp_path_factory.mktemp("diffusers-wan"))


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory):
    """name -> the saved tiny pipeline for that adapter, built once per module."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = save_tiny(name, tmp_path_factory.mktemp(name))
        return built[name]

    return get


def as_options(values: dict) -> list[str]:
    return [f"--option={k}={v}" for k, v in values.items()]


@pytest.mark.parametrize("name", list(TINY))
def test_each_baseline_generates_and_evaluates_its_real_pipeline_class(name: str, tmp_path: Path, tiny_folder) -> None:
    tiny, recipe = TINY[name], RECIPES[name]
    folder = tiny_folder(name)
    adapter = make_adapter(name, weights=str(folder), **tiny.sizes, **tiny.options)
    assert adapter.pipeline_class == recipe.pipeline
    first = read_video(adapter.generate(PROMPT, 0, tmp_path / "a.mp4"))
    other = read_video(adapter.generate(PROMPT, 1, tmp_path / "b.mp4"))
    size = tiny.sizes
    assert first.frames.shape == (tiny.frames_out, size["height"], size["width"], 3)
    assert first.fps == pytest.approx(recipe.fps.value)
    assert not np.array_equal(first.frames, other.frames)

    # a two-prompt eval through the CLI, in a new adapter; prompt "a" at seed 0 is the video above
    suite = write_suite(
        tmp_path / "s.jsonl",
        [
            {"id": "a", "text": PROMPT.text, "dimensions": ["large_motion"]},
            {"id": "b", "text": "the cat jumps over the fence", "dimensions": ["large_motion"]},
        ],
    )
    run = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "--model",
            name,
            "--suite",
            str(suite),
            "--out",
            str(run),
            "--quiet",
            "--no-report",
            "--dims",
            "large_motion",
            "--flow",
            "dis",
            *as_options({"weights": folder, **size, **tiny.options}),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 videos generated, 2 scores, 0 missing, 0 not applicable, 0 errors" in result.output
    again = read_video(run / "videos" / name / "a-s0.mp4")
    assert again.fps == pytest.approx(recipe.fps.value)
    np.testing.assert_array_equal(first.frames, again.frames)  # same seed, fresh load: same pixels


def test_the_recipe_reaches_the_pipeline(tiny_folder) -> None:
    """CogVideoX-5B: the DPM scheduler with trailing spacing and dynamic CFG, as its authors run it."""
    folder = tiny_folder("cogvideox-5b")
    adapter = make_adapter("cogvideox-5b", weights=str(folder), **TINY["cogvideox-5b"].sizes)
    pipe = adapter.pipeline()
    assert type(pipe.scheduler).__name__ == "CogVideoXDPMScheduler"  # the tiny folder saved a DDIMScheduler
    assert pipe.scheduler.config.timestep_spacing == "trailing"
    call = adapter.call_arguments(pipe, "a red car races", 0)
    assert call["use_dynamic_cfg"] is True and call["guidance_scale"] == 6.0 and call["max_sequence_length"] == 16
    assert call["num_frames"] == 9 and call["num_inference_steps"] == 2  # options win over the recipe
    changed = make_adapter("cogvideox-5b", weights=str(folder), use_dynamic_cfg=False, scheduler="DDIMScheduler")
    assert changed.call["use_dynamic_cfg"] is False and changed.scheduler_config == {}
    assert make_adapter("cogvideox-5b", weights=str(folder)).call["num_frames"] == 49


def test_mixed_precision_recipe_and_two_experts(tmp_path: Path, tiny_folder) -> None:
    """Mochi's DiT in bfloat16 between float32 text encoder and VAE; Wan 2.2 A14B's experts and boundary."""
    mochi = tiny_folder("mochi")
    adapter = make_adapter("mochi", weights=str(mochi), **TINY["mochi"].sizes)
    assert adapter.dtypes("cuda") == {
        "default": "bfloat16",
        "transformer": "bfloat16-linear",
        "text_encoder": "float32",
        "vae": "float32",
    }
    assert adapter.dtypes("cpu") == {"default": "float32"}
    assert adapter.dtypes("cuda:1") == adapter.dtypes("cuda")  # any GPU runs the recipe's dtypes
    assert adapter.config == {"force_zeros_for_empty_prompt": True}
    mixed = make_adapter("mochi", weights=str(mochi), **{"dtype.transformer": "bfloat16"}, **TINY["mochi"].sizes)
    pipe = mixed.pipeline()
    import torch

    assert pipe.transformer.dtype == torch.bfloat16 and pipe.vae.dtype == torch.float32
    assert pipe.config.force_zeros_for_empty_prompt is True
    video = read_video(mixed.generate(PROMPT, 0, tmp_path / "m.mp4"))
    assert video.frames.shape[0] == 7

    wan = tiny_folder("wan2.2-t2v-a14b")
    a14b = make_adapter("wan2.2-t2v-a14b", weights=str(wan), **TINY["wan2.2-t2v-a14b"].sizes)
    pipe = a14b.pipeline()
    assert pipe.transformer_2 is not None and pipe.config.boundary_ratio == 0.875
    assert pipe.scheduler.config.flow_shift == 12.0
    call = a14b.call_arguments(pipe, "a red car races", 0)
    assert (call["guidance_scale"], call["guidance_scale_2"]) == (4.0, 3.0)
    # the boundary decides which expert denoises: moving it changes the video
    base = read_video(a14b.generate(PROMPT, 0, tmp_path / "w0.mp4")).frames
    low_only = make_adapter(
        "wan2.2-t2v-a14b", weights=str(wan), **{"config.boundary_ratio": 0.999}, **TINY["wan2.2-t2v-a14b"].sizes
    )
    assert not np.array_equal(base, read_video(low_only.generate(PROMPT, 0, tmp_path / "w1.mp4")).frames)


def test_unknown_options_are_refused_with_a_did_you_mean_before_weights_are_looked_for() -> None:
    with pytest.raises(AdapterError, match=r"unknown option 'max_sequence_lenght' .*did you mean max_sequence_length"):
        make_adapter("cogvideox-5b", max_sequence_lenght=16)
    with pytest.raises(AdapterError, match=r"did you mean decode_timestep"):
        make_adapter("ltx-video", decode_timestpe=0.05)
    with pytest.raises(
        AdapterError,
        match=r"unknown option 'scheduler.timestep_spacin' .*did you mean "
        r"scheduler.timestep_spacing",
    ):
        make_adapter("cogvideox-5b", **{"scheduler.timestep_spacin": "trailing"})
    with pytest.raises(AdapterError, match=r"no scheduler 'CogVideoXDPMScheduer'; did you mean CogVideoXDPMScheduler"):
        make_adapter("cogvideox-5b", scheduler="CogVideoXDPMScheduer")
    with pytest.raises(AdapterError, match=r"dtype.vae must be one of"):
        make_adapter("mochi", **{"dtype.vae": "float8"})
    with pytest.raises(AdapterError, match=r"unknown option 'dtype.text_encoder_2'"):
        make_adapter("mochi", **{"dtype.text_encoder_2": "float32"})
    with pytest.raises(AdapterError, match=r"negative_prompt has no effect while true_cfg_scale <= 1"):
        make_adapter("hunyuan-video", negative_prompt="blurry")


def test_named_baselines_without_weights_say_where_they_looked_and_how_to_fetch() -> None:
    with pytest.raises(
        AdapterError,
        match=r"hunyuan-video: weights not found \(no model_index.json in .*HunyuanVideo\); "
        r"looked in .*HunyuanVideo and the "
        r"Hugging Face cache \(hunyuanvideo-community/HunyuanVideo\); fetch them "
        r"with: hf download",
    ):
        make_adapter("hunyuan-video", true_cfg_scale=6.0, negative_prompt="blurry")
    with pytest.raises(AdapterError, match="weights=DIR"):
        make_adapter("diffusers")


def test_a_named_baseline_refuses_another_models_folder(pipeline_folder: Path, tmp_path: Path) -> None:
    with pytest.raises(AdapterError, match="holds a WanPipeline pipeline, expected MochiPipeline"):
        make_adapter("mochi", weights=str(pipeline_folder))
    with pytest.raises(AdapterError, match="not a diffusers pipeline folder"):
        make_adapter("diffusers", weights=str(tmp_path))


def test_any_diffusers_folder_takes_pipeline_arguments(pipeline_folder: Path, tmp_path: Path) -> None:
    adapter = make_adapter("diffusers", weights=str(pipeline_folder), fps=12, **WAN_SMALL)
    steps = []
    adapter.step_callback = lambda done, total: steps.append((done, total))
    first = read_video(adapter.generate(PROMPT, 0, tmp_path / "a.mp4"))
    assert first.frames.shape == (5, 32, 32, 3) and first.fps == pytest.approx(12)
    assert steps == [(1, 2), (2, 2)]
    info = adapter.info()
    assert info["pipeline"] == "WanPipeline" and info["settings"]["call"]["num_inference_steps"] == 2
    assert any(name.endswith(".safetensors") for name in info["files"])
    # a pipeline argument the adapter has no short name for goes straight through
    shorter = make_adapter("diffusers", weights=str(pipeline_folder), max_sequence_length=8, **WAN_SMALL)
    assert shorter.call_arguments(shorter.pipeline(), "a red car races", 0)["max_sequence_length"] == 8
    with pytest.raises(AdapterError, match="did you mean guidance_scale"):
        make_adapter("diffusers", weights=str(pipeline_folder), guidance_scal=3)


def test_models_lists_each_recipe_and_where_its_weights_come_from() -> None:
    result = CliRunner().invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.output
    import json

    rows = {row["model"]: row for row in json.loads(result.output)}
    assert set(RECIPES) <= set(rows)
    cog = rows["cogvideox-5b"]
    assert cog["weights"].startswith("Hugging Face THUDM/CogVideoX-5b")
    assert cog["recipe"]["scheduler"]["value"] == ["CogVideoXDPMScheduler", {"timestep_spacing": "trailing"}]
    assert "cli_demo.py" in cog["recipe"]["call"]["use_dynamic_cfg"]["source"]
    assert rows["wan2.2-t2v-a14b"]["recipe"]["config"]["boundary_ratio"]["value"] == 0.875
    table = CliRunner().invoke(app, ["models"])
    assert table.exit_code == 0 and "wan2.2-t2v-a14b" in table.output and "sana-video-2b" in table.output


def test_authors_recipes_issue_30(tmp_path: Path, tiny_folder) -> None:
    """Issue 30 item 15: the baselines as their authors run them (values and sources)."""
    assert RECIPES["mochi"].call["guidance_scale"].value == 6.0
    assert "genmoai/mochi demos/cli.py" in RECIPES["mochi"].call["guidance_scale"].source
    assert RECIPES["ltx-video"].call["num_inference_steps"].value == 40
    assert RECIPES["ltx-video"].call["decode_timestep"].value == 0.05
    assert RECIPES["skyreels-v2-t2v-14b"].call["num_inference_steps"].value == 50
    assert RECIPES["sana-video-2b"].scheduler.value == (None, {"flow_shift": 7.0})
    # Mochi: Linear layers in bfloat16, every other parameter in float32, and it still generates
    import torch

    mochi = tiny_folder("mochi")
    linear = make_adapter(
        "mochi", weights=str(mochi), **{"dtype.transformer": "bfloat16-linear"}, **TINY["mochi"].sizes
    )
    transformer = linear.pipeline().transformer
    kinds = {
        (isinstance(m, torch.nn.Linear), p.dtype) for m in transformer.modules() for p in m.parameters(recurse=False)
    }
    assert kinds == {(True, torch.bfloat16), (False, torch.float32)}
    video = read_video(linear.generate(PROMPT, 0, tmp_path / "m.mp4"))
    assert video.frames.shape[0] == 7 and video.frames.std() > 0
    # LTX 0.9's VAE is not timestep-conditioned: the decode settings are left out of its call
    ltx = make_adapter("ltx-video", weights=str(tiny_folder("ltx-video")), **TINY["ltx-video"].sizes)
    pipe = ltx.pipeline()
    assert not pipe.vae.config.timestep_conditioning
    assert "decode_timestep" in ltx.call and "decode_timestep" not in ltx.call_arguments(pipe, "a cat", 0)
    # SANA-Video: the saved scheduler, shifted as Sana's config says
    sana = make_adapter("sana-video-2b", weights=str(tiny_folder("sana-video-2b")), **TINY["sana-video-2b"].sizes)
    assert sana.pipeline().scheduler.config.flow_shift == 7.0
    # HunyuanVideo: true CFG without a negative prompt would silently run no CFG
    with pytest.raises(AdapterError, match="true_cfg_scale > 1 needs a negative prompt"):
        make_adapter("hunyuan-video", true_cfg_scale=6.0)
