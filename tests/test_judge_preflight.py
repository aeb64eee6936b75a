"""Issue 30 item 3: `--judge remote` with no server answering fails before any compute, in one line,
instead of finishing with the judge dimensions merely missing."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import write_suite
from wanbench.cli import app
from wanbench.run.options import backbone_options
from wanbench.run.runner import EvalConfig

PROMPT = {"id": "p0", "text": "a dog running", "dimensions": ["large_motion", "action_following"]}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(tmp_path: Path, url: str, dims: tuple[str, ...] | None = None) -> EvalConfig:
    suite = write_suite(tmp_path / "s.jsonl", [PROMPT])
    options = backbone_options(judge="remote", judge_url=url, judge_model="m")
    return EvalConfig(
        model="procedural", suite=str(suite), out=tmp_path / "run", backbone_options=options, dimensions=dims
    )


def test_unreachable_judge_server_is_refused_before_compute(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    with pytest.raises(ValueError, match="no judge server answers there") as caught:
        config(tmp_path, url).validate()
    assert "\n" not in str(caught.value)
    config(tmp_path, url, dims=("large_motion",)).validate()  # no judge dimension: no probe


def test_a_server_that_answers_http_passes(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)  # answers GET with 501: alive
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config(tmp_path, f"http://127.0.0.1:{server.server_port}/v1").validate()
    finally:
        server.shutdown()
        server.server_close()


def test_cli_exits_2_with_one_line_and_no_run(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s.jsonl", [PROMPT])
    url = f"http://127.0.0.1:{closed_port()}/v1"
    args = ["eval", "--model", "procedural", "--suite", str(suite), "--out", str(tmp_path / "run")]
    args += ["--judge", "remote", "--judge-url", url, "--judge-model", "m", "-q"]
    result = CliRunner().invoke(app, args)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "no judge server answers" in lines[0], result.output
    assert not (tmp_path / "run" / "results.sqlite").exists()
