import html
from pathlib import Path

import pandas as pd

from tests.conftest import SMALL, frozen_clip, write_suite
from wanbench.report import write_report
from wanbench.run.runner import EvalConfig, run_eval
from wanbench.video import write_video

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_report_files_and_reference_rows(tmp_path: Path, tiny_suite: Path) -> None:
    out = tmp_path / "run"
    run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL))
    files = write_report([out], out, weighting="paper", reference="paper")
    for path in (files.html, files.markdown, files.leaderboard_csv, files.scores_csv):
        assert path.is_file() and path.stat().st_size > 0
    names = {p.name for p in files.charts}
    assert {"dimensions.png", "radar.png", "dim_large_motion.png", "dim_pixel_stability.png"} <= names
    assert all(p.read_bytes().startswith(PNG_MAGIC) for p in files.charts)
    board = pd.read_csv(files.leaderboard_csv)
    assert "Wan 14B" in set(board.model) and "procedural" in set(board.model)
    ours = board[board.model == "procedural"].iloc[0]
    assert bool(ours.partial) and ours.dimensions_scored == 3
    markdown = files.markdown.read_text()
    assert "3/14 dims" in markdown and "image_quality: image quality needs MUSIQ" in markdown
    assert pd.isna(ours["rank"])  # a partial score is never ranked, whatever its value
    assert board[board.source != "measured"]["rank"].isna().all()  # nor are the paper's rows among ours
    scores = pd.read_csv(files.scores_csv)
    assert len(scores) == 6 and set(scores.status) == {"ok", "missing"}
    assert scores[scores.dimension == "camera_control"].status.tolist() == ["ok"]
    page = files.html.read_text()
    assert "data:image/png;base64," in page and "Provenance" in page


def test_everything_in_the_html_is_escaped(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script>'
    videos = tmp_path / "videos"
    videos.mkdir()
    write_video(videos / "p-1.mp4", frozen_clip(), fps=8)
    suite = write_suite(
        tmp_path / "s.jsonl",
        [
            {"id": "p-1", "text": evil, "dimensions": ["pixel_stability"]},
            {"id": "p-2", "text": evil, "dimensions": ["pixel_stability"]},
        ],
    )
    out = tmp_path / "run"
    run_eval(EvalConfig(model="folder", name="m", suite=str(suite), out=out, model_options={"videos": videos}))
    import sqlite3  # labels are validated now: plant the evil one as a store from before that could hold it

    with sqlite3.connect(out / "results.sqlite") as con:
        for table in ("results", "failures", "videos", "invocations"):
            con.execute(f"UPDATE {table} SET model = ?", (evil,))
    page = write_report([out], out).html.read_text()
    assert evil not in page and page.count("<script") == 1  # only the page's own sorting script
    assert html.escape(evil, quote=True) in page  # the model name, shown escaped
    assert "no video for prompt p-2" in page  # the failure is listed
