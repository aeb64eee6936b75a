"""The documented Python API: docs/api.md's example runs as written and returns real numbers."""

import re
from pathlib import Path

import pandas as pd

import wanbench

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_docs_example_runs(capsys) -> None:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    exec(compile(code, str(DOC), "exec"), {})
    printed = capsys.readouterr().out
    assert "procedural" in printed and printed.strip().endswith("True")


def test_run_tables(tmp_path: Path) -> None:
    run = wanbench.evaluate(
        model="procedural",
        suite="smoke",
        out=tmp_path / "r",
        limit=3,
        dimensions=["large_motion", "pixel_stability"],
        flow="dis",
        report=False,
    )
    board = run.leaderboard()
    assert list(board.model) == ["procedural"] and 0 <= board.large_motion[0] <= 1
    videos = run.videos()
    assert len(videos) == 3 and videos.prompt.str.len().min() > 10
    assert all(Path(v).is_file() for v in videos.video)
    scores = run.scores()
    assert set(scores.status) <= {"ok", "not_applicable", "error", "missing", "stale"}
    ok = scores[(scores.status == "ok") & (scores.dimension == "large_motion")]
    assert abs(ok.value.mean() - board.large_motion[0]) < 1e-12  # one seed: the mean of the rows
    assert not (tmp_path / "r" / "report.html").exists()
    assert isinstance(wanbench.load_run(tmp_path / "r").leaderboard(), pd.DataFrame)


def test_videos_table_of_a_run_with_nothing_scored(tmp_path: Path) -> None:
    run = wanbench.evaluate(
        model="procedural", suite="smoke", out=tmp_path / "r", dimensions=["smoothness"], report=False
    )  # the judge is missing here: no ok row
    videos = run.videos()
    assert len(videos) >= 1 and set(videos.statuses) == {"missing"}
