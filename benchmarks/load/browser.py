"""N headless Chromium tabs on the dashboard, each watched by the page probe.

One Chromium process (Debian's ``/usr/bin/chromium`` with the flags of
``tests/browser.py``), one browser context per tab. Separate contexts matter: pages of
one context are tabs of one window, and Chromium paints only the window's front tab
(measured here: the other tabs ran ``requestAnimationFrame`` about once a second),
whereas a dashboard is watched in visible windows. Every context gets ``probe.js`` as an
init script, so the dashboard's own code is unchanged.

All tabs are requested at once (a burst), as when a control room opens its screens.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import structlog
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from tests.browser import CHROMIUM, CHROMIUM_ARGS

from .analysis import TabRecord
from .scenario import PLOTS

logger = structlog.get_logger(__name__)

PROBE_JS = (Path(__file__).with_name("probe.js")).read_text(encoding="utf-8")
VIEWPORT = {"width": 1400, "height": 900}
_READ_PROBE = "() => window.__ldProbe ? window.__ldProbe : null"


def _now_ms() -> float:
    return time.time() * 1000.0


class Tabs:
    """The tabs of one run (use as ``async with Tabs.launch(...) as tabs``)."""

    def __init__(self, browser: Browser, playwright: Any) -> None:
        self._browser = browser
        self._playwright = playwright
        self._contexts: list[BrowserContext | None] = []
        self._pages: list[Page] = []
        self.records: list[TabRecord] = []

    @classmethod
    async def launch(cls) -> Tabs:
        if not CHROMIUM.exists():
            raise RuntimeError(f"{CHROMIUM} is not installed (scripts/bootstrap chromium)")
        playwright = await async_playwright().start()
        try:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            await playwright.stop()
            raise
        return cls(browser, playwright)

    async def __aenter__(self) -> Tabs:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._browser.close(), timeout=30.0)
        except Exception:
            logger.warning("load_browser_close_failed", exc_info=True)
        await self._playwright.stop()

    # -- opening ---------------------------------------------------------------------

    async def open(self, url: str, count: int, *, timeout_s: float) -> None:
        """Create ``count`` tabs, then request ``url`` in all of them at once."""
        for _ in range(count):
            context = await self._browser.new_context(viewport=VIEWPORT)
            await context.add_init_script(PROBE_JS)
            self._contexts.append(context)
            self._pages.append(await context.new_page())
        self.records = [TabRecord(tab=i, request_ms=0.0) for i in range(count)]

        async def request(index: int, page: Page) -> None:
            self.records[index].request_ms = _now_ms()
            try:
                await page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
            except Exception as exc:  # noqa: BLE001 - recorded as a failed tab
                self.records[index].error = f"goto: {exc}"

        await asyncio.gather(*(request(i, p) for i, p in enumerate(self._pages)))

    async def wait_started(self, *, timeout_s: float) -> int:
        """Wait until every tab painted all four plots; how many did."""
        deadline = time.monotonic() + timeout_s
        while True:
            await self.refresh()
            started = sum(
                len([f for f in r.firsts.values() if f]) >= len(PLOTS) for r in self.records
            )
            if started == len(self.records) or time.monotonic() > deadline:
                return started
            await asyncio.sleep(0.5)

    # -- reading ---------------------------------------------------------------------

    async def refresh(self) -> None:
        """Copy every open tab's probe state (sources, first draws, updates) into records."""

        async def read(index: int, page: Page) -> None:
            if page.is_closed():
                return
            record = self.records[index]
            try:
                probe = await page.evaluate(_READ_PROBE)
                record.worker = page.url.rstrip("/").rsplit("/", 1)[-1]
            except Exception as exc:  # noqa: BLE001 - a crashed tab is recorded, not fatal
                record.error = f"probe: {exc}"
                return
            if not probe:
                return
            record.sources = probe["sources"]
            record.firsts = {k: v for k, v in probe["firsts"].items() if v}
            record.draws = [tuple(d) for d in probe["draws"]]  # type: ignore[misc]
            record.doc_ms = probe.get("doc_ms")
            if probe.get("nav"):
                record.html_ms = probe["nav"]["response_end_ms"]
            if probe["errors"]:
                record.error = "; ".join(probe["errors"])
            if probe.get("lost_ms") and not record.lost_ms:
                record.lost_ms = probe["lost_ms"]

        await asyncio.gather(*(read(i, p) for i, p in enumerate(self._pages)))

    # -- closing ---------------------------------------------------------------------

    async def close_tab(self, index: int) -> float:
        """Close one tab (its context); the time the close was requested (ms)."""
        context = self._contexts[index]
        requested = _now_ms()
        if context is not None:
            self._contexts[index] = None
            await context.close()
        return requested

    async def close_all(self) -> float:
        requested = _now_ms()
        await asyncio.gather(
            *(self.close_tab(i) for i, c in enumerate(self._contexts) if c is not None)
        )
        return requested

    @property
    def open_tabs(self) -> list[int]:
        return [i for i, c in enumerate(self._contexts) if c is not None]


class BrowserTabs:
    """:class:`Tabs` behind the blocking interface the runner uses for both modes."""

    def __init__(self, *, url: str) -> None:
        self._url = url.rstrip("/") + "/"
        self._loop = asyncio.new_event_loop()
        self._tabs = self._loop.run_until_complete(Tabs.launch())

    @property
    def records(self) -> list[TabRecord]:
        return self._tabs.records

    def open(self, count: int, *, timeout_s: float) -> None:
        self._loop.run_until_complete(self._tabs.open(self._url, count, timeout_s=timeout_s))

    def wait_started(self, *, timeout_s: float) -> int:
        return self._loop.run_until_complete(self._tabs.wait_started(timeout_s=timeout_s))

    def run_for(self, seconds: float) -> None:
        self._loop.run_until_complete(asyncio.sleep(seconds))

    def refresh(self) -> None:
        self._loop.run_until_complete(self._tabs.refresh())

    def close_tab(self, index: int) -> float:
        return self._loop.run_until_complete(self._tabs.close_tab(index))

    def close_all(self) -> float:
        return self._loop.run_until_complete(self._tabs.close_all())

    @property
    def open_tabs(self) -> list[int]:
        return self._tabs.open_tabs

    def shutdown(self) -> None:
        try:
            self._loop.run_until_complete(self._tabs.close())
        finally:
            self._loop.close()
