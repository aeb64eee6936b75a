"""The harness side of the VBench worker: start it in VBench's environment, ask, read answers."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

WORKER_SCRIPT = Path(__file__).with_name("worker.py")


class WorkerCrashed(RuntimeError):
    """The worker process ended mid-request (killed, out of memory, a native crash)."""


class VBenchWorker:
    """One long-lived worker process; ``ask`` sends one request and waits for its answer line."""

    def __init__(self, python: Path, cache_dir: Path, threads: int | None = None) -> None:
        env = dict(os.environ)
        env.update(
            VBENCH_CACHE_DIR=str(cache_dir),  # VBench reads it at import: where it looks for checkpoints
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            PYTHONNOUSERSITE="1",
        )
        env.pop("PYTHONPATH", None)  # the worker sees VBench's environment only (plus the project's torch)
        if threads:
            env["WANBENCH_VBENCH_THREADS"] = str(threads)
        self.command = [str(python), str(WORKER_SCRIPT)]
        self.env = env
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL if os.environ.get("WANBENCH_VBENCH_QUIET", "1") == "1" else None,
                env=self.env,
                text=True,
                encoding="utf-8",
            )
        return self.process

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            code = process.wait()
            self.process = None
            raise WorkerCrashed(f"VBench's worker ended (exit status {code}) while evaluating {request['dimension']}")
        return json.loads(line)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> VBenchWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
