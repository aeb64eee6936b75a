"""Issue 30 items 4-5: adapter options and generate's flags are checked by name, type and bounds
before anything loads or renders, in one line with a did-you-mean."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import write_suite
from wanbench.adapters.base import OptionError, check_adapter_options, make_adapter
from wanbench.run.runner import EvalConfig

runner = CliRunner()


@pytest.mark.parametrize(
    "model,options,expected",
    [
        ("procedural", {"stepz": 3}, "unknown option 'stepz' for procedural"),
        ("wan-tiny", {"stepz": 3}, "did you mean steps"),
        ("wan-1.3b", {"steps": "ten"}, "option steps must be an integer, got 'ten'"),
        ("wan-1.3b", {"guidance": "high"}, "option guidance must be a number, got 'high'"),
        ("wan-tiny", {"steps": 0}, "option steps must be at least 1"),
        ("wan-tiny", {"t5_cpu": "maybe"}, "option t5_cpu must be true or false"),
        ("cogvideox-5b", {"steps": "ten"}, "option steps must be an integer"),
        ("cogvideox-5b", {"use_dynamic_cfg": "sometimes"}, "must be true or false"),
        ("mochi", {"guidanc": 3.0}, "did you mean guidance"),
        ("ltx-video", {"num_inference_steps": 0}, "must be at least 1"),
    ],
)
def test_bad_option_is_one_line_before_loading(model: str, options: dict, expected: str) -> None:
    with pytest.raises(OptionError, match=expected) as caught:
        check_adapter_options(model, options)
    assert "\n" not in str(caught.value)


def test_option_values_become_their_declared_types() -> None:
    assert check_adapter_options("cogvideox-5b", {"use_dynamic_cfg": "no"}) == {"use_dynamic_cfg": False}
    assert check_adapter_options("wan-tiny", {"offload": "no", "t5_cpu": "yes", "guidance": 3}) == {
        "offload": False,
        "t5_cpu": True,
        "guidance": 3.0,
    }
    assert check_adapter_options("wan-tiny", {"offload": "model"}) == {"offload": "model"}
    adapter = make_adapter("procedural", width=64.0, height=48, frames=9)
    assert isinstance(adapter.config.width, int) and adapter.config.width == 64


def test_run_preflight_checks_options_and_records_the_converted_values(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s.jsonl", [{"id": "p0", "text": "a dog", "dimensions": ["large_motion"]}])
    bad = EvalConfig(model="procedural", suite=str(suite), out=tmp_path / "run", model_options={"widht": 64})
    with pytest.raises(OptionError, match="did you mean width"):
        bad.validate()
    assert not (tmp_path / "run").exists()
    good = EvalConfig(model="procedural", suite=str(suite), out=tmp_path / "run", model_options={"width": "64"})
    good.validate()
    assert good.model_options == {"width": 64}


@pytest.mark.parametrize(
    "flags,env,expected",
    [
        (["--size", "0x0"], {}, "--size 0x0: width and height must be positive"),
        (["--frames", "-1"], {}, "option frames must be at least 2"),
        (["--option", "stepz=3"], {}, "unknown option 'stepz'"),
        ([], {"WANBENCH_MAX_VIDEO_FRAMES": "abc"}, "WANBENCH_MAX_VIDEO_FRAMES='abc'"),
    ],
)
def test_generate_refuses_bad_settings_before_any_work(tmp_path: Path, flags: list, env: dict, expected: str) -> None:
    from wanbench.cli import app

    out = tmp_path / "x.mp4"
    result = runner.invoke(app, ["generate", "--model", "procedural", "-p", "a cat", "-o", str(out), *flags], env=env)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and expected in lines[0], result.output
    assert not out.exists()


def test_wan_frame_rule_is_checked_before_weights_are_looked_for(tmp_path: Path) -> None:
    from wanbench.adapters.base import AdapterError

    with pytest.raises(AdapterError, match="frames must be 4k\\+1"):
        make_adapter("wan-1.3b", frames=10, weights=str(tmp_path / "nowhere"))
