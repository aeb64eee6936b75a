"""The overlapped pipeline: same rows as the sequential loop, a bounded look-ahead, errors in place."""

import threading
from pathlib import Path

import pytest

from tests.conftest import SMALL, frozen_clip, write_suite
from wanbench.backbones.flow import DISFlow
from wanbench.run.overlap import overlapped
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.run.store import ResultStore
from wanbench.video import write_video


def values(run_dir: Path) -> dict:
    with ResultStore(run_dir / "results.sqlite") as store:
        return {
            (r["prompt_id"], r["seed"], r["dimension"]): (r["status"], r["value"], r["error"]) for r in store.results()
        }


def test_overlapped_run_writes_the_same_rows_as_the_sequential_one(tmp_path: Path, tiny_suite: Path) -> None:
    runs = {}
    for depth in (0, 2):
        config = EvalConfig(
            model="procedural",
            suite=str(tiny_suite),
            out=tmp_path / f"run{depth}",
            model_options=SMALL,
            seeds=(0, 1),
            prefetch=depth,
        )
        summary = run_eval(config)
        assert summary.exit_code == 0 and summary.videos == 6
        runs[depth] = values(config.out)
    assert runs[0] == runs[2] and len(runs[0]) == 12


def test_look_ahead_is_bounded_and_yields_in_input_order(tmp_path: Path) -> None:
    paths = [write_video(tmp_path / f"v{i}.mp4", frozen_clip(frames=4, height=32, width=32), fps=8) for i in range(5)]
    consumed: list[int] = []
    lead: list[int] = []
    yielded: list[int] = []

    def items():
        for i, path in enumerate(paths):
            consumed.append(i)
            yield i, path, ("flow",)

    for loaded in overlapped(items(), {"flow": DISFlow()}, depth=2):
        yielded.append(loaded.item)
        lead.append(len(consumed) - loaded.item)  # items taken from the source ahead of this one
        assert threading.current_thread() is threading.main_thread()
        assert "flow" in loaded.features._values  # computed ahead, in the worker
    assert yielded == consumed == list(range(5)) and max(lead) == 3  # this one and two ahead


def test_decode_errors_come_back_for_their_item_and_the_rest_still_scores(tmp_path: Path) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    write_video(videos / "good.mp4", frozen_clip(), fps=8)
    (videos / "corrupt.mp4").write_bytes(b"\x00\x01garbage" * 100)
    write_video(videos / "after.mp4", frozen_clip(), fps=8)
    suite = write_suite(
        tmp_path / "s.jsonl",
        [{"id": name, "text": "t", "dimensions": ["pixel_stability"]} for name in ("good", "corrupt", "after")],
    )
    config = EvalConfig(
        model="folder", name="ext", suite=str(suite), out=tmp_path / "run", model_options={"videos": videos}, prefetch=2
    )
    summary = run_eval(config)
    assert summary.ok == 2 and summary.exit_code == 1
    with ResultStore(config.out / "results.sqlite") as store:
        assert [(f["prompt_id"], f["stage"]) for f in store.failures()] == [("corrupt", "decode")]


@pytest.mark.parametrize("depth", [0, 1])
def test_a_failing_backbone_is_reported_by_the_dimension_as_before(
    tmp_path: Path, tiny_suite: Path, monkeypatch: pytest.MonkeyPatch, depth: int
) -> None:
    def broken(self, video):
        raise RuntimeError("flow exploded")

    monkeypatch.setattr(DISFlow, "compute", broken)
    config = EvalConfig(
        model="procedural", suite=str(tiny_suite), out=tmp_path / "run", model_options=SMALL, prefetch=depth
    )
    run_eval(config)
    rows = values(config.out)
    flow_rows = [v for k, v in rows.items() if k[2] in ("large_motion", "pixel_stability", "camera_control")]
    assert flow_rows and all(s == "error" and "flow exploded" in e for s, _, e in flow_rows)
