"""Browser tabs on a demo, and what their pages receive from the worker.

:class:`Tab` opens a page and waits for its "Live" indicator. :meth:`Tab.record_updates`
wraps BokehJS's ``Document.apply_json_patch``: every message the worker sends to change
the page is one call, stamped in the page with ``Date.now()`` (epoch milliseconds, the
same clock the test reads). A patch that changes a ColumnDataSource is a *data update*:
a plot drew a new result.
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

from playwright.sync_api import BrowserContext, Page

LIVE = ".livedash-connection--live"
LOST = ".livedash-connection--lost"
# Generous: on the shared test machine a page has taken over 90 s to connect.
PAGE_TIMEOUT_MS = 180_000

_RECORD = """
() => {
  const doc = Bokeh.documents[0]
  if (window.__updates !== undefined) return
  window.__updates = []
  const original = doc.apply_json_patch.bind(doc)
  const data_kinds = new Set(["ColumnDataChanged", "ColumnsStreamed", "ColumnsPatched"])
  doc.apply_json_patch = (patch, ...rest) => {
    const events = (patch && patch.events) || []
    const data = events.some((e) => data_kinds.has(e.kind) ||
                                    (e.kind === "ModelChanged" && e.attr === "data"))
    window.__updates.push([Date.now(), data])
    return original(patch, ...rest)
  }
}
"""


class Tab:
    """One browser tab on the dashboard (see the module docstring)."""

    def __init__(self, context: BrowserContext, url: str) -> None:
        self.page: Page = context.new_page()
        self.opened_at = time.monotonic()
        # Only until the HTML arrived, so that several tabs load side by side.
        self.page.goto(url, timeout=PAGE_TIMEOUT_MS, wait_until="commit")

    def wait_live(self, timeout_ms: int = PAGE_TIMEOUT_MS) -> float:
        """Wait for the Live indicator; seconds since the tab was opened."""
        self.page.wait_for_selector(LIVE, timeout=timeout_ms)
        return time.monotonic() - self.opened_at

    @property
    def worker(self) -> int:
        """The worker index from the tab's address, /w/<i>/."""
        return int(urlparse(self.page.url).path.split("/")[2])

    @property
    def live(self) -> bool:
        return self.page.locator(LIVE).count() == 1 and self.page.locator(LOST).count() == 0

    @property
    def lost(self) -> bool:
        return self.page.locator(LOST).count() == 1

    def record_updates(self) -> None:
        self.page.evaluate(_RECORD)

    def data_updates(self) -> list[float]:
        """Epoch seconds of every data update since :meth:`record_updates`."""
        rows = self.page.evaluate("() => window.__updates || []")
        return [stamp / 1000 for stamp, data in rows if data]

    def reload(self) -> float:
        """Reload the page and wait until it is Live again; the seconds it took."""
        started = time.monotonic()
        self.page.reload(timeout=PAGE_TIMEOUT_MS, wait_until="commit")
        self.page.wait_for_selector(LIVE, timeout=PAGE_TIMEOUT_MS)
        return time.monotonic() - started

    def close(self) -> None:
        self.page.close()


def open_tabs(context: BrowserContext, urls: list[str]) -> list[Tab]:
    """One tab per URL, loading side by side; returns once every one is Live."""
    tabs = [Tab(context, url) for url in urls]
    for tab in tabs:
        tab.wait_live()
    return tabs
