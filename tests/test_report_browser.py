"""The report page in a real browser: Debian's headless Chromium (selenium + chromedriver).

At 1400 px and at a 390 px phone width the page must not scroll sideways, log no console error,
load every image and video, sort its tables on a click, and show a hostile prompt as text. The
browser must be installed (``.ci/run`` installs it); only WANBENCH_SKIP_BROWSER=1 turns a missing
browser into a skip.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import write_suite
from tests.headless_chromium import open_chromium
from wanbench.report import write_report
from wanbench.run.runner import EvalConfig, Evaluator

HOSTILE = 'a fox <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & <b>owl</b>'


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    suite = write_suite(
        root / "suite.jsonl",
        [
            {
                "id": "pan-1",
                "text": "a slow pan across a harbour",
                "dimensions": ["camera_control", "large_motion"],
                "camera": "pan_left",
            },
            {
                "id": "still-1",
                "text": "a still life of apples",
                "dimensions": ["pixel_stability", "large_motion"],
                "camera": "static",
            },
            {"id": "hostile", "text": HOSTILE, "dimensions": ["large_motion", "pixel_stability"]},
        ],
    )
    run = root / "runs" / "demo"
    for name in ("alpha", "beta"):
        Evaluator(
            EvalConfig(
                model="procedural",
                suite=str(suite),
                out=run,
                name=name,
                dimensions=("large_motion", "pixel_stability", "camera_control"),
                flow="dis",
            )
        ).run_suite()
    files = write_report([run], run, reference="paper")
    return files.html


PAGE_STATE = """
const media = Array.from(document.images).map(i => ({kind: 'img', ok: i.complete && i.naturalWidth > 0}))
  .concat(Array.from(document.querySelectorAll('video'))
          .map(v => ({kind: 'video', ok: v.readyState >= 1 && !v.error})));
return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, media: media,
        pwned: window.__pwned === undefined ? null : window.__pwned};
"""


@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_report_page_in_headless_chromium(report_page: Path, width: int, height: int, tmp_path: Path):
    from selenium.webdriver.common.by import By

    driver = open_chromium(width, height, ("--allow-file-access-from-files",), console_log=True)
    try:
        driver.get(report_page.as_uri())
        deadline = time.monotonic() + 30
        while True:
            state = driver.execute_script(PAGE_STATE)
            if all(m["ok"] for m in state["media"]) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        driver.save_screenshot(str(tmp_path / f"report-{width}.png"))
        assert state["scroll"] <= state["inner"], f"page scrolls sideways at {width}px: {state}"
        assert state["media"] and all(m["ok"] for m in state["media"]), f"unloaded media: {state['media']}"
        assert sum(m["kind"] == "video" for m in state["media"]) == 6  # 2 models x 3 prompts
        assert state["pwned"] is None
        assert HOSTILE in driver.find_element(By.TAG_NAME, "body").text  # shown as text, not markup
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, json.dumps(errors)[:500]

        # Sorting: the per-video table by its "prompt" column, ascending then descending.
        table = driver.find_elements(By.CSS_SELECTOR, "table.sortable")[-1]
        names = [th.get_attribute("textContent").strip() for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
        column = names.index("prompt")  # by text content: on a phone the header row is hidden (cards)
        header = table.find_elements(By.CSS_SELECTOR, "thead th")[column]

        def prompt_column() -> list[str]:
            return driver.execute_script(
                "return Array.from(arguments[0].tBodies[0].rows).map(r => r.cells[arguments[1]].textContent.trim())",
                table,
                column,
            )

        driver.execute_script("arguments[0].click()", header)
        ascending = prompt_column()
        driver.execute_script("arguments[0].click()", header)
        descending = prompt_column()
        assert ascending == sorted(ascending) and descending == sorted(descending, reverse=True)
        assert ascending != descending
    finally:
        driver.quit()


LAYOUT = """
const inner = window.innerWidth;
const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width}; };
return {inner: inner, boards: Array.from(document.querySelectorAll('table.board')).map(t => ({
          cells: Array.from(t.tBodies[0].rows[0].cells).slice(3).map(c => Object.assign(box(c),
                 {label: c.getAttribute('data-label')})),
          heads: Array.from(t.tHead.rows[0].cells).map(box)})),
        charts: Array.from(document.querySelectorAll('.chart img')).map(i => Object.assign(box(i),
                {natural: i.naturalWidth}))};
"""


@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_score_and_every_dimension_column_are_on_screen(report_page: Path, width: int, height: int) -> None:
    """Issue 30 item 8: the weighted score and every dimension of the leaderboard are visible without
    scrolling sideways (at 1400 px the whole board fits; at 390 px each row is a card of labelled
    cells), and charts keep a readable size on a phone (they scroll inside their own box)."""
    driver = open_chromium(width, height)
    try:
        driver.get(report_page.as_uri())
        layout = driver.execute_script(LAYOUT)
    finally:
        driver.quit()
    inner = layout["inner"]
    assert layout["boards"], "no leaderboard table"
    for board in layout["boards"]:
        cells = board["cells"]  # weighted score, then the 14 dimensions
        assert len(cells) == 15
        off = [c for c in cells if c["width"] <= 0 or c["left"] < -0.5 or c["right"] > inner + 0.5]
        assert not off, f"cells off-screen at {width}px: {off[:3]}"
        if width >= 1000:
            assert all(h["right"] <= inner + 0.5 for h in board["heads"]), f"headers off-screen at {width}px"
        else:
            assert cells[0]["label"].startswith("weighted") and cells[-1]["label"].startswith(
                "Action Instruction Following"
            )
    assert layout["charts"]
    for chart in layout["charts"]:
        assert chart["width"] >= min(chart["natural"], 760) - 1, chart  # never shrunk to unreadable labels
