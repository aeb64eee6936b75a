"""The arena in a real browser: Debian's headless Chromium driven by selenium through chromedriver.

The browser must be installed (``.ci/run`` installs it): when it is missing this test FAILS with one
line saying so. Only ``WANBENCH_SKIP_BROWSER=1`` turns that into a skip, for a machine that cannot
have a browser.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.arena_server import ArenaProcess
from tests.headless_chromium import open_chromium
from tests.votes_helpers import video_runs

HOSTILE = 'a cat <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & <b>dog</b>'


@pytest.fixture
def browser():
    driver = open_chromium(1400, 900, ("--autoplay-policy=no-user-gesture-required",))
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


PLAYING = """return ['left', 'right'].map((id) => { const v = document.getElementById(id);
  return {ready: v.readyState, paused: v.paused, t: v.currentTime, w: v.videoWidth,
          error: v.error && v.error.code}; });"""


@pytest.mark.slow
def test_arena_in_headless_chromium(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    runs = video_runs(tmp_path, ["alpha", "beta", "gamma"], [("p1", HOSTILE), ("p2", "a dog runs")])  # 6 pairs
    votes = tmp_path / "votes.sqlite"
    server = ArenaProcess(runs, votes).start()
    try:
        browser.get(server.url + "/")
        assert "which video is better" in browser.page_source.lower()
        name = browser.find_element(By.ID, "annotator")
        name.send_keys("carol")
        name.send_keys(Keys.ENTER)
        wait_for(lambda: "/vote" in browser.current_url, what="the vote page")

        seen, choices, hostile_seen = [], [], 0
        actions = [
            ("key", Keys.ARROW_LEFT, "left"),
            ("click", "choose-right", "right"),
            ("key", "t", "tie"),
            ("click", "choose-both-bad", "both_bad"),
            ("key", "2", "right"),
        ]
        for how, what, choice in actions:
            pair = wait_for(lambda: browser.execute_script("return current && current.pair_id"), what="a pair")
            assert pair not in seen
            # both videos load and play: frames decoded, time advancing, not paused, no media error
            state = wait_for(
                lambda: (
                    (s := browser.execute_script(PLAYING))
                    and all(v["ready"] >= 2 and not v["paused"] and v["t"] > 0 for v in s)
                    and s
                ),
                what="both videos playing",
            )
            assert all(v["w"] == 64 and v["error"] is None for v in state)
            left_is = browser.execute_script("return current.left_is")
            if how == "key":
                browser.find_element(By.TAG_NAME, "body").send_keys(what)
            else:
                browser.find_element(By.ID, what).click()
            seen.append(pair)
            choices.append((pair, left_is, choice))
            wait_for(
                lambda old=pair: browser.execute_script("return current && current.pair_id") not in (old, None),
                what="the next pair",
            )
            prompt = browser.find_element(By.ID, "prompt")
            if prompt.text.startswith("a cat"):
                hostile_seen += 1  # the markup is shown as text, and none of it ran
                assert prompt.text == HOSTILE
                assert not browser.find_elements(By.CSS_SELECTOR, "#prompt *")
                assert browser.execute_script("return window.__pwned === undefined")

        assert hostile_seen >= 1
        browser.refresh()  # a reload: no vote doubled, the next pair is a new one
        after = wait_for(lambda: browser.execute_script("return current && current.pair_id"), what="pair after reload")
        assert after not in seen
        assert browser.find_element(By.ID, "progress").text.startswith("5 / 6")
        browser.find_element(By.TAG_NAME, "body").send_keys("1")  # the last pair, by key
        wait_for(lambda: "All pairs judged" in browser.find_element(By.ID, "overlay").text, what="the end")
        choices.append((after, None, "left"))
    finally:
        server.stop()

    from wanbench.people.arena.catalog import pair_id

    db = sqlite3.connect(votes)
    rows = db.execute(
        "SELECT prompt_id, seed, model_a, model_b, winner, shown_left, seconds, sha256_a, sha256_b "
        "FROM votes WHERE annotator='carol' AND question=''"
    ).fetchall()
    assert len(rows) == 6 and len({r[:4] for r in rows}) == 6  # each pair exactly once
    assert all(r[6] is not None and 0 < r[6] < 600 and len(r[7]) == len(r[8]) == 64 for r in rows)
    stored = {pair_id(*r[:4]): (r[4], r[5]) for r in rows}
    for pair, left_is, choice in choices[:-1]:
        right_is = "b" if left_is == "a" else "a"
        expected = {"left": left_is, "right": right_is}.get(choice, choice)
        assert stored[pair] == (expected, left_is)
