"""The CLI is thin, but its promises are user-facing: help with examples, one-line errors, exit codes."""

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import frozen_clip, write_suite
from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.cli import app
from wanbench.video import write_video

runner = CliRunner()
SMALL_OPTIONS = ["--option", "width=64", "--option", "height=48", "--option", "frames=9"]


def test_help_teaches_with_examples() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "wanbench eval --model procedural" in result.output
    for command in ("eval", "score", "generate", "report", "leaderboard", "plot"):
        text = runner.invoke(app, [command, "--help"]).output
        assert "Example:" in text, command


def test_dims_and_models_list_their_registries() -> None:
    dims = runner.invoke(app, ["dims"])
    assert dims.exit_code == 0 and all(d in dims.output for d in DIMENSION_KEYS)
    listed = json.loads(runner.invoke(app, ["dims", "--json"]).output)
    assert [d["name"] for d in listed] == list(DIMENSION_KEYS)
    assert all(d["method"] and d["version"] for d in listed)
    assert all(d["ready"] == (not d["blockers"]) for d in listed)
    assert all(len(line) <= 80 for line in runner.invoke(app, ["dims"], terminal_width=80).output.splitlines())
    models = runner.invoke(app, ["models"], terminal_width=200)
    assert "procedural" in models.output and "folder" in models.output


def test_eval_report_and_exit_codes(tmp_path: Path, tiny_suite: Path) -> None:
    out = tmp_path / "run"
    result = runner.invoke(
        app, ["eval", "--model", "procedural", "--suite", str(tiny_suite), "--out", str(out), "--quiet", *SMALL_OPTIONS]
    )
    assert result.exit_code == 0, result.output
    assert "partial: 3/14 dims" in result.output
    assert (out / "report.html").is_file() and (out / "leaderboard.md").is_file()
    board = runner.invoke(app, ["leaderboard", str(out), "--reference", "paper", "--out", str(tmp_path / "lb")])
    assert board.exit_code == 0 and "Wan 14B" in board.output
    plots = runner.invoke(app, ["plot", str(out), "--out", str(tmp_path / "plots")])
    assert plots.exit_code == 0 and (tmp_path / "plots" / "radar.png").is_file()


def test_user_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "--model", "procedurel", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "did you mean procedural" in result.output and "Traceback" not in result.output
    assert runner.invoke(app, ["eval", "--model", "procedural", "--suite", "nosuch"]).exit_code == 2
    assert runner.invoke(app, ["report", str(tmp_path / "nothing")]).exit_code == 2
    assert runner.invoke(app, ["eval", "--model", "procedural", "--dims", "smoothnes"]).exit_code == 2


def test_score_folder_with_failures_exits_non_zero(tmp_path: Path) -> None:
    videos = tmp_path / "exports"
    videos.mkdir()
    write_video(videos / "a.mp4", frozen_clip(), fps=8)
    write_video(videos / "typo-c.mp4", frozen_clip(), fps=8)
    suite = write_suite(
        tmp_path / "s.jsonl",
        [
            {"id": "a", "text": "t", "dimensions": ["pixel_stability"]},
            {"id": "b", "text": "t", "dimensions": ["pixel_stability"]},
        ],
    )
    result = runner.invoke(
        app,
        [
            "score",
            "--videos",
            str(videos),
            "--name",
            "sora",
            "--suite",
            str(suite),
            "--out",
            str(tmp_path / "run"),
            "--quiet",
        ],
    )
    assert result.exit_code == 1
    assert "b seed 0: find failed: no video for prompt b" in result.output  # not "generate failed"
    assert "1 video file(s) match no prompt of s and are not scored: typo-c.mp4" in result.output
    assert (tmp_path / "run" / "report.html").is_file()


def test_suite_check_and_generate(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "t", "dimensions": ["camera_control"]}\n')
    result = runner.invoke(app, ["suite", "check", str(bad)])
    assert result.exit_code == 1 and "line 1" in result.output and "camera" in result.output
    assert runner.invoke(app, ["suite", "check", "smoke"]).exit_code == 0
    video = tmp_path / "pan.mp4"
    made = runner.invoke(
        app, ["generate", "--model", "procedural", "--id", "smoke-018", "-o", str(video), *SMALL_OPTIONS]
    )
    assert made.exit_code == 0 and video.is_file()
    free = runner.invoke(
        app,
        [
            "generate",
            "--model",
            "procedural",
            "--prompt",
            "a lake",
            "--camera",
            "zoom_in",
            "-o",
            str(tmp_path / "z.mp4"),
            *SMALL_OPTIONS,
        ],
    )
    assert free.exit_code == 0
    both = runner.invoke(app, ["generate", "--model", "procedural", "-o", str(video)])
    assert both.exit_code == 2


def test_weighting_show() -> None:
    result = runner.invoke(app, ["weighting", "show", "paper"])
    assert result.exit_code == 0 and "camera_control" in result.output


def test_adapter_options_are_typed() -> None:
    from wanbench.run.options import parse_adapter_options

    assert parse_adapter_options(["steps=20", "guidance=5.5", "offload=False", "cpu=true", "weights=a=b"]) == {
        "steps": 20,
        "guidance": 5.5,
        "offload": False,
        "cpu": True,
        "weights": "a=b",
    }


def test_eval_and_score_read_their_shared_options_from_one_declaration() -> None:
    import dataclasses

    import typer.main

    from wanbench.cli.options import ScoringOptions

    commands = typer.main.get_command(app).commands
    for field in dataclasses.fields(ScoringOptions):
        declared = field.metadata["option"]
        for command in ("eval", "score"):
            (param,) = [p for p in commands[command].params if p.name == field.name]
            assert param.help == declared.help and param.default == field.default, (command, field.name)


def test_scoring_options_build_the_run_config_and_refuse_bad_choices() -> None:
    import pytest

    from wanbench.cli.options import ScoringOptions
    from wanbench.run.shards import Shard

    options = ScoringOptions(
        dims="large_motion, camera_control", flow="dis", judge="remote", judge_url="http://127.0.0.1:9/v1", shard="1/4"
    )
    config = options.eval_config(options.part(Shard(0, 1)), model="procedural", name="p")
    assert config.dimensions == ("large_motion", "camera_control") and config.flow == "dis"
    assert config.backbone_options["vlm"] == {"judge": "remote", "url": "http://127.0.0.1:9/v1"}
    assert (config.rank, config.world_size, config.model, config.name) == (1, 4, "procedural", "p")
    assert ScoringOptions().part(Shard(2, 3)) == Shard(2, 3)  # no --shard: the launcher's share
    with pytest.raises(ValueError, match="--judge remote needs --judge-url"):
        ScoringOptions(judge="remote").eval_config(Shard(0, 1), model="procedural")
    refused = runner.invoke(app, ["score", "--videos", ".", "--name", "x", "--judge", "remote"])
    assert refused.exit_code == 2 and "--judge remote needs --judge-url" in refused.output
