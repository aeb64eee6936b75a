"""Registry of the external model weights the backbones use, and where they are found.

One entry per weights set: where it comes from (a Hugging Face repo and its files, or a URL), its
licence, the sha256 of each file where known, and the loader format. Files are looked for under
``$WANBENCH_HOME/weights/<name>/`` and then in the Hugging Face cache; nothing is downloaded
unless the user runs ``wanbench weights fetch NAME``. A pinned sha256 is checked once per file
version (the verdict is remembered next to the file, keyed by size and mtime), so a resumed run
does not rehash gigabytes.

Loading stays safe: every format here is read with safetensors or ``torch.load(weights_only=True)``.
The one pickled format of the field, ultralytics ``.pt`` detectors, is converted to safetensors
once at fetch or train time (``wanbench.backbones.detector``), never unpickled at scoring time.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from wanbench.hashing import file_sha256
from wanbench.registry import Registry


class WeightsError(RuntimeError):
    """Weights that are missing, corrupt or cannot be fetched; the message is one actionable line."""


def wanbench_home() -> Path:
    return Path(os.environ.get("WANBENCH_HOME", Path.home() / ".cache" / "wanbench"))


@dataclass(frozen=True)
class WeightSpec:
    name: str
    description: str
    used_by: str  # backbone (and dimension) that needs it
    files: tuple[str, ...]
    licence: str
    repo: str | None = None  # Hugging Face repo id holding ``files``
    url: str | None = None  # base URL holding ``files`` (when not on the Hub)
    # file -> expected full sha256 (64 hex digits), where known; a file is "present" only when its
    # whole digest matches (a release's "-<prefix>.pth" name is checked against it too, never alone)
    sha256: dict[str, str] = field(default_factory=dict)
    note: str = ""
    snapshot: bool = False  # a transformers folder: fetch downloads the whole repo; ``files`` are markers
    fetcher: str | None = None  # "module:function(spec)" for entries that need more than a download
    folder: str = ""  # a folder under weights/ shared with other entries (VBench's cache layout), else the name

    def local_dir(self) -> Path:
        return wanbench_home() / "weights" / (self.folder or self.name)

    def source(self) -> str:
        return f"huggingface.co/{self.repo}" if self.repo else (self.url or "trained locally")


WEIGHTS: Registry[WeightSpec] = Registry("weights")


def _register(spec: WeightSpec) -> None:
    WEIGHTS.register(spec.name, spec)


_register(
    WeightSpec(
        name="raft-large",
        used_by="flow (large motion, pixel stability, camera control)",
        description="torchvision RAFT-large, C+T+S+K+H training, v2",
        files=("raft_large_C_T_SKHT_V2-ff5fadd5.pth",),
        url="https://download.pytorch.org/models",
        licence="BSD-3-Clause",
        sha256={
            "raft_large_C_T_SKHT_V2-ff5fadd5.pth": "ff5fadd56d26b40647388883af1547351ea17868b765c05b27231e72dd16a322"
        },
    )
)
_register(
    WeightSpec(
        name="dino-vitb16",
        used_by="dino (ID consistency)",
        description="DINO ViT-B/16 (transformers ViTModel)",
        files=("config.json", "model.safetensors"),
        repo="facebook/dino-vitb16",
        licence="Apache-2.0",
    )
)
_register(
    WeightSpec(
        name="clip-vit-l-14",
        used_by="clip (scene quality, LAION aesthetic in image quality)",
        description="OpenAI CLIP ViT-L/14 as open_clip 'ViT-L-14-quickgelu', pretrained 'openai'",
        files=("open_clip_model.safetensors",),
        repo="timm/vit_large_patch14_clip_224.openai",
        licence="MIT",
    )
)
_register(
    WeightSpec(
        name="laion-aesthetic",
        used_by="iqa (image quality)",
        description="LAION improved aesthetic predictor head sac+logos+ava1-l14-linearMSE (on CLIP ViT-L/14)",
        files=("sac+logos+ava1-l14-linearMSE.pth",),
        repo="chaofengc/IQA-PyTorch-Weights",
        licence="Apache-2.0",
    )
)
_register(
    WeightSpec(
        name="musiq-koniq",
        used_by="iqa (image quality)",
        description="pyiqa MUSIQ trained on KonIQ-10k",
        files=("musiq_koniq_ckpt-e95806b9.pth",),
        repo="chaofengc/IQA-PyTorch-Weights",
        licence="Apache-2.0",
        sha256={"musiq_koniq_ckpt-e95806b9.pth": "e95806b9eae5f3814c410f574ba8e552362bd5bc63d758ed5b97860f5d6185aa"},
    )
)
_register(
    WeightSpec(
        name="maniqa-koniq",
        used_by="iqa (image quality)",
        description="pyiqa MANIQA trained on KonIQ-10k",
        files=("ckpt_koniq10k.pt",),
        repo="chaofengc/IQA-PyTorch-Weights",
        licence="Apache-2.0",
    )
)
for _name, _repo in (
    ("qwen2-vl-7b", "Qwen/Qwen2-VL-7B-Instruct"),
    ("qwen2-vl-2b", "Qwen/Qwen2-VL-2B-Instruct"),
    ("qwen2.5-vl-7b", "Qwen/Qwen2.5-VL-7B-Instruct"),
):
    _register(
        WeightSpec(
            name=_name,
            used_by="vlm judge (plausibility, smoothness, style, objects, space, action, camera)",
            description=f"{_repo} (transformers folder)",
            files=("config.json", "tokenizer.json"),
            repo=_repo,
            licence="Apache-2.0",
            snapshot=True,
        )
    )
_register(
    WeightSpec(
        name="yolo-coco",
        used_by="detector (subject crops for ID consistency)",
        description="ultralytics YOLO11n on COCO, converted to safetensors at fetch",
        files=("model.safetensors", "model.json"),
        url="https://github.com/ultralytics/assets/releases/download/v8.3.0",
        licence="AGPL-3.0",
        note="fetch downloads yolo11n.pt and converts it to safetensors",
        fetcher="wanbench.backbones.detector:fetch_coco_detector",
    )
)
_register(
    WeightSpec(
        name="yolo-artifacts",
        used_by="detector (human artifacts)",
        description="our artifact detector: trained with `wanbench artifacts train`, registered here",
        files=("model.safetensors", "model.json"),
        licence="as its training data",
        note="no public weights exist: train one with `wanbench artifacts train`",
    )
)


def _register_vbench() -> None:
    """VBench's checkpoints, in VBench's own cache layout under weights/vbench/ (wanbench/vbench/weights.py)."""
    from wanbench.vbench.dimensions import DIMENSIONS
    from wanbench.vbench.weights import CHECKPOINTS, FOLDER

    for entry in CHECKPOINTS:
        dims = [d.name for d in DIMENSIONS.values() if entry.name in d.weights]
        needs = sorted({d.needs for d in DIMENSIONS.values() if entry.name in d.weights and d.needs})
        _register(
            WeightSpec(
                name=entry.name,
                used_by=f"VBench {', '.join(dims)}",
                description=entry.description,
                files=tuple(entry.sources),
                url=next(iter(entry.sources.values()))[0],
                licence=entry.licence,
                sha256=dict(entry.sha256),
                note="; ".join([entry.note, *(f"needs {n}" for n in needs)]).strip("; "),
                fetcher="wanbench.vbench.weights:fetch_checkpoint",
                folder=FOLDER,
            )
        )


_register_vbench()


# ---------------------------------------------------------------------------------------------
# resolution and verification


@dataclass(frozen=True)
class WeightsStatus:
    name: str
    state: str  # present | unverified | missing | checksum-failed
    paths: dict[str, Path]
    detail: str = ""


def _hf_cached(repo: str, filename: str) -> Path | None:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub is a dependency
        return None
    found = try_to_load_from_cache(repo, filename)
    return Path(found) if isinstance(found, str) else None


def find_file(spec: WeightSpec, filename: str) -> Path | None:
    local = spec.local_dir() / filename
    if local.is_file():
        return local
    return _hf_cached(spec.repo, filename) if spec.repo else None


def _verified(path: Path, expected: str) -> bool:
    """sha256 check, remembered in ``<file>.sha256-ok`` for this exact size and mtime."""
    stat = path.stat()
    stamp = path.with_name(path.name + ".sha256-ok")
    key = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": expected}
    try:
        if json.loads(stamp.read_text()) == key:
            return True
    except (OSError, ValueError):
        pass
    if len(expected) != 64 or file_sha256(path) != expected.lower():  # a prefix alone never verifies
        return False
    try:
        stamp.write_text(json.dumps(key))
    except OSError:  # a read-only cache still verifies, just every time
        pass
    return True


def weights_status(entry: str | WeightSpec) -> WeightsStatus:
    spec = WEIGHTS.get(entry) if isinstance(entry, str) else entry
    name = spec.name
    paths: dict[str, Path] = {}
    missing = []
    for filename in spec.files:
        path = find_file(spec, filename)
        if path is None:
            missing.append(filename)
        else:
            paths[filename] = path
    if missing:
        return WeightsStatus(
            name,
            "missing",
            paths,
            f"missing {', '.join(missing)} (looked in {spec.local_dir()}"
            + (f" and the Hugging Face cache of {spec.repo})" if spec.repo else ")"),
        )
    bad = [f for f, expected in spec.sha256.items() if f in paths and not _verified(paths[f], expected)]
    if bad:
        return WeightsStatus(name, "checksum-failed", paths, f"sha256 mismatch: {', '.join(bad)}")
    state = "present" if spec.sha256 and set(spec.sha256) >= set(spec.files) else "unverified"
    return WeightsStatus(name, state, paths, "" if state == "present" else "no sha256 pinned for some files")


def require(name: str) -> dict[str, Path]:
    """Paths of every file of ``name``, checked; raises WeightsError with one actionable line."""
    status = weights_status(name)
    if status.state == "missing":
        raise WeightsError(f"weights {name!r}: {status.detail}; get them with `wanbench weights fetch {name}`")
    if status.state == "checksum-failed":
        raise WeightsError(
            f"weights {name!r}: {status.detail} in {', '.join(map(str, status.paths.values()))}; "
            f"delete them and run `wanbench weights fetch {name}`"
        )
    return status.paths


def install_file(name: str, source: Path, filename: str | None = None) -> Path:
    """Copy a file into ``$WANBENCH_HOME/weights/<name>/`` (used by training and conversion)."""
    spec = WEIGHTS.get(name)
    target = spec.local_dir() / (filename or source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return target


# ---------------------------------------------------------------------------------------------
# fetching (needs a network; fails with one line without one)


def _download(url: str, target: Path, timeout: float = 30.0, expected_sha256: str | None = None) -> None:
    """Download to a private temporary name; with ``expected_sha256`` the file takes its real name
    only after its full digest matches, so nothing can load an unverified download."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as out:
            shutil.copyfileobj(response, out, 1 << 22)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        tmp.unlink(missing_ok=True)
        raise WeightsError(f"cannot download {url}: {getattr(exc, 'reason', exc)} (no network?)") from None
    if expected_sha256 and file_sha256(tmp) != expected_sha256.lower():
        tmp.unlink(missing_ok=True)
        raise WeightsError(f"{url}: downloaded file does not have the pinned sha256; deleted it")
    os.replace(tmp, target)


def _from_hub(what: str, function: str, *args, **kwargs) -> None:
    """Call a huggingface_hub download function; any failure becomes one WeightsError line."""
    try:
        import huggingface_hub

        getattr(huggingface_hub, function)(*args, **kwargs)
    except Exception as exc:  # hub errors come in many classes; all mean "not fetched"
        raise WeightsError(f"cannot fetch {what}: {type(exc).__name__} (no network?)") from None


def has_public_source(name: str) -> bool:
    """Whether ``wanbench weights fetch NAME`` can download entry ``name`` (some have no public weights)."""
    spec = WEIGHTS.get(name)
    return bool(spec.repo or spec.url or spec.fetcher)


def fetchable_missing() -> list[str]:
    """Entries that are missing (or corrupt) here and have a public source to download from."""
    found = []
    for name in WEIGHTS.names():
        spec = WEIGHTS.get(name)
        if (spec.repo or spec.url or spec.fetcher) and weights_status(name).state in ("missing", "checksum-failed"):
            found.append(name)
    return found


def fetch(name: str) -> WeightsStatus:
    """Download the files of ``name`` into ``$WANBENCH_HOME/weights/<name>/`` and verify them."""
    spec = WEIGHTS.get(name)
    if spec.fetcher:
        import importlib

        module, _, function = spec.fetcher.partition(":")
        getattr(importlib.import_module(module), function)(spec)
        return weights_status(name)
    if not spec.repo and not spec.url:
        raise WeightsError(f"weights {name!r} cannot be downloaded: {spec.note or 'no public source'}")
    if spec.snapshot:
        _from_hub(
            spec.source(),
            "snapshot_download",
            spec.repo,
            local_dir=spec.local_dir(),
            allow_patterns=["*.json", "*.safetensors", "*.txt", "*.jinja", "*.model"],
        )
    else:
        for filename in spec.files:
            if spec.repo:
                _from_hub(
                    f"{filename} from {spec.source()}",
                    "hf_hub_download",
                    spec.repo,
                    filename,
                    local_dir=spec.local_dir(),
                )
            else:
                _download(
                    f"{spec.url}/{filename}", spec.local_dir() / filename, expected_sha256=spec.sha256.get(filename)
                )
    status = weights_status(name)
    if status.state in ("missing", "checksum-failed"):
        raise WeightsError(f"weights {name!r} fetched but {status.detail}")
    return status
