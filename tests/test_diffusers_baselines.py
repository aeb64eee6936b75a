"""Baseline adapters over diffusers pipelines, on a tiny random WanPipeline saved the diffusers way."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import write_suite
from tests.wanmodel_helpers import write_diffusers_pipeline
from wanbench.adapters.base import AdapterError, make_adapter
from wanbench.cli import app
from wanbench.suite import prompt_from_dict
from wanbench.video import read_video

PROMPT = prompt_from_dict({"id": "p", "text": "a red car races", "dimensions": ["large_motion"]})
SMALL = {"steps": 2, "frames": 5, "width": 32, "height": 32}


@pytest.fixture(scope="module")
def pipeline_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_diffusers_pipeline(tmp_path_factory.mktemp("diffusers-wan"))


def test_any_diffusers_folder_generates_seeded_videos_at_its_frame_rate(pipeline_folder: Path, tmp_path: Path) -> None:
    adapter = make_adapter("diffusers", weights=str(pipeline_folder), fps=12, **SMALL)
    steps = []
    adapter.step_callback = lambda done, total: steps.append((done, total))
    first = read_video(adapter.generate(PROMPT, 0, tmp_path / "a.mp4"))
    assert first.frames.shape == (5, 32, 32, 3) and first.fps == pytest.approx(12)
    assert steps == [(1, 2), (2, 2)]
    again = read_video(adapter.generate(PROMPT, 0, tmp_path / "b.mp4"))
    other = read_video(adapter.generate(PROMPT, 1, tmp_path / "c.mp4"))
    np.testing.assert_array_equal(first.frames, again.frames)
    assert not np.array_equal(first.frames, other.frames)
    info = adapter.info()
    assert info["pipeline"] == "WanPipeline" and info["settings"]["steps"] == 2
    assert any(name.endswith(".safetensors") for name in info["files"])


def test_named_baselines_without_weights_say_where_they_looked_and_how_to_fetch() -> None:
    with pytest.raises(AdapterError, match=r"hunyuan-video: weights not found; looked in .*HunyuanVideo and the "
                                           r"Hugging Face cache \(hunyuanvideo-community/HunyuanVideo\); fetch them "
                                           r"with: hf download"):
        make_adapter("hunyuan-video")
    with pytest.raises(AdapterError, match="weights=DIR"):
        make_adapter("diffusers")


def test_a_named_baseline_refuses_another_models_folder(pipeline_folder: Path, tmp_path: Path) -> None:
    with pytest.raises(AdapterError, match="holds a WanPipeline pipeline, expected MochiPipeline"):
        make_adapter("mochi", weights=str(pipeline_folder))
    with pytest.raises(AdapterError, match="not a diffusers pipeline folder"):
        make_adapter("diffusers", weights=str(tmp_path))


def test_eval_scores_a_diffusers_baseline(pipeline_folder: Path, tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s.jsonl", [{"id": "a", "text": "a red car races", "dimensions": ["large_motion"]}])
    options = [f"--option={k}={v}" for k, v in (SMALL | {"weights": pipeline_folder, "fps": 8}).items()]
    result = CliRunner().invoke(app, ["eval", "--model", "diffusers", "--suite", str(suite), "--out",
                                      str(tmp_path / "run"), "--quiet", "--no-report", *options])
    assert result.exit_code == 0, result.output
    assert "1 videos generated, 1 scores" in result.output
