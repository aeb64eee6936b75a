"""Where each (prompt, seed)'s video comes from: the file a run recorded earlier, while it still matches
its sha256, or else the model adapter (which generates it, or finds it among exports)."""

from __future__ import annotations

import time
from pathlib import Path

from wanbench.adapters.base import AdapterError, ModelAdapter
from wanbench.hashing import file_sha256
from wanbench.prompts.generation_text import GenerationText
from wanbench.prompts.suite import Prompt
from wanbench.run.store import ResultStore


class VideoFailed(Exception):
    """No video for this item: ``stage`` (generate, find) and a message for the user."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage, self.message = stage, message


class VideoSource:
    """One model's videos in one run directory, recorded in its store (relative paths: runs move)."""

    def __init__(
        self,
        adapter: ModelAdapter,
        text: GenerationText,
        run_dir: Path,
        run: str,
        label: str,
        store: ResultStore,
        main_store: ResultStore | None = None,
    ) -> None:
        self.adapter, self.text = adapter, text
        self.run_dir, self.run, self.label = Path(run_dir), run, label
        self.store = store
        self.main_store = main_store  # a shard also reuses the videos the merged store recorded

    def path_for(self, prompt: Prompt, seed: int) -> Path:
        return self.run_dir / "videos" / self.label / f"{prompt.id}-s{seed}.mp4"

    def get(self, prompt: Prompt, seed: int) -> tuple[Path, bool]:
        """(the video file, whether the adapter generated it now); raises VideoFailed."""
        reused = self._recorded(prompt, seed)
        if reused is not None:
            return reused, False
        began = time.perf_counter()
        try:
            asked = self.text.prompt_for(prompt)  # the chosen language, extended if asked
            path = Path(self.adapter.generate(asked, seed, self.path_for(prompt, seed)))
            sha = file_sha256(path)
        except Exception as exc:  # one prompt that cannot be generated must not stop the run
            stage = "find" if self.adapter.finds_existing else "generate"  # a folder of exports finds, not makes
            raise VideoFailed(
                stage, str(exc) if isinstance(exc, AdapterError) else f"{type(exc).__name__}: {exc}"
            ) from exc
        self.store.record_video(
            self.run, self.label, prompt.id, seed, self._stored_path(path), sha, time.perf_counter() - began
        )
        return path, not self.adapter.finds_existing

    def _recorded(self, prompt: Prompt, seed: int) -> Path | None:
        """The recorded file for (prompt, seed) if it is still there and unchanged."""
        recorded = self.store.video(self.run, self.label, prompt.id, seed)
        if recorded is None and self.main_store is not None:
            recorded = self.main_store.video(self.run, self.label, prompt.id, seed)
        if recorded is None:
            return None
        found = self._recorded_path(recorded["path"])
        return found if found is not None and file_sha256(found) == recorded["sha256"] else None

    def _stored_path(self, path: Path) -> str:
        """Videos inside the run directory are recorded relative to it, so a copied or moved run finds them."""
        try:
            return Path(path).resolve().relative_to(self.run_dir.resolve()).as_posix()
        except ValueError:
            return str(Path(path).resolve())

    def _recorded_path(self, stored: str) -> Path | None:
        """The file a recorded path names: relative to the run directory (or, for older stores, to the cwd)."""
        path = Path(stored)
        for candidate in [path] if path.is_absolute() else [self.run_dir / path, path]:
            if candidate.is_file():
                return candidate
        return None
