"""Acceptance: a background tab is kept, a hung visible tab is reaped (real browser).

The worker runs with short silence timeouts so the rules show within seconds:
``--reap-visible-after 10 --reap-hidden-after 120``. Ten, not six: a visible page ticks
every 5 s, and on the shared test machine a tick can reach the worker seconds late.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from livedash.kafka.settings import KafkaSettings
from livedash.protocol.status import ServiceState
from tests.helpers import wait_until

from .helpers import (
    GENEROUS_S,
    LiveStack,
    connection_text,
    heartbeats_of,
    hold,
    measured,
    open_dashboard,
    session_heartbeat,
    session_id_of,
    short_session_id,
    stopped,
)

pytestmark = pytest.mark.integration

REAP_VISIBLE_S = 10.0
REAP_HIDDEN_S = 120.0
# Chrome runs a hidden tab's timers at most once a minute; this test uses every 30 s.
THROTTLED_TIMER_S = 30.0
HIDDEN_FOR_S = 32.0
# Reaped within the silence timeout plus one updater tick, the stack's close and the
# stopped heartbeat's trip through the broker.
REAP_MARGIN_S = 5.0

# Lets the test hide the page (document.visibilityState, the visibilitychange event) and
# throttle every interval timer of the page to one firing per window.__ldTimerGapMs, as
# a browser does in a background tab. Installed before the page's own scripts run.
_BACKGROUND_TAB = """
(() => {
  const nativeSetInterval = window.setInterval.bind(window)
  window.__ldTimerGapMs = 0
  window.setInterval = (callback, ms, ...args) => {
    if (typeof callback !== "function") { return nativeSetInterval(callback, ms, ...args) }
    let last = performance.now()
    return nativeSetInterval((...callArgs) => {
      const now = performance.now()
      if (now - last < window.__ldTimerGapMs) { return }
      last = now
      callback(...callArgs)
    }, ms, ...args)
  }
  let hidden = false
  Object.defineProperty(document, "visibilityState", {get: () => hidden ? "hidden" : "visible"})
  Object.defineProperty(document, "hidden", {get: () => hidden})
  window.__ldBackground = (inBackground, gapMs) => {
    window.__ldTimerGapMs = gapMs
    hidden = inBackground
    document.dispatchEvent(new Event("visibilitychange"))
  }
})()
"""


@pytest.fixture(scope="module")
def live(kafka_settings: KafkaSettings, tmp_path_factory: pytest.TempPathFactory):
    stack = LiveStack(
        kafka_settings,
        tmp_path_factory.mktemp("liveness"),
        serve_args=(
            "--reap-visible-after", str(REAP_VISIBLE_S),
            "--reap-hidden-after", str(REAP_HIDDEN_S),
        ),
    )  # fmt: skip
    try:
        yield stack
    finally:
        stack.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def closing_reasons(live: LiveStack, session_id: str) -> list[str]:
    return [
        entry["reason"]
        for entry in live.worker.events("session_closing")
        if entry.get("session_id") == session_id
    ]


def test_a_hidden_tab_whose_timers_are_throttled_is_kept_alive(
    live: LiveStack, context: BrowserContext, request: pytest.FixtureRequest
):
    context.add_init_script(_BACKGROUND_TAB)
    live.wait_sessions(0)
    page = open_dashboard(context, live.worker.page_url, tab=None)
    session_id = session_id_of(live.status, live.worker_id, short_session_id(page), GENEROUS_S)

    page.evaluate(f"() => window.__ldBackground(true, {THROTTLED_TIMER_S * 1000})")
    live.status.wait_for(
        session_heartbeat(
            live.worker_id,
            session_prefix=session_id,
            state=ServiceState.RUNNING,
            where=lambda m: m.status.dashboard["visible"] is False,
        ),
        GENEROUS_S,
        message="the session never reported the tab hidden",
    )
    beats = heartbeats_of(live.status, session_id)
    seen_before = next(i for i, m in enumerate(beats) if m.status.dashboard["visible"] is False)

    def alive() -> None:
        assert live.sessions() == 1
        assert not stopped(live.status, session_id)

    hold(HIDDEN_FOR_S, alive, interval_s=0.5)
    while_hidden = heartbeats_of(live.status, session_id)[seen_before:]
    silence = max(m.status.dashboard["browser_heartbeat_age_s"] for m in while_hidden)
    measured(request, "longest_browser_silence_while_hidden_s", silence)
    # The page really was silent for longer than a visible page may be.
    assert silence > REAP_VISIBLE_S + 2
    # Session heartbeats kept coming every 2 s all the while.
    assert len(while_hidden) >= HIDDEN_FOR_S / 2 - 3
    assert all(m.status.state is ServiceState.RUNNING for m in while_hidden)

    page.evaluate("() => window.__ldBackground(false, 0)")
    back = len(heartbeats_of(live.status, session_id))
    wait_until(
        lambda: any(
            m.status.dashboard["visible"] and m.status.dashboard["browser_heartbeat_age_s"] < 5
            for m in heartbeats_of(live.status, session_id)[back:]
        ),
        GENEROUS_S,
        message="the session never reported the tab visible again",
    )
    assert connection_text(page) == "Live"
    assert live.sessions() == 1
    assert closing_reasons(live, session_id) == []


def test_a_visible_tab_whose_script_hangs_is_reaped_after_the_visible_timeout(
    live: LiveStack, context: BrowserContext, request: pytest.FixtureRequest
):
    live.wait_sessions(0)
    page = open_dashboard(context, live.worker.page_url, tab=None)
    session_id = session_id_of(live.status, live.worker_id, short_session_id(page), GENEROUS_S)
    live.status.wait_for(
        session_heartbeat(
            live.worker_id,
            session_prefix=session_id,
            where=lambda m: m.status.dashboard["browser_heartbeat_age_s"] is not None,
        ),
        GENEROUS_S,
    )
    # The page's script stops at its next statement (the next timer firing); the
    # browser keeps the websocket open and answers its pings.
    devtools = context.new_cdp_session(page)
    devtools.send("Debugger.enable")
    devtools.send("Debugger.pause")
    paused = time.monotonic()
    try:
        wait_until(
            lambda: stopped(live.status, session_id),
            REAP_VISIBLE_S + GENEROUS_S,
            message="a visible tab without ticks was never reaped",
        )
        reaped_s = time.monotonic() - paused
        measured(request, "pause_to_stopped_heartbeat_s", round(reaped_s, 2))
        assert reaped_s <= REAP_VISIBLE_S + REAP_MARGIN_S
        assert closing_reasons(live, session_id) == ["no_browser_heartbeat_while_visible"]
        live.wait_sessions(0)
    finally:
        devtools.send("Debugger.resume")
    # The worker closed the hung page's websocket too: the page says so once it runs.
    wait_until(lambda: connection_text(page) == "Disconnected", GENEROUS_S)
