"""Headless Chromium for the browser tests: Debian's binary, driven by Playwright.

Playwright's own browser download does not work on these machines, so the tests launch
``/usr/bin/chromium`` (installed by ``scripts/bootstrap chromium``). The flags keep it from
reaching for the network at start, which this machine's closed network would refuse.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def launch_chromium() -> Iterator[Browser]:
    """One headless Chromium for as long as the generator is open.

    Missing Chromium skips the test on a developer machine, but fails it in CI (where
    ``CI`` is set), so a broken install step cannot turn the browser suites green.
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (scripts/bootstrap chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
