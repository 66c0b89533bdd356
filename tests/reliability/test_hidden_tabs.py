"""Hidden and hung tabs: the liveness policy keeps throttled tabs and reaps dead pages.

Two halves:

- the pure :class:`~livedash.ui.lifecycle.LivenessPolicy`, driven exactly as the session
  updater drives it (a decision every 0.5 s, the websocket reported connected at every
  refresh) by a simulated browser on an injected clock: a tab that is hidden and whose
  timer Chrome throttles to about once a minute is kept for 30 minutes (long: 8 hours);
  a visible page whose script died while its connection stays open is reaped within
  ``reap_visible_after`` of its last sign of life, not earlier;
- a real Chromium tab on a real ``livedash serve`` with short timeouts: a page hung in
  a script (the DevTools debugger paused it; its websocket stays open because the
  browser answers pings by itself) is reaped within ``--reap-visible-after``, and the
  worker then closes its connection. Long: a hidden tab hung for longer than the visible
  timeout survives, and is reaped once hung for longer than the hidden one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, CDPSession, Page

from livedash.kafka.settings import KafkaSettings
from livedash.protocol.status import ServiceState
from livedash.ui.lifecycle import LivenessDecision, LivenessPolicy, LivenessSettings, ReapReason
from livedash.ui.updater import REFRESH_INTERVAL_S
from tests.helpers import wait_until
from tests.session.fakes import FakeClock
from tests.worker.process import ServedWorker

from .heartbeats import HeartbeatLog
from .report import report
from .scale import sizes

BROWSER_TICK_S = 5.0  # heartbeat_widget.DEFAULT_INTERVAL_S
INTENSIVE_THROTTLING_AFTER_S = 5 * 60.0  # Chrome: timers once a minute after 5 min hidden
LIVE = ".livedash-connection--live"
PAGE_TIMEOUT_MS = 60_000


@dataclass
class SimulatedTab:
    """A browser tab as the session updater sees it, on a fake clock.

    ``step()`` advances one updater refresh (0.5 s): the page's timer fires when due,
    the connection is reported, and the policy decides, as ``SessionUpdater.tick`` does.
    """

    policy: LivenessPolicy
    clock: FakeClock
    next_tick_at: float
    alive: bool = True
    connected: bool = True

    def step(self, tick_interval: float) -> LivenessDecision:
        self.clock.advance(REFRESH_INTERVAL_S)
        if self.alive and self.clock.now >= self.next_tick_at:
            self.policy.tick()
            self.next_tick_at = self.clock.now + tick_interval
        self.policy.connected(self.connected)
        return self.policy.decide()


def new_tab(settings: LivenessSettings) -> SimulatedTab:
    clock = FakeClock()
    policy = LivenessPolicy(settings=settings, clock=clock)
    policy.visibility(True)
    policy.connected(True)
    policy.tick()
    return SimulatedTab(policy=policy, clock=clock, next_tick_at=clock.now + BROWSER_TICK_S)


@pytest.mark.parametrize("hidden_for_s", sizes(30 * 60.0, 8 * 3600.0))
def test_a_hidden_tab_throttled_to_one_beat_a_minute_is_kept(hidden_for_s: float) -> None:
    rng = random.Random(20251121)
    tab = new_tab(LivenessSettings())
    for _ in range(int(120 / REFRESH_INTERVAL_S)):  # two visible minutes first
        assert not tab.step(BROWSER_TICK_S).reap
    tab.policy.visibility(False)
    hidden_at = tab.clock.now
    longest_silence = 0.0
    while tab.clock.now - hidden_at < hidden_for_s:
        hidden = tab.clock.now - hidden_at
        # Chrome aligns throttled timers to whole minutes; the widget's 5 s timer then
        # fires at the first minute boundary after it is due: 60 to 65 s apart.
        interval = (
            BROWSER_TICK_S if hidden < INTENSIVE_THROTTLING_AFTER_S else 60 + rng.uniform(0, 5)
        )
        decision = tab.step(interval)
        longest_silence = max(longest_silence, tab.policy.silence_s())
        assert not decision.reap, f"reaped after {hidden:.0f} s hidden: {decision.reason}"
    assert 60 <= longest_silence <= 66


@pytest.mark.parametrize("reap_visible_after_s", [5.0, 60.0])
def test_a_visible_page_gone_with_its_connection_open_is_reaped_on_time(
    reap_visible_after_s: float,
) -> None:
    tab = new_tab(LivenessSettings(reap_visible_after_s=reap_visible_after_s))
    for _ in range(int(30 / REFRESH_INTERVAL_S)):
        assert not tab.step(BROWSER_TICK_S).reap
    tab.alive = False  # the script hangs; the websocket stays open (connected=True)
    while not (decision := tab.step(BROWSER_TICK_S)).reap:
        assert tab.policy.silence_s() < reap_visible_after_s
    assert decision.reason is ReapReason.SILENT_WHILE_VISIBLE
    silence = tab.policy.silence_s()
    assert reap_visible_after_s <= silence < reap_visible_after_s + REFRESH_INTERVAL_S


# --- a real browser ---------------------------------------------------------------------


@dataclass
class HungTab:
    """A dashboard page whose script can be paused in the DevTools debugger."""

    page: Page
    cdp: CDPSession

    def hang(self) -> float:
        """Pause the page's JavaScript (timers stop; the network keeps running)."""
        self.cdp.send("Debugger.enable")
        self.cdp.send("Debugger.pause")
        return time.time()

    def resume(self) -> None:
        self.cdp.send("Debugger.resume")

    def hide(self) -> None:
        self.page.evaluate(
            """() => {
                Object.defineProperty(document, "visibilityState", {get: () => "hidden"})
                document.dispatchEvent(new Event("visibilitychange"))
            }"""
        )


def open_hung_tab(browser: Browser, worker: ServedWorker) -> HungTab:
    context = browser.new_context()
    page = context.new_page()
    page.goto(worker.page_url, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector(LIVE, timeout=PAGE_TIMEOUT_MS)
    return HungTab(page=page, cdp=context.new_cdp_session(page))


def websocket_closes(worker: ServedWorker) -> list[str]:
    """The worker's log lines of closed websockets (Bokeh's own log line), in order.

    Read on the worker's side: a paused page handles no events, so the browser reports
    the close only after it resumes.
    """
    lines = []
    for line in worker.log().splitlines():
        if "WebSocket connection closed" in line:
            lines.append(line)
    return lines


@pytest.fixture
def heartbeats(kafka_settings: KafkaSettings, instrument_name: str) -> Iterator[HeartbeatLog]:
    log = HeartbeatLog(kafka_settings, instrument_name, start="beginning")
    yield log
    log.close()


def serve(instrument: str, settings: KafkaSettings, tmp_path: Path, *flags: str) -> ServedWorker:
    worker = ServedWorker(
        instrument=instrument,
        bootstrap=settings.bootstrap,
        log_path=tmp_path / "serve.log",
        extra_args=flags,
    )
    try:
        worker.wait_healthy()
    except BaseException:
        worker.kill()
        raise
    return worker


def page_session(heartbeats: HeartbeatLog, worker_id: str) -> str:
    """The session the tab's page is connected to (its script has reported)."""
    found = heartbeats.wait_for(
        lambda log: log.sessions_of(worker_id),
        60,
        "the tab's session never heard from its page",
    )
    (session_id,) = found  # type: ignore[misc]
    return session_id


def stopped_at(heartbeats: HeartbeatLog, session_id: str) -> float | None:
    last = heartbeats.last(session_id)
    return last.produced_at if last and last.state is ServiceState.STOPPED else None


def reap_reason(worker: ServedWorker, session_id: str) -> str | None:
    reasons = [
        event.get("reason", "")
        for event in worker.events("session_closing")
        if event.get("session_id") == session_id
    ]
    return reasons[0] if reasons else None


REAP_VISIBLE_AFTER_S = 10.0
# Past the timeout: one updater refresh (0.5 s), a busy IOLoop on a shared machine, and
# the heartbeat's trip through Kafka.
REAP_SLACK_S = 3.0


def test_a_hung_visible_page_with_an_open_connection_is_reaped_in_chromium(
    browser: Browser,
    kafka_settings: KafkaSettings,
    instrument_name: str,
    heartbeats: HeartbeatLog,
    tmp_path: Path,
) -> None:
    worker = serve(
        instrument_name, kafka_settings, tmp_path, "--reap-visible-after", str(REAP_VISIBLE_AFTER_S)
    )
    tab = open_hung_tab(browser, worker)
    try:
        session_id = page_session(heartbeats, worker.health()["worker_id"])
        hung_at = tab.hang()
        wait_until(
            lambda: stopped_at(heartbeats, session_id),
            REAP_VISIBLE_AFTER_S + 30,
            0.1,
            message="the hung page's session was not reaped",
        )
        reaped_after = stopped_at(heartbeats, session_id) - hung_at  # type: ignore[operator]
        report(
            "hidden_tabs.hung_visible",
            reap_visible_after_s=REAP_VISIBLE_AFTER_S,
            reaped_after_s=round(reaped_after, 2),
        )
        assert reaped_after <= REAP_VISIBLE_AFTER_S + REAP_SLACK_S
        assert reap_reason(worker, session_id) == ReapReason.SILENT_WHILE_VISIBLE.value
        # The connection was open until the reap: the worker itself closed it then.
        closes = wait_until(
            lambda: [c for c in websocket_closes(worker) if "session reaped" in c],
            10,
            message="the worker did not close the reaped page's websocket",
        )
        assert len(closes) == 1
        assert worker.health()["sessions"] == 0
    finally:
        tab.resume()
        tab.page.context.close()
        worker.kill()


@pytest.mark.slow
def test_a_hung_hidden_page_outlives_the_visible_timeout_but_not_the_hidden_one_in_chromium(
    browser: Browser,
    kafka_settings: KafkaSettings,
    instrument_name: str,
    heartbeats: HeartbeatLog,
    tmp_path: Path,
) -> None:
    visible_s, hidden_s = 6.0, 40.0
    worker = serve(
        instrument_name,
        kafka_settings,
        tmp_path,
        "--reap-visible-after", str(visible_s),
        "--reap-hidden-after", str(hidden_s),
    )  # fmt: skip
    tab = open_hung_tab(browser, worker)
    try:
        session_id = page_session(heartbeats, worker.health()["worker_id"])
        tab.hide()
        heartbeats.wait_for(
            lambda log: (last := log.last(session_id)) and last.visible is False,
            15,
            "the session never reported the tab hidden",
        )
        hung_at = tab.hang()
        # Three visible timeouts of silence: a visible page would be gone by now.
        wait_until(lambda: time.time() - hung_at > 3 * visible_s, 3 * visible_s + 5, 0.25)
        assert stopped_at(heartbeats, session_id) is None
        assert worker.health()["sessions"] == 1
        wait_until(
            lambda: stopped_at(heartbeats, session_id), hidden_s + 30, 0.25,
            message="the hidden hung page was never reaped",
        )  # fmt: skip
        reaped_after = stopped_at(heartbeats, session_id) - hung_at  # type: ignore[operator]
        report(
            "hidden_tabs.hung_hidden",
            reap_hidden_after_s=hidden_s,
            reaped_after_s=round(reaped_after, 2),
        )
        assert hidden_s - BROWSER_TICK_S <= reaped_after <= hidden_s + REAP_SLACK_S
        assert reap_reason(worker, session_id) == ReapReason.SILENT_WHILE_HIDDEN.value
    finally:
        tab.resume()
        tab.page.context.close()
        worker.kill()
