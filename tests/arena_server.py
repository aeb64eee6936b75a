"""Start and stop a real `wanbench arena` process on a free loopback port (for the HTTP and browser tests)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ArenaProcess:
    def __init__(self, runs: list[Path], votes: Path, port: int | None = None, log: Path | None = None) -> None:
        self.runs, self.votes, self.port = runs, votes, port or free_port()
        self.log = log or votes.with_suffix(".log")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> ArenaProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        command = [
            sys.executable,
            "-m",
            "wanbench",
            "arena",
            *map(str, self.runs),
            "--port",
            str(self.port),
            "--votes",
            str(self.votes),
        ]
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"arena exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/progress", timeout=2) as response:
                    json.loads(response.read())
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"arena did not answer within {timeout} s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: the crash case (no shutdown handler runs)."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
