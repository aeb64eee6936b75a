"""`wanbench dims` prints a structured answer: each dimension's state, what blocks it, which weights
entries are missing and the command that fetches them; nobody parses the reasons."""

from pathlib import Path

from wanbench.readiness import dimension_readiness, readiness_line, unavailable_backbones


def by_name(rows):
    return {row.name: row for row in rows}


def test_each_dimension_says_its_state_missing_weights_and_fix() -> None:
    rows = by_name(dimension_readiness())  # WANBENCH_HOME is empty in tests: only weightless backbones run
    assert rows["large_motion"].state == "ready" and rows["large_motion"].missing_weights == []
    camera = rows["camera_control"]  # its flow half runs; aerial and tracking prompts need the judge
    assert camera.ready and camera.state == "partly ready" and camera.missing_weights == ["qwen2-vl-7b"]
    quality = rows["image_quality"]
    assert not quality.ready and quality.state == "missing"
    assert {b.backbone for b in quality.blockers} == {"iqa", "clip"}
    assert "clip-vit-l-14" in quality.missing_weights
    clip = next(b for b in quality.blockers if b.backbone == "clip")
    assert clip.weights == ["clip-vit-l-14"] and clip.fix == "wanbench weights fetch clip-vit-l-14"
    entry = quality.to_dict()
    assert entry["state"] == "missing" and entry["missing_weights"] == quality.missing_weights
    assert {b["fix"] for b in entry["blockers"]} == {b.fix for b in quality.blockers}


def test_a_blocker_that_no_download_fixes_has_no_fetch_hint(tmp_path: Path) -> None:
    rows = by_name(dimension_readiness({"vlm": {"path": tmp_path}}))  # a judge folder without config.json
    (blocker,) = rows["smoothness"].blockers
    assert "no config.json" in blocker.reason and blocker.weights == [] and blocker.fix == ""


def test_the_reasons_and_the_summary_line_come_from_the_same_rows() -> None:
    rows = dimension_readiness()
    reasons = unavailable_backbones(rows)
    blocked = [r for r in rows if not r.ready]
    assert set(reasons) == {b.backbone for r in rows for b in r.blockers + r.partial}
    assert all(reasons[b.backbone] for r in blocked for b in r.blockers)
    assert readiness_line(rows).startswith(f"{len(blocked)} of 14 dimensions were missing")
    ready_everywhere = [r for r in rows if r.ready]
    assert readiness_line(ready_everywhere) == "every dimension can run here"
