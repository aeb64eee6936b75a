"""What every generating adapter settles before its model loads, in one place for all of them: where
its weights are, which device and dtype it runs in, and what identifies its weight files.

- Weights are looked for in the given folders, then in the Hugging Face cache (offline: nothing is
  downloaded here); when absent, one line names what is missing, where it looked and how to fetch.
- Device: the one asked for, else ``cuda`` when present. Any ``cuda`` or ``cuda:N`` runs bfloat16
  by default, the CPU float32 (half precision is slow or unsupported there).
- The fingerprint of weight files is the sha256 of their bytes, so a copied or re-downloaded folder
  (new paths and modification times, same bytes) resumes its run. Digests are remembered in
  ``$WANBENCH_HOME/cache/sha256.json`` by path, size and modification time: a second look rehashes nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from wanbench.adapters.base import AdapterError
from wanbench.hashing import file_sha256
from wanbench.model_weights import wanbench_home


def release_folder(repo: str) -> Path:
    """Where a Hugging Face release ``owner/name`` is looked for under WANBENCH_HOME: ``$WANBENCH_HOME/name``."""
    return wanbench_home() / repo.split("/")[-1]


def hf_snapshot(repo: str) -> Path | None:
    """The Hugging Face cache's snapshot of ``repo``, or None when it is not cached."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo, local_files_only=True))
    except Exception:  # absent from the cache (or no hub library): not an error, just not here
        return None


def find_weights(
    adapter: str, folders: Sequence[Path], repos: Sequence[str], problem: Callable[[Path], str | None], fetch: str
) -> Path:
    """The first of ``folders``, then of the cached snapshots of ``repos``, in which ``problem`` finds
    nothing wrong (it returns None there, else what is wrong); AdapterError when there is none."""
    looked: list[str] = []
    problems: list[str] = []
    for folder in folders:
        looked.append(str(folder))
        found = problem(folder)
        if found is None:
            return folder
        problems.append(found)
    for repo in repos:
        looked.append(f"the Hugging Face cache ({repo})")
        cached = hf_snapshot(repo)
        if cached is not None and problem(cached) is None:
            return cached
    places = looked[0] if len(looked) == 1 else ", ".join(looked[:-1]) + " and " + looked[-1]
    detail = f" ({problems[0]})" if problems else ""
    raise AdapterError(f"{adapter}: weights not found{detail}; looked in {places}; fetch them with: {fetch}")


def choose_device(requested: str | None) -> str:
    """``requested``, or ``cuda`` when a GPU is present, else ``cpu``."""
    if requested:
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def on_gpu(device: str) -> bool:
    """``cuda`` and ``cuda:N`` alike."""
    return device == "cuda" or device.startswith("cuda:")


def default_dtype(device: str) -> str:
    """bfloat16 on any GPU, float32 on the CPU."""
    return "bfloat16" if on_gpu(device) else "float32"


# -- fingerprint ----------------------------------------------------------------------------------


def _digest_cache_path() -> Path:
    return wanbench_home() / "cache" / "sha256.json"


def _read_digests(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_digests(path: Path, digests: dict[str, dict]) -> None:
    """Atomically, so ranks writing at once leave a whole file (one of them may lose a digest: a rehash)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".sha256-", suffix=".json")
    except OSError:  # a read-only home: digests are recomputed next time, nothing else changes
        return
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(digests, out, indent=0, sort_keys=True)
        os.replace(temp, path)
    except OSError:
        Path(temp).unlink(missing_ok=True)


def file_digests(files: Iterable[Path]) -> dict[Path, str]:
    """path -> sha256 of its bytes, each hashed once per (path, size, modification time)."""
    cache_path = _digest_cache_path()
    cache = _read_digests(cache_path)
    digests: dict[Path, str] = {}
    changed = False
    for path in files:
        stat = path.stat()
        key = str(path.absolute())
        stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        known = cache.get(key)
        if isinstance(known, dict) and {k: known.get(k) for k in stamp} == stamp and "sha256" in known:
            digests[path] = known["sha256"]
            continue
        digests[path] = file_sha256(path)
        cache[key] = stamp | {"sha256": digests[path]}
        changed = True
    if changed:
        _write_digests(cache_path, cache)
    return digests


def weights_fingerprint(root: Path, files: Iterable[Path]) -> dict[str, str]:
    """Each file's path relative to ``root`` -> sha256 of its bytes: what identifies a model's weights
    wherever the folder lives."""
    return {path.relative_to(root).as_posix(): digest for path, digest in sorted(file_digests(files).items())}
