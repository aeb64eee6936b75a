"""The VBench worker: runs inside VBench's own environment and calls VBench's evaluators, unchanged.

It imports only the standard library and ``vbench`` (never wanbench: the worker venv has VBench's
pinned packages, not the project's), and is started as a script: ``python worker.py``.

Protocol: one JSON request per line on stdin, one JSON answer per line on a private copy of the
original stdout (file descriptor 1 is pointed at stderr first, because VBench and tqdm print).

  request  {"dimension": str, "entries": [VBench full-info entries with "video_list"], "device": "cpu"}
  answer   {"ok": true, "video_results": [...], "dimension_score": float, "seconds": float}
           {"ok": false, "error": "one line"}

Per request the worker writes the entries as a full-info JSON file, builds the dimension's
submodules with VBench's ``init_submodules(local=True)`` and calls VBench's
``compute_<dimension>(json_path, device, submodules)``: the path VBench's own ``evaluate()`` takes,
one dimension at a time. The caller checks checkpoints before asking; should VBench still try to
download one (its ``init_submodules`` shells out to wget or git), the call is refused here and
becomes an error answer, never a download. Every ``torch.load`` in the worker is weights-only,
whatever its caller asked, so a checkpoint's pickle never runs code.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback


class DownloadRefused(RuntimeError):
    pass


DOWNLOADERS = {"wget", "curl", "git", "unzip"}  # what VBench's init_submodules shells out to for a checkpoint
_run = subprocess.run


def _refuse_downloads(command, *args, **kwargs):
    """Stands in for subprocess.run: download commands are refused, anything else (lscpu...) runs."""
    words = [str(w) for w in command] if isinstance(command, (list, tuple)) else str(command).split()
    if words and os.path.basename(words[0]) in DOWNLOADERS:
        raise DownloadRefused(f"VBench tried to run {' '.join(words[:2])}: a checkpoint is missing")
    return _run(command, *args, **kwargs)


def _refuse(*args, **kwargs):
    raise DownloadRefused(f"VBench tried to download {args[0] if args else ''}: a checkpoint is missing")


def _plain(value):
    """JSON-safe copies of VBench's results (numpy scalars and arrays, bools, nested containers)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def evaluate(request: dict, workdir: str) -> dict:
    from vbench.utils import init_submodules

    dimension = request["dimension"]
    path = os.path.join(workdir, f"{dimension}_full_info.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(request["entries"], handle)
    start = time.perf_counter()
    submodules = init_submodules([dimension], local=True, read_frame=False)[dimension]
    compute = getattr(importlib.import_module(f"vbench.{dimension}"), f"compute_{dimension}")
    score, video_results = compute(path, request.get("device", "cpu"), submodules)
    return {
        "ok": True,
        "dimension_score": _plain(score),
        "video_results": _plain(video_results),
        "seconds": time.perf_counter() - start,
    }


def main() -> int:
    answers = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # VBench's prints and progress bars go to stderr, away from the answers
    sys.stdout = sys.stderr
    threads = os.environ.get("WANBENCH_VBENCH_THREADS")
    import torch

    if threads:
        torch.set_num_threads(int(threads))
    # VBench downloads through subprocess.run(['wget' | 'git', ...]), urlretrieve (the aesthetic head)
    # and torch.hub; the caller checked the checkpoints, so any of these means one is missing
    import urllib.request

    setattr(subprocess, "run", _refuse_downloads)  # noqa: B010 - a process-wide guard, on purpose
    # nothing in a checkpoint runs as code: VBench's torch.load calls rely on torch's default, and pyiqa's
    # (MUSIQ, imaging_quality) asks for weights_only=False; every load here is weights-only
    load = torch.load

    def _weights_only(*args, **kwargs):
        kwargs["weights_only"] = True
        return load(*args, **kwargs)

    setattr(torch, "load", _weights_only)  # noqa: B010
    setattr(urllib.request, "urlretrieve", _refuse)  # noqa: B010
    setattr(torch.hub, "download_url_to_file", _refuse)  # noqa: B010
    with tempfile.TemporaryDirectory(prefix="wanbench-vbench-") as workdir:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                answer = evaluate(json.loads(line), workdir)
            except Exception as exc:  # one failed request is an error answer; the worker lives on
                traceback.print_exc(file=sys.stderr)
                message = " ".join(f"{type(exc).__name__}: {exc}".split())
                answer = {"ok": False, "error": message[:500]}
            answers.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
