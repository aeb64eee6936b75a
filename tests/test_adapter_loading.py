"""What the generating adapters share (wanbench/adapters/loading.py): device and dtype choice, where
weights are looked for, and the content fingerprint that lets a copied weights folder resume a run."""

import os
import shutil
from pathlib import Path

import pytest

from wanbench.adapters import loading
from wanbench.adapters.base import AdapterError
from wanbench.adapters.loading import choose_device, default_dtype, find_weights, on_gpu, weights_fingerprint


def test_every_gpu_device_runs_bfloat16_and_the_cpu_float32() -> None:
    assert default_dtype("cuda:1") == default_dtype("cuda") == default_dtype("cuda:0") == "bfloat16"
    assert default_dtype("cpu") == "float32"
    assert on_gpu("cuda:3") and not on_gpu("cpu") and not on_gpu("cudagraph")
    assert choose_device("cuda:1") == "cuda:1" and choose_device(None) in ("cuda", "cpu")


def test_missing_weights_name_every_place_looked_and_how_to_fetch(tmp_path: Path) -> None:
    def problem(folder: Path) -> str | None:
        return None if (folder / "weights.bin").is_file() else f"no weights.bin in {folder}"

    a, b = tmp_path / "a", tmp_path / "b"
    with pytest.raises(AdapterError) as info:
        find_weights("m", [a, b], ["owner/not-cached-anywhere"], problem, "fetch-it")
    assert str(info.value) == (
        f"m: weights not found (no weights.bin in {a}); looked in {a}, {b} and the Hugging "
        "Face cache (owner/not-cached-anywhere); fetch them with: fetch-it"
    )
    b.mkdir()
    (b / "weights.bin").write_bytes(b"w")
    assert find_weights("m", [a, b], [], problem, "fetch-it") == b


def _folder(root: Path) -> list[Path]:
    (root / "sub").mkdir(parents=True)
    files = [root / "model.safetensors", root / "sub" / "vae.pth"]
    for i, path in enumerate(files):
        path.write_bytes(bytes(range(256)) * (i + 3))
    return files


def test_fingerprint_is_the_content_hashed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[Path] = []
    real = loading.file_sha256
    monkeypatch.setattr(loading, "file_sha256", lambda path: hashed.append(path) or real(path))
    files = _folder(tmp_path / "w")
    first = weights_fingerprint(tmp_path / "w", files)
    assert sorted(first) == ["model.safetensors", "sub/vae.pth"] and len(hashed) == 2
    assert weights_fingerprint(tmp_path / "w", files) == first and len(hashed) == 2  # remembered: no rehash

    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "w", copy, copy_function=shutil.copyfile)  # new paths, new mtimes, same bytes
    copied = sorted(p for p in copy.rglob("*") if p.is_file())
    later = files[0].stat().st_mtime_ns + 10**9
    for path in copied:
        os.utime(path, ns=(later, later))
    assert weights_fingerprint(copy, copied) == first and len(hashed) == 4

    data = bytearray(copied[0].read_bytes())
    data[100] ^= 1
    copied[0].write_bytes(data)
    changed = weights_fingerprint(copy, copied)
    assert changed["model.safetensors"] != first["model.safetensors"] and changed["sub/vae.pth"] == first["sub/vae.pth"]
