"""VBench's checkpoints as wanbench weights entries: where VBench looks, where they come from.

Every file lies under ``$WANBENCH_HOME/weights/vbench/`` at the relative path VBench 0.1.5's
``init_submodules(local=True)`` expects under its cache folder, so that folder *is* VBench's cache
(``VBENCH_CACHE_DIR``) for the worker. Sources are those VBench's own code downloads from
(vbench/utils.py, vbench/aesthetic_quality.py of the 0.1.5 wheel); sha256 digests are pinned where
the source publishes one (OpenAI's CLIP URLs carry theirs). ``wanbench weights fetch NAME`` downloads
them (this module's ``fetch_checkpoint``); a run never does.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FOLDER = "vbench"  # $WANBENCH_HOME/weights/vbench == VBench's cache folder


@dataclass(frozen=True)
class Checkpoint:
    """One VBench weights entry. ``sources`` maps each file (VBench-relative path) to its URL; a URL
    ending in ``.zip`` with ``member`` names the file inside the archive (``dir/`` extracts a folder)."""

    name: str
    description: str
    used_by: str
    sources: dict[str, tuple[str, str]]  # file -> (url, member of a zip archive or "")
    licence: str
    sha256: dict[str, str]
    note: str = ""


_HF = "https://huggingface.co"
_CLIP = "https://openaipublic.azureedge.net/clip/models"
CHECKPOINTS: tuple[Checkpoint, ...] = (
    Checkpoint(
        "vbench-raft",
        "RAFT (raft-things.pth) from the RAFT authors' model zip",
        "VBench dynamic_degree",
        {
            "raft_model/models/raft-things.pth": (
                "https://dl.dropboxusercontent.com/s/4j4z58wuv8o0mfz/models.zip",
                "models/raft-things.pth",
            )
        },
        "BSD-3-Clause",
        {},
    ),
    Checkpoint(
        "vbench-amt-s",
        "AMT-S frame interpolation",
        "VBench motion_smoothness",
        {"amt_model/amt-s.pth": (f"{_HF}/lalala125/AMT/resolve/main/amt-s.pth", "")},
        "see its source",
        {},
    ),
    Checkpoint(
        "vbench-dino",
        "DINO ViT-B/16 (dino_vitbase16_pretrain.pth) and the facebookresearch/dino code torch.hub loads locally",
        "VBench subject_consistency",
        {
            "dino_model/dino_vitbase16_pretrain.pth": (
                "https://dl.fbaipublicfiles.com/dino/dino_vitbase16_pretrain/dino_vitbase16_pretrain.pth",
                "",
            ),
            "dino_model/facebookresearch_dino_main/hubconf.py": (
                "https://github.com/facebookresearch/dino/archive/refs/heads/main.zip",
                "dino-main/",
            ),
        },
        "Apache-2.0",
        {},
        note="torch.hub loads the code from the extracted repository (source='local')",
    ),
    Checkpoint(
        "vbench-clip-vit-b-32",
        "OpenAI CLIP ViT-B/32 (TorchScript archive)",
        "VBench background_consistency, appearance_style",
        {
            "clip_model/ViT-B-32.pt": (
                f"{_CLIP}/40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt",
                "",
            )
        },
        "MIT",
        {"clip_model/ViT-B-32.pt": "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af"},
    ),
    Checkpoint(
        "vbench-clip-vit-l-14",
        "OpenAI CLIP ViT-L/14 (TorchScript archive)",
        "VBench aesthetic_quality",
        {
            "clip_model/ViT-L-14.pt": (
                f"{_CLIP}/b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836/ViT-L-14.pt",
                "",
            )
        },
        "MIT",
        {"clip_model/ViT-L-14.pt": "b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836"},
    ),
    Checkpoint(
        "vbench-laion-aesthetic",
        "LAION aesthetic predictor head sa_0_4_vit_l_14_linear (on CLIP ViT-L/14)",
        "VBench aesthetic_quality",
        {
            "aesthetic_model/emb_reader/sa_0_4_vit_l_14_linear.pth": (
                "https://github.com/LAION-AI/aesthetic-predictor/blob/main/sa_0_4_vit_l_14_linear.pth?raw=true",
                "",
            )
        },
        "MIT",
        {},
    ),
    Checkpoint(
        "vbench-musiq-spaq",
        "pyiqa MUSIQ trained on SPAQ",
        "VBench imaging_quality",
        {
            "pyiqa_model/musiq_spaq_ckpt-358bb6af.pth": (
                "https://github.com/chaofengc/IQA-PyTorch/releases/download/v0.1-weights/musiq_spaq_ckpt-358bb6af.pth",
                "",
            )
        },
        "see its source",
        {},
        note="the release name carries a sha256 prefix (358bb6af) only; no full digest is published",
    ),
    Checkpoint(
        "vbench-umt",
        "UMT-L/16 fine-tuned on Kinetics-400",
        "VBench human_action",
        {
            "umt_model/l16_ptk710_ftk710_ftk400_f16_res224.pth": (
                f"{_HF}/OpenGVLab/VBench_Used_Models/resolve/main/l16_ptk710_ftk710_ftk400_f16_res224.pth",
                "",
            )
        },
        "see its source",
        {},
    ),
    Checkpoint(
        "vbench-viclip",
        "ViCLIP-L/14 on InternVid-10M-FLT, and CLIP's BPE vocabulary its tokenizer reads",
        "VBench temporal_style, overall_consistency",
        {
            "ViCLIP/ViClip-InternVid-10M-FLT.pth": (
                f"{_HF}/OpenGVLab/VBench_Used_Models/resolve/main/ViClip-InternVid-10M-FLT.pth",
                "",
            ),
            "ViCLIP/bpe_simple_vocab_16e6.txt.gz": (
                "https://github.com/openai/CLIP/raw/main/clip/bpe_simple_vocab_16e6.txt.gz",
                "",
            ),
        },
        "see its source",
        {},
    ),
    Checkpoint(
        "vbench-tag2text",
        "Tag2Text Swin-B captioner (14M)",
        "VBench scene",
        {
            "caption_model/tag2text_swin_14m.pth": (
                f"{_HF}/spaces/xinyu1205/recognize-anything/resolve/main/tag2text_swin_14m.pth",
                "",
            )
        },
        "see its source",
        {},
        note="Tag2Text also reads the bert-base-uncased tokenizer and config from the Hugging Face cache",
    ),
    Checkpoint(
        "vbench-grit",
        "GRiT-B dense captioning / object detection",
        "VBench object_class, multiple_objects, color, spatial_relationship",
        {
            "grit_model/grit_b_densecap_objectdet.pth": (
                "https://datarelease.blob.core.windows.net/grit/models/grit_b_densecap_objectdet.pth",
                "",
            )
        },
        "see its source",
        {},
        note="its dimensions also need detectron2 in VBench's environment",
    ),
)


def checkpoint(name: str) -> Checkpoint:
    for entry in CHECKPOINTS:
        if entry.name == name:
            return entry
    raise KeyError(name)


def fetch_checkpoint(spec: Any) -> None:
    """``wanbench weights fetch vbench-*``: download each file VBench would, verified where a digest is pinned."""
    from wanbench.hashing import file_sha256
    from wanbench.model_weights import WeightsError, _download

    entry = checkpoint(spec.name)
    root = spec.local_dir()
    for filename, (url, member) in entry.sources.items():
        target = root / filename
        if not member:
            _download(url, target, timeout=60.0, expected_sha256=entry.sha256.get(filename))
            continue
        with tempfile.TemporaryDirectory(dir=root.parent if root.parent.exists() else None) as scratch:
            archive = Path(scratch) / "archive.zip"
            _download(url, archive, timeout=60.0)
            try:
                _extract(archive, member, target if not member.endswith("/") else target.parent)
            except (zipfile.BadZipFile, KeyError) as exc:
                raise WeightsError(f"{url}: not the archive expected ({exc})") from None
        expected = entry.sha256.get(filename)
        if expected and file_sha256(target) != expected:
            target.unlink(missing_ok=True)
            raise WeightsError(f"{filename}: sha256 mismatch after extraction; deleted it")


def _extract(archive: Path, member: str, target: Path) -> None:
    """One file (``member``) or one folder (``member`` ending in ``/``) of a zip, written without
    following links and refusing names that climb out of the target."""
    with zipfile.ZipFile(archive) as bundle:
        if not member.endswith("/"):
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source, open(f"{target}.part", "wb") as out:
                shutil.copyfileobj(source, out)
            os.replace(f"{target}.part", target)
            return
        target.mkdir(parents=True, exist_ok=True)
        for info in bundle.infolist():
            if not info.filename.startswith(member) or info.is_dir():
                continue
            relative = Path(info.filename[len(member) :])
            if relative.is_absolute() or ".." in relative.parts:
                continue
            path = target / relative
            if path.is_symlink():
                path.unlink()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(io.BytesIO(bundle.read(info)).getvalue())
