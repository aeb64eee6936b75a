"""Closed-model exports: a manifest written for a web UI, filled in, and scored with provenance."""

import csv
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import frozen_clip, pan_clip, write_suite
from wanbench.cli import app
from wanbench.run.store import ResultStore
from wanbench.video import write_video

PROMPTS = [
    {"id": f"p{i}", "text": text, "dimensions": ["large_motion"]}
    for i, text in enumerate(["a red car races", "a cat jumps", "waves <b>crash</b>", "a dog runs"])
]


def fill(manifest: Path, videos: Path, edits: dict[str, dict[str, str]]) -> None:
    """Do what the person with the web UI does: save each video under its path, complete the cells."""
    with manifest.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        write_video(
            videos / row["path"],
            pan_clip(2.0, frames=8, height=48, width=64) if row["prompt_id"] == "p0" else frozen_clip(8, 48, 64),
            fps=24,
        )
        row |= {
            "version": "2.0 (web UI)",
            "date": "2026-11-30",
            "settings": '{"duration": "5s", "aspect": "16:9"}',
            "generated_by": "A. Tester <lab>",
        } | edits.get(row["prompt_id"], {})
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_export_for_a_web_ui_then_score_with_provenance(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s.jsonl", PROMPTS)
    videos = tmp_path / "exports" / "sora"
    manifest = videos / "manifest.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["prompts", "export-manifest", str(suite), "-o", str(manifest), "--model", "sora"])
    assert result.exit_code == 0, result.output
    with manifest.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["prompt_id"], r["text"], r["path"], r["model"], r["date"]) for r in rows[:2]] == [
        ("p0", "a red car races", "p0-s0.mp4", "sora", ""),
        ("p1", "a cat jumps", "p1-s0.mp4", "sora", ""),
    ]

    # p2: a bad date fails that prompt only; p3: the text was changed in the UI, so it is not the suite's prompt
    fill(manifest, videos, {"p2": {"date": "last tuesday"}, "p3": {"text": "a dog runs fast"}})
    out = tmp_path / "run"
    result = runner.invoke(
        app,
        [
            "score",
            "--videos",
            str(videos),
            "--manifest",
            str(manifest),
            "--name",
            "sora",
            "--suite",
            str(suite),
            "--out",
            str(out),
            "--dims",
            "large_motion",
            "--flow",
            "dis",
            "--quiet",
            "--weighting",
            "equal",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "4 prompts, 0 videos generated, 2 scores" in result.output
    assert "line 4: date 'last tuesday' is not an ISO date" in result.output
    assert "line 5: the text differs from prompt p3" in result.output

    with ResultStore(out / "results.sqlite") as store:
        recorded = store.invocations()[-1]["config"]["adapter"]["manifest"]
    files = {f["prompt_id"]: f for f in recorded["files"]}
    assert set(files) == {"p0", "p1", "p3"} and recorded["manifest_sha256"]
    assert files["p0"]["settings"] == {"duration": "5s", "aspect": "16:9"} and files["p0"]["model"] == "sora"

    with (out / "sources.csv").open(encoding="utf-8") as handle:
        sources = list(csv.DictReader(handle))
    assert {s["prompt_id"] for s in sources} == {"p0", "p1", "p3"}
    assert {(s["model"], s["version"], s["date"], s["generated_by"]) for s in sources} == {
        ("sora", "2.0 (web UI)", "2026-11-30", "A. Tester <lab>")
    }
    board = (out / "leaderboard.md").read_text(encoding="utf-8")
    assert "Videos made elsewhere" in board and "| sora | sora | 2.0 (web UI) | 2026-11-30 to 2026-11-30 |" in board
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "A. Tester &lt;lab&gt;" in html and "A. Tester <lab>" not in html


def test_a_manifest_with_part_of_the_provenance_is_refused(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "s.jsonl", PROMPTS[:1])
    write_video(tmp_path / "a.mp4", frozen_clip(8, 48, 64), fps=24)
    (tmp_path / "m.csv").write_text("prompt_id,path,model,date\np0,a.mp4,sora,2026-11-30\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "score",
            "--videos",
            str(tmp_path),
            "--manifest",
            str(tmp_path / "m.csv"),
            "--name",
            "sora",
            "--suite",
            str(suite),
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 2
    assert (
        "needs every one of model, version, date, settings, generated_by; missing: version, settings, "
        "generated_by" in result.output
    )
    assert "Traceback" not in result.output
