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


STATE = "return current && {pair: current.pair_id, step: step, answers: {...answers}, playing: clock.playing}"
FOCUS = "return document.activeElement === document.body || document.activeElement === null"
NO_SIDEWAYS_SCROLL = "return [document.documentElement.scrollWidth, window.innerWidth]"


def press(browser, *keys: str) -> None:
    """Keys to whatever has focus, as a person types them (not to an element selenium focuses first)."""
    from selenium.webdriver.common.action_chains import ActionChains

    for key in keys:
        ActionChains(browser).send_keys(key).perform()


def state(browser) -> dict:
    return browser.execute_script(STATE)


def next_round(browser, old: str | None) -> dict:
    return wait_for(lambda: (s := state(browser)) and s["pair"] != old and s, what="the next pair")


def playing(browser) -> list[dict]:
    return wait_for(
        lambda: (
            (s := browser.execute_script(PLAYING))
            and all(v["ready"] >= 2 and not v["paused"] and v["t"] > 0 for v in s)
            and s
        ),
        what="both videos playing",
    )


def stored_rounds(votes: Path, annotator: str) -> dict[str, dict[str, tuple[str, str]]]:
    """pair id -> {aspect: (winner, shown_left)} of one annotator, and the server's recorded sides."""
    from wanbench.people.arena.catalog import pair_id

    db = sqlite3.connect(votes)
    rounds: dict[str, dict[str, tuple[str, str]]] = {}
    for prompt, seed, a, b, question, winner, shown_left, seconds in db.execute(
        "SELECT prompt_id, seed, model_a, model_b, question, winner, shown_left, seconds FROM votes WHERE annotator=?",
        (annotator,),
    ):
        assert seconds is not None and 0 < seconds < 600
        rounds.setdefault(pair_id(prompt, seed, a, b), {})[question or "overall"] = (winner, shown_left)
    sides = {
        pair_id(p, s, a, b): left
        for p, s, a, b, left in db.execute(
            "SELECT prompt_id, seed, model_a, model_b, shown_left FROM assignments WHERE annotator=?", (annotator,)
        )
    }
    for pid, answers in rounds.items():
        assert {left for _, left in answers.values()} == {sides[pid]}  # every answer read against the record
    return rounds


def expected(answers: dict[str, str], left_is: str) -> dict[str, tuple[str, str]]:
    right_is = "b" if left_is == "a" else "a"
    return {k: ({"left": left_is, "right": right_is}.get(v, v), left_is) for k, v in answers.items()}


@pytest.mark.slow
def test_arena_in_headless_chromium(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    runs = video_runs(tmp_path, ["alpha", "beta", "gamma"], [("p1", HOSTILE), ("p2", "a dog runs")])  # 6 pairs
    votes = tmp_path / "votes.sqlite"
    server = ArenaProcess(runs, votes).start()
    chosen: dict[str, dict[str, str]] = {}
    hostile_seen = 0
    try:
        browser.get(server.url + "/")
        assert "which video is better" in browser.page_source.lower()
        name = browser.find_element(By.ID, "annotator")
        name.send_keys("carol")
        name.send_keys(Keys.ENTER)
        wait_for(lambda: "/vote" in browser.current_url, what="the vote page")
        keys_text = browser.find_element(By.ID, "keys").text  # every key is shown on the vote page
        for shown in ("←", "→", "↓", "1", "2", "3", "4", "T", "B", "S", "↑", "Backspace", "Space", "R", "P", "Esc"):
            assert shown in keys_text, shown

        def check_prompt() -> None:
            nonlocal hostile_seen
            prompt = browser.find_element(By.ID, "prompt")
            if prompt.text.startswith("a cat"):
                hostile_seen += 1  # the markup is shown as text, and none of it ran
                assert prompt.text == HOSTILE
                assert not browser.find_elements(By.CSS_SELECTOR, "#prompt *")
                assert browser.execute_script("return window.__pwned === undefined")

        # round 1, keys only: visual left, skip motion, matching tie, overall left
        now = next_round(browser, None)
        state_1 = playing(browser)
        assert all(v["w"] == 64 and v["error"] is None for v in state_1)
        check_prompt()
        press(browser, "1", "s", "3", Keys.ARROW_LEFT)
        chosen[now["pair"]] = {"visual_quality": "left", "matching": "tie", "overall": "left"}

        # round 2: an aspect answered by mouse, then every key still does its job
        now = next_round(browser, now["pair"])
        playing(browser)
        check_prompt()
        browser.find_element(By.ID, "choose-visual_quality-right").click()
        assert browser.execute_script(FOCUS), "a click took the keyboard focus"
        assert state(browser)["step"] == 1 and state(browser)["answers"] == {"visual_quality": "right"}
        press(browser, "2")
        assert state(browser)["answers"]["motion_quality"] == "right" and state(browser)["step"] == 2
        press(browser, Keys.ARROW_UP)
        assert state(browser)["step"] == 1
        press(browser, "b")
        assert state(browser)["answers"]["motion_quality"] == "both_bad" and state(browser)["step"] == 2
        press(browser, Keys.BACKSPACE, "4")  # back to motion once more, both bad again
        press(browser, "s")  # skip matching
        assert state(browser)["step"] == 3 and "matching" not in state(browser)["answers"]
        press(browser, " ")
        paused = wait_for(lambda: all(v["paused"] for v in browser.execute_script(PLAYING)), what="space pauses")
        assert paused and state(browser)["playing"] is False
        press(browser, " ")
        playing(browser)
        press(browser, ",")  # a step: both stop at the same time
        times = wait_for(
            lambda: (s := browser.execute_script(PLAYING)) and all(v["paused"] for v in s) and s, what="step pauses"
        )
        assert abs(times[0]["t"] - times[1]["t"]) < 0.01
        press(browser, ".", "r")
        playing(browser)
        press(browser, "p")
        wait_for(lambda: "Paused" in browser.find_element(By.ID, "overlay").text, what="the session pause")
        press(browser, Keys.ARROW_RIGHT)  # paused: no answer is taken
        assert state(browser)["pair"] == now["pair"] and state(browser)["step"] == 3
        press(browser, "p")
        wait_for(lambda: not browser.find_element(By.ID, "overlay").is_displayed(), what="resume")
        press(browser, "4")
        chosen[now["pair"]] = {"visual_quality": "right", "motion_quality": "both_bad", "overall": "both_bad"}

        # round 3: overall straight away by mouse
        now = next_round(browser, now["pair"])
        check_prompt()
        browser.find_element(By.ID, "choose-overall-right").click()
        chosen[now["pair"]] = {"overall": "right"}

        # round 4: arrows and letters
        now = next_round(browser, now["pair"])
        check_prompt()
        press(browser, Keys.ARROW_DOWN, "t", Keys.ARROW_RIGHT, "2")
        chosen[now["pair"]] = {
            "visual_quality": "tie",
            "motion_quality": "tie",
            "matching": "right",
            "overall": "right",
        }
        now = next_round(browser, now["pair"])
        check_prompt()

        width, inner = browser.execute_script(NO_SIDEWAYS_SCROLL)
        assert width <= inner, (width, inner)
        browser.refresh()  # a reload: no vote doubled, the next pair is a new one
        after = next_round(browser, None)
        assert after["pair"] not in chosen
        assert browser.find_element(By.ID, "progress").text.startswith("4 / 6")
        press(browser, "s", "s", "s", "t")
        chosen[after["pair"]] = {"overall": "tie"}
        last = next_round(browser, after["pair"])
        check_prompt()
        press(browser, "3", "s", "s", "3")  # visual tie, skip motion and matching, overall tie
        chosen[last["pair"]] = {"visual_quality": "tie", "overall": "tie"}
        wait_for(lambda: "All pairs judged" in browser.find_element(By.ID, "overlay").text, what="the end")
        press(browser, Keys.ESCAPE)  # the end overlay closes
        wait_for(lambda: not browser.find_element(By.ID, "overlay").is_displayed(), what="the overlay to close")
        assert "All pairs judged" in browser.find_element(By.ID, "status").text
    finally:
        server.stop()

    assert hostile_seen >= 1
    rounds = stored_rounds(votes, "carol")
    assert set(rounds) == set(chosen)  # each pair exactly once (the key is unique per aspect)
    for pid, answers in chosen.items():
        left_is = next(iter(rounds[pid].values()))[1]
        assert rounds[pid] == expected(answers, left_is), pid


@pytest.mark.slow
def test_arena_on_a_390_px_phone(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    runs = video_runs(tmp_path, ["alpha", "beta"], [("p1", "a cat " * 40), ("p2", "a dog runs")])  # 2 pairs
    votes = tmp_path / "votes.sqlite"
    server = ArenaProcess(runs, votes).start()
    phone = open_chromium(390, 844, ("--autoplay-policy=no-user-gesture-required",), phone=True)
    chosen: dict[str, dict[str, str]] = {}
    try:
        phone.get(server.url + "/")
        width, inner = phone.execute_script(NO_SIDEWAYS_SCROLL)
        assert inner == 390 and width <= inner, (width, inner)  # the viewport meta: laid out at the phone's width
        phone.get(server.url + "/vote?annotator=pat")
        now = next_round(phone, None)
        playing(phone)
        width, inner = phone.execute_script(NO_SIDEWAYS_SCROLL)
        assert inner == 390 and width <= inner, (width, inner)
        left, right = (phone.find_element(By.ID, i).rect for i in ("left", "right"))
        assert left["y"] + left["height"] <= right["y"] + 1 and left["width"] > 300  # stacked, full width
        for button in phone.find_elements(By.CSS_SELECTOR, "button"):
            if button.is_displayed():
                r = button.rect
                assert r["x"] >= 0 and r["x"] + r["width"] <= 390, (button.text, r)
        phone.find_element(By.ID, "choose-visual_quality-left").click()
        phone.find_element(By.ID, "choose-overall-right").click()
        chosen[now["pair"]] = {"visual_quality": "left", "overall": "right"}
        now = next_round(phone, now["pair"])
        playing(phone)
        phone.find_element(By.ID, "choose-matching-tie").click()  # a tap, then a keyboard: keys still work
        assert phone.execute_script(FOCUS)
        assert state(phone)["step"] == 3
        press(phone, Keys.ARROW_LEFT)
        chosen[now["pair"]] = {"matching": "tie", "overall": "left"}
        wait_for(lambda: "All pairs judged" in phone.find_element(By.ID, "overlay").text, what="the end")
        phone.find_element(By.ID, "overlay-close").click()
        wait_for(lambda: not phone.find_element(By.ID, "overlay").is_displayed(), what="the overlay to close")
    finally:
        phone.quit()
        server.stop()
    rounds = stored_rounds(votes, "pat")
    assert set(rounds) == set(chosen)
    for pid, answers in chosen.items():
        assert rounds[pid] == expected(answers, next(iter(rounds[pid].values()))[1])


@pytest.mark.slow
def test_both_videos_start_loop_and_scrub_together(tmp_path: Path, browser) -> None:
    # 0.5 s against 2 s: the short one holds its last frame until the long one ends, then both restart
    runs = video_runs(tmp_path, ["alpha", "beta"], [("p1", "a cat")], frames={"alpha": 4, "beta": 16})
    server = ArenaProcess(runs, tmp_path / "votes.sqlite").start()
    try:
        browser.get(server.url + "/vote?annotator=sync")
        next_round(browser, None)
        playing(browser)
        durations = wait_for(
            lambda: (d := browser.execute_script("return videos().map((v) => v.duration)")) and all(d) and d,
            what="durations",
        )
        long_i = 0 if durations[0] > durations[1] else 1
        short = min(durations)
        assert abs(short - 0.5) < 0.05 and abs(max(durations) - 2.0) < 0.05
        samples, loops, last = [], 0, 0.0
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            t = [v["t"] for v in browser.execute_script(PLAYING)]
            samples.append(t)
            loops += t[long_i] < last - 0.5
            last = t[long_i]
            time.sleep(0.03)
        assert loops >= 1  # the long video looped within 5 s
        together = [t for t in samples if 0.1 < t[long_i] < short - 0.1]
        assert together, "no sample while both were playing"
        assert max(abs(t[0] - t[1]) for t in together) < 0.15  # one clock
        held = [t for t in samples if t[long_i] > short + 0.1]
        assert held and all(abs(t[1 - long_i] - short) < 0.06 for t in held)  # the short one waits at its end
        for value, expect_long in ((100, 0.2), (750, 1.5)):
            browser.execute_script(
                "const s = document.getElementById('scrub'); s.value = arguments[0];"
                "s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));",
                value,
            )
            t = [v["t"] for v in browser.execute_script(PLAYING)]
            assert abs(t[long_i] - expect_long) < 0.05, (value, t)
            assert abs(t[1 - long_i] - min(expect_long, short)) < 0.05, (value, t)
        assert browser.execute_script(FOCUS)  # scrubbing left the keys with the page
    finally:
        server.stop()
