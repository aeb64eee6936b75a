"""Score videos made elsewhere: files named by prompt id, or a manifest csv."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from wanbench.adapters.base import AdapterError, ModelAdapter
from wanbench.suite import Prompt
from wanbench.video import VIDEO_SUFFIXES



class FolderAdapter(ModelAdapter):
    """Finds ``<prompt_id>.mp4`` (or ``<prompt_id>-s<seed>.mp4``, any common video suffix) in a
    folder, or the paths a manifest csv (columns ``prompt_id,path[,seed]``) gives."""

    name = "folder"
    description = "videos made elsewhere, named by prompt id or listed in a manifest csv"
    finds_existing = True

    def __init__(self, videos: str | Path, manifest: str | Path | None = None) -> None:
        self.root = Path(videos)
        if not self.root.is_dir():
            raise AdapterError(f"video folder not found: {self.root}")
        self.manifest: dict[tuple[str, int | None], Path] = {}
        if manifest is not None:
            self.manifest = self._read_manifest(Path(manifest))

    def _read_manifest(self, path: Path) -> dict[tuple[str, int | None], Path]:
        if not path.is_file():
            raise AdapterError(f"manifest not found: {path}")
        table: dict[tuple[str, int | None], Path] = {}
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"prompt_id", "path"} <= set(reader.fieldnames):
                raise AdapterError(f"{path}: manifest needs the columns prompt_id and path")
            for row in reader:
                seed = row.get("seed")
                try:
                    key_seed = int(seed) if seed not in (None, "") else None
                except ValueError as exc:
                    raise AdapterError(f"{path}: seed {seed!r} is not an integer") from exc
                video = Path(row["path"])
                table[(row["prompt_id"], key_seed)] = video if video.is_absolute() else self.root / video
        return table

    def generate(self, prompt: Prompt, seed: int, out_path: Path) -> Path:
        for key in ((prompt.id, seed), (prompt.id, None)):
            if key in self.manifest:
                return self.manifest[key]
        for stem in (f"{prompt.id}-s{seed}", f"{prompt.id}_{seed}", prompt.id):
            for suffix in VIDEO_SUFFIXES:
                candidate = self.root / f"{stem}{suffix}"
                if candidate.is_file():
                    return candidate
        raise AdapterError(f"no video for prompt {prompt.id} (seed {seed}) in {self.root}")

    def info(self) -> dict[str, Any]:
        return {"adapter": self.name, "folder": str(self.root), "manifest_entries": len(self.manifest)}
