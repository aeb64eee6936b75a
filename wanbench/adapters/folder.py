"""Score videos made elsewhere: files named by prompt id, or a manifest csv with their provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wanbench.adapters.base import AdapterError, ModelAdapter
from wanbench.prompts.suite import Prompt
from wanbench.run.exports import Manifest, ManifestError, read_manifest
from wanbench.video import VIDEO_SUFFIXES


class FolderAdapter(ModelAdapter):
    """Finds ``<prompt_id>.mp4`` (or ``<prompt_id>-s<seed>.mp4``, any common video suffix) in a
    folder, or the paths a manifest csv gives (columns ``prompt_id,path[,seed]``, and for exports
    ``model,version,date,settings,generated_by``: wanbench/run/exports.py)."""

    name = "folder"
    description = "videos made elsewhere, named by prompt id or listed in a manifest csv (with provenance)"
    finds_existing = True

    def __init__(self, videos: str | Path, manifest: str | Path | None = None) -> None:
        self.root = Path(videos)
        if not self.root.is_dir():
            raise AdapterError(f"video folder not found: {self.root}")
        self.manifest: Manifest | None = None
        if manifest is not None:
            try:
                self.manifest = read_manifest(Path(manifest), self.root)
            except ManifestError as exc:
                raise AdapterError(str(exc)) from None

    def generate(self, prompt: Prompt, seed: int, out_path: Path) -> Path:
        if self.manifest is not None:
            for key in ((prompt.id, seed), (prompt.id, None)):
                if key in self.manifest.problems:
                    raise AdapterError(self.manifest.problems[key])
                entry = self.manifest.entries.get(key)
                if entry is None:
                    continue
                if entry.text is not None and entry.text not in (prompt.text, prompt.text_zh):
                    raise AdapterError(
                        f"{self.manifest.path} line {entry.line}: the text differs from prompt "
                        f"{prompt.id} of the suite ({entry.text[:60]!r} vs {prompt.text[:60]!r})"
                    )
                if not entry.path.is_file():
                    raise AdapterError(f"{self.manifest.path} line {entry.line}: no file {entry.path}")
                return entry.path
        for stem in (f"{prompt.id}-s{seed}", f"{prompt.id}_{seed}", prompt.id):
            for suffix in VIDEO_SUFFIXES:
                candidate = self.root / f"{stem}{suffix}"
                if candidate.is_file():
                    return candidate
        raise AdapterError(f"no video for prompt {prompt.id} (seed {seed}) in {self.root}")

    def unmatched(self, prompt_ids: set[str]) -> list[Path]:
        """Video files in the folder that no prompt of the suite names (a typo, another suite's ids):
        they would be ignored silently otherwise."""
        if self.manifest is not None:
            return []
        unmatched = []
        for path in sorted(self.root.iterdir()):
            if path.suffix.lower() not in VIDEO_SUFFIXES or not path.is_file():
                continue
            stem = path.stem  # the names generate() accepts: ID-sSEED, ID_SEED, ID
            base, alt = stem.rsplit("-s", 1)[0], stem.rsplit("_", 1)[0]
            if not ({stem, base, alt} & prompt_ids):
                unmatched.append(path)
        return unmatched

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "adapter": self.name,
            "folder": str(self.root),
            "manifest_entries": len(self.manifest.entries) if self.manifest else 0,
        }
        if self.manifest is not None:
            info["manifest"] = self.manifest.summary()  # every file's provenance, stored with the run
        return info
