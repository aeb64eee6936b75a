from pathlib import Path

import pytest

from tests.conftest import frozen_clip
from wanbench.adapters.base import AdapterError
from wanbench.adapters.folder import FolderAdapter
from wanbench.prompts.suite import prompt_from_dict
from wanbench.video import write_video

PROMPT = prompt_from_dict({"id": "p-1", "text": "t", "dimensions": ["pixel_stability"]})


def test_finds_by_prompt_id_and_prefers_seeded_names(tmp_path: Path) -> None:
    plain = write_video(tmp_path / "p-1.mp4", frozen_clip(), fps=8)
    seeded = write_video(tmp_path / "p-1-s2.mp4", frozen_clip(), fps=8)
    adapter = FolderAdapter(tmp_path)
    assert adapter.generate(PROMPT, 0, tmp_path / "unused.mp4") == plain
    assert adapter.generate(PROMPT, 2, tmp_path / "unused.mp4") == seeded


def test_manifest_maps_prompts_to_files(tmp_path: Path) -> None:
    write_video(tmp_path / "clip_a.mp4", frozen_clip(), fps=8)
    (tmp_path / "m.csv").write_text("prompt_id,path,seed\np-1,clip_a.mp4,0\n")
    adapter = FolderAdapter(tmp_path, manifest=tmp_path / "m.csv")
    assert adapter.generate(PROMPT, 0, tmp_path / "x.mp4") == tmp_path / "clip_a.mp4"
    with pytest.raises(AdapterError, match="no video for prompt p-1"):
        adapter.generate(PROMPT, 1, tmp_path / "x.mp4")


def test_bad_folder_and_manifest_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AdapterError, match="video folder not found"):
        FolderAdapter(tmp_path / "absent")
    (tmp_path / "m.csv").write_text("id,file\n")
    with pytest.raises(AdapterError, match="prompt_id and path"):
        FolderAdapter(tmp_path, manifest=tmp_path / "m.csv")
