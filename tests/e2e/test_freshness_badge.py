"""No silent freeze: the header badge says when a session is not current.

In real headless Chromium against ``livedash serve``:

- a worker that stops serving the session (SIGSTOP: what an overloaded or stuck worker
  looks like from the browser, the websocket still open) makes the badge say
  "No update for N s" within the page's stall timeout, and "Live" once it serves again;
- a broker that goes away makes the badge say "No data for N s" within the server's
  silence threshold, and "Live" again once a broker is back with the topics.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from livedash.broker.tansu import EmbeddedBroker, free_port
from livedash.kafka.admin import ensure_topics
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import livedata_topic_specs
from livedash.ui.freshness import SILENT_AFTER_S
from livedash.ui.heartbeat_widget import DEFAULT_STALL_AFTER_S
from tests.helpers import wait_until
from tests.worker.process import ServedWorker

from .helpers import GENEROUS_S, connection_text, open_dashboard

pytestmark = pytest.mark.integration

# The badge is re-checked once a second; the server's verdict rides on the next tick.
SLACK_S = 3.0


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def badge(page: Page) -> str:
    return connection_text(page)


def wait_badge(page: Page, pattern: str, timeout_s: float) -> str:
    def matching() -> str | None:
        text = badge(page)
        return text if re.fullmatch(pattern, text) else None

    return wait_until(
        matching,
        timeout_s,
        0.2,
        message=f"badge never matched {pattern!r} (last: {badge(page)!r})",
    )


def test_a_worker_that_stops_serving_the_tab_shows_no_update_then_live_again(
    served_worker: Callable[..., ServedWorker], context: BrowserContext
) -> None:
    worker = served_worker()
    page = open_dashboard(context, worker.page_url)
    wait_badge(page, "Live", GENEROUS_S)
    os.kill(worker.popen.pid, signal.SIGSTOP)
    try:
        wait_badge(page, r"No update for \d+ s", DEFAULT_STALL_AFTER_S + SLACK_S)
    finally:
        os.kill(worker.popen.pid, signal.SIGCONT)
    wait_badge(page, "Live", GENEROUS_S)


def test_a_broker_that_goes_away_shows_no_data_then_live_again_when_it_is_back(
    instrument_name: str, context: BrowserContext, tmp_path: Path
) -> None:
    port = free_port()
    brokers = [EmbeddedBroker(port=port)]
    settings = KafkaSettings(bootstrap=f"127.0.0.1:{port}")
    specs = livedata_topic_specs(instrument_name)
    worker = None
    try:
        brokers[0].start()
        brokers[0].wait_ready(30)
        ensure_topics(settings, specs, timeout_s=10)
        worker = ServedWorker(
            instrument=instrument_name, bootstrap=settings.bootstrap, log_path=tmp_path / "w.log"
        )
        worker.wait_healthy()
        page = open_dashboard(context, worker.page_url)
        wait_badge(page, "Live", GENEROUS_S)
        brokers[0].stop(timeout_s=1.0)
        text = wait_badge(page, r"No data for \d+ s", SILENT_AFTER_S + SLACK_S)
        assert int(text.split()[3]) >= SILENT_AFTER_S
        assert "unreachable" in page.locator(".livedash-connection").first.get_attribute("title")
        brokers.append(EmbeddedBroker(port=port))
        brokers[-1].start()
        brokers[-1].wait_ready(30)
        ensure_topics(settings, specs, timeout_s=10)
        wait_badge(page, "Live", 20.0)
    finally:
        if worker is not None:
            worker.kill()
        for broker in brokers:
            broker.stop(timeout_s=1.0)
