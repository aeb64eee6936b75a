"""VBench through the harness, offline: random-weight checkpoints of the architectures VBench builds
(its own RAFT and AMT-S, pyiqa's MUSIQ, OpenAI CLIP's ViT-B/32) planted where VBench looks, tiny clips
named as VBench expects, VBench's evaluators in VBench's environment.

Two tests score six dimensions end to end (temporal_flickering, dynamic_degree, motion_smoothness;
imaging_quality, background_consistency, appearance_style) and check every row against VBench's own
``evaluate()`` on the same folder; the others cover resume, a dimension whose checkpoints are absent
(missing with the fetch command, VBench never asked), an unreadable video, shards and merge, and
VBench's custom-input mode. The other ten dimensions need checkpoints not planted here: CLIP ViT-L/14
(aesthetic_quality: 0.9 GB even in fp16), DINO (subject_consistency: VBench builds it from the
facebookresearch/dino repository, which it clones), UMT-L/16 and ViCLIP-L/14 (human_action,
temporal_style, overall_consistency), Tag2Text (scene: it downloads BERT's tokenizer) and GRiT
(four dimensions: detectron2).
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.vbench_helpers import PLANTABLE, plant_checkpoints, vbench_evaluate, write_standard_samples
from wanbench.model_weights import WEIGHTS
from wanbench.run.shards import Shard, merge_shards
from wanbench.run.store import ResultStore
from wanbench.vbench import environment
from wanbench.vbench.naming import load_standard_suite
from wanbench.vbench.runner import VBenchRunConfig, cache_dir, score_vbench

pytestmark = pytest.mark.slow
THREE = ("temporal_flickering", "dynamic_degree", "motion_smoothness")
PLANTED_MODELS = ("imaging_quality", "background_consistency", "appearance_style")  # MUSIQ, CLIP ViT-B/32
ABSENT = "aesthetic_quality"  # CLIP ViT-L/14 and the LAION head are not planted


@pytest.fixture(scope="module")
def vbench(tmp_path_factory):
    """VBench's environment (made if absent: `make test` makes it first), planted checkpoints, the suite."""
    python = Path(os.environ[environment.ENV_VARIABLE]) if os.environ.get(environment.ENV_VARIABLE) else None
    python = python or environment.create()
    home = tmp_path_factory.mktemp("vbench-home")
    plant_checkpoints(python, home / "weights" / "vbench", PLANTABLE)
    full_info = environment.vbench_package_dir(python) / "VBench_full_info.json"
    return {"python": python, "full_info": full_info, "suite": load_standard_suite(full_info), "home": home}


@pytest.fixture(autouse=True)
def _planted_home(vbench, monkeypatch):
    """conftest gives each test an empty WANBENCH_HOME; these tests use the one with the planted checkpoints.
    OpenAI's digest of ViT-B/32 is lifted: a random-weight file cannot match it (the pin is tested
    in test_vbench_library.py)."""
    monkeypatch.setenv("WANBENCH_HOME", str(vbench["home"]))
    monkeypatch.delitem(WEIGHTS.get("vbench-clip-vit-b-32").sha256, "clip_model/ViT-B-32.pt")


def first_text(suite, dimension: str, exclude: tuple[str, ...] = ()) -> str:
    return next(p.text for p in suite if dimension in p.dimensions and not set(exclude) & set(p.dimensions))


@pytest.fixture(scope="module")
def scored(vbench, tmp_path_factory):
    """One run: a prompt per dimension of THREE plus an aesthetic_quality prompt (its checkpoints are absent)."""
    suite = vbench["suite"]
    texts = list(dict.fromkeys(first_text(suite, d) for d in (*THREE, ABSENT)))
    folder = tmp_path_factory.mktemp("videos")
    write_standard_samples(folder, texts)
    out = tmp_path_factory.mktemp("run")
    config = VBenchRunConfig(videos=folder, out=out, model="tiny", dimensions=(*THREE, ABSENT), threads=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WANBENCH_HOME", str(vbench["home"]))
        summary = score_vbench(config)
    return {"config": config, "summary": summary, "folder": folder, "texts": texts}


def rows_of(store_path: Path) -> list[dict]:
    with ResultStore(store_path) as store:
        return store.results()


def assert_same_as_vbench_evaluate(vbench, rows: list[dict], folder: Path, dims, out: Path) -> None:
    """VBench's own ``evaluate()`` on ``folder`` gives every video of ``dims`` the value of its row."""
    theirs = vbench_evaluate(vbench["python"], cache_dir(), folder, vbench["full_info"], out, dims)
    for dim in dims:
        ours = {str(folder / json.loads(r["details"])["file"]): r["value"] for r in rows if r["dimension"] == dim}
        expected = {path: float(value) for path, value in theirs[dim].items()}
        assert ours.keys() == expected.keys() and len(ours) >= 2, dim
        for path, value in expected.items():
            assert ours[path] == pytest.approx(value, abs=1e-6), (dim, path)


def test_three_dimensions_match_vbench_evaluate(vbench, scored, tmp_path):
    rows = rows_of(scored["summary"].store)
    ok = [r for r in rows if r["status"] == "ok"]
    assert {r["dimension"] for r in ok} == {d for d in THREE}
    assert all(r["metric_version"] == "vbench-0.1.5" and r["backend"] == "vbench 0.1.5" for r in rows)
    assert_same_as_vbench_evaluate(vbench, ok, scored["folder"], THREE, tmp_path)
    flicker = {r["seed"]: r["value"] for r in ok if r["dimension"] == "temporal_flickering"}
    assert flicker[1] > 0.999 and flicker[0] < 0.99  # sample 1 is a still clip (to x264's noise), sample 0 moves
    assert {r["value"] for r in ok if r["dimension"] == "dynamic_degree"} <= {0.0, 1.0}


def test_models_planted_where_vbench_looks_match_vbench_evaluate(vbench, tmp_path):
    """pyiqa's MUSIQ (imaging_quality) and OpenAI CLIP's ViT-B/32 (background_consistency, and
    appearance_style, which only VBench's standard mode runs), random weights, through the harness
    and through VBench's own ``evaluate()``: the same number for every video."""
    suite = vbench["suite"]
    texts = list(dict.fromkeys(first_text(suite, d) for d in PLANTED_MODELS))
    folder = tmp_path / "videos"
    write_standard_samples(folder, texts)
    config = VBenchRunConfig(videos=folder, out=tmp_path / "run", model="tiny", dimensions=PLANTED_MODELS, threads=2)
    summary = score_vbench(config)
    rows = rows_of(summary.store)
    assert summary.reasons == {} and {r["status"] for r in rows} == {"ok"}
    assert {r["dimension"] for r in rows} == set(PLANTED_MODELS)
    assert_same_as_vbench_evaluate(vbench, rows, folder, PLANTED_MODELS, tmp_path / "vb")
    still = {r["value"] for r in rows if r["dimension"] == "background_consistency" and r["seed"] == 1}
    assert min(still) > 0.99  # a still clip keeps its background to x264's noise, even through random CLIP


def test_absent_checkpoint_is_missing_with_fetch_command(scored):
    rows = [r for r in rows_of(scored["summary"].store) if r["dimension"] == ABSENT]
    assert rows and all(r["status"] == "missing" and r["value"] is None for r in rows)
    assert all("wanbench weights fetch vbench-clip-vit-l-14" in r["error"] for r in rows)
    assert ABSENT in scored["summary"].reasons


def test_resume_scores_only_what_is_not_done(scored):
    store = scored["summary"].store
    before = {(r["prompt_id"], r["seed"], r["dimension"]): r["value"] for r in rows_of(store) if r["status"] == "ok"}
    again = score_vbench(scored["config"])
    assert again.statuses.get("ok", 0) == 0 and again.skipped_done == len(before)
    victim = next(k for k in before if k[2] == "temporal_flickering")
    with sqlite3.connect(store) as db:
        db.execute("DELETE FROM results WHERE prompt_id=? AND seed=? AND dimension=?", victim)
    third = score_vbench(scored["config"])
    assert third.statuses["ok"] == 1
    after = {(r["prompt_id"], r["seed"], r["dimension"]): r["value"] for r in rows_of(store) if r["status"] == "ok"}
    assert after == before


def test_shards_merge_and_unreadable_video(vbench, tmp_path):
    suite = vbench["suite"]
    texts = [p.text for p in suite if "temporal_flickering" in p.dimensions][:2]
    folder = tmp_path / "videos"
    write_standard_samples(folder, texts)
    (folder / f"{texts[0]}-2.mp4").write_bytes(b"not a video")
    out = tmp_path / "run"
    for rank in (0, 1):
        config = VBenchRunConfig(videos=folder, out=out, dimensions=("temporal_flickering",), shard=Shard(rank, 2))
        score_vbench(config)
    assert merge_shards(out).rows == 5
    rows = rows_of(out / "results.sqlite")
    assert len(rows) == 5
    bad = [r for r in rows if r["seed"] == 2]
    assert len(bad) == 1 and bad[0]["status"] == "error" and "no result" in bad[0]["error"]
    assert all(r["value"] > 0.999 for r in rows if r["seed"] == 1)  # the still clips
    # VBench's custom-input mode on the same files: the same values, prompts read from the file names
    custom = score_vbench(
        VBenchRunConfig(
            videos=folder, out=tmp_path / "custom", mode="custom", dimensions=("temporal_flickering", "object_class")
        )
    )
    assert "object_class" in custom.reasons
    values = sorted(r["value"] for r in rows_of(custom.store) if r["status"] == "ok")
    assert values == sorted(r["value"] for r in rows if r["status"] == "ok")


class _TouchOnLoad:
    """Unpickling this calls Path.touch(marker): what a hostile checkpoint could do with any callable."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_checkpoint_pickle_never_runs_code(vbench, tmp_path, monkeypatch):
    """pyiqa loads MUSIQ with ``weights_only=False``; the worker makes every load weights-only, so a
    checkpoint whose pickle would run code is an error row and the code never runs."""
    import torch

    home = tmp_path / "home"
    musiq = home / "weights" / "vbench" / "pyiqa_model" / "musiq_spaq_ckpt-358bb6af.pth"
    musiq.parent.mkdir(parents=True)
    marker = tmp_path / "the-pickle-ran"
    torch.save({"params": _TouchOnLoad(marker)}, musiq)
    monkeypatch.setenv("WANBENCH_HOME", str(home))
    folder = tmp_path / "videos"
    write_standard_samples(folder, [first_text(vbench["suite"], "imaging_quality")], samples=1)
    summary = score_vbench(VBenchRunConfig(videos=folder, out=tmp_path / "run", dimensions=("imaging_quality",)))
    rows = rows_of(summary.store)
    assert len(rows) == 1 and rows[0]["status"] == "error" and "weights only load failed" in rows[0]["error"].lower()
    assert not marker.exists()
