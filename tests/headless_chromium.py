"""Debian's headless Chromium through selenium and chromedriver, for the page tests (the report and
the arena). `.ci/run` installs both; a missing browser fails the test with one line, and only
WANBENCH_SKIP_BROWSER=1 turns that into a skip."""

from __future__ import annotations

import os
import shutil

import pytest

BASE_FLAGS = ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--mute-audio")


def chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    reason = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver; .ci/run does it)"
    if os.environ.get("WANBENCH_SKIP_BROWSER") == "1":
        pytest.skip(reason)
    pytest.fail(reason, pytrace=False)


PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)


def open_chromium(
    width: int, height: int, extra_flags: tuple[str, ...] = (), console_log: bool = False, phone: bool = False
):
    """A started webdriver for a window of ``width`` x ``height``; the caller quits it.

    ``phone``: Chromium's mobile emulation of a ``width`` px wide touch screen (device pixel ratio 3),
    where a page without a viewport meta is laid out 980 px wide and shrunk, as on a real phone."""
    binary, driver_path = chromium_paths()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed (pip install 'wanbench[test]')", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*BASE_FLAGS, *extra_flags, f"--window-size={width},{height}"):
        options.add_argument(flag)
    if phone:
        metrics = {"width": width, "height": height, "pixelRatio": 3.0, "touch": True, "mobile": True}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics, "userAgent": PHONE_AGENT})
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(60)
    return driver
