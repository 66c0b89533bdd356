"""SessionUpdater: browser facts in, liveness verdicts out, views refreshed in one batch."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace

import pytest
from structlog.testing import capture_logs

from livedash.session.lifecycle import StackState
from livedash.ui.lifecycle import BrowserReport, LivenessPolicy, LivenessSettings, ReapReason
from livedash.ui.updater import ClientIdentity, SessionUpdater, client_identity
from tests.session.fakes import FakeClock


class FakeView:
    def __init__(self, log: list[str], name: str, *, fail: bool = False) -> None:
        self.log, self.name, self.fail = log, name, fail

    def refresh(self) -> None:
        self.log.append(self.name)
        if self.fail:
            raise RuntimeError("broken view")


@dataclass
class FakeBrowser:
    state: BrowserReport = field(default_factory=BrowserReport)

    def report(self) -> BrowserReport:
        return self.state

    def update(self, **changes) -> None:
        self.state = replace(self.state, **changes)


@dataclass
class FakeHeartbeat:
    beats: list[bool] = field(default_factory=list)
    clients: list[tuple[str | None, str | None]] = field(default_factory=list)

    def browser_heartbeat(self, *, visible: bool) -> None:
        self.beats.append(visible)

    def set_client(self, *, client_address: str | None, user: str | None) -> None:
        self.clients.append((client_address, user))


class Harness:
    def __init__(self, *, names=("a",), failing=(), settings=None) -> None:
        self.clock = FakeClock()
        self.log: list[str] = []
        self.views = [FakeView(self.log, name, fail=name in failing) for name in names]
        self.browser = FakeBrowser()
        self.heartbeat = FakeHeartbeat()
        self.state = StackState.RUNNING
        self.is_connected = True
        self.is_shown = True
        self.reaped: list[ReapReason] = []
        self.failed = 0
        self.policy = LivenessPolicy(settings=settings or LivenessSettings(), clock=self.clock)
        self.updater = SessionUpdater(
            views=self.views,
            browser=self.browser,
            heartbeat=self.heartbeat,
            policy=self.policy,
            stack_state=lambda: self.state,
            connected=lambda: self.is_connected,
            on_reap=self.reaped.append,
            on_failed=self._failed,
            client=ClientIdentity(address="10.1.2.3", user="alice"),
            batch=self._batch,
            clock=self.clock,
            shown=lambda: self.is_shown,
        )

    def _failed(self) -> None:
        self.failed += 1

    @contextlib.contextmanager
    def _batch(self):
        self.log.append("hold")
        yield
        self.log.append("release")


@pytest.fixture
def harness() -> Harness:
    return Harness()


def test_views_refresh_in_order_inside_one_batch():
    harness = Harness(names=("a", "b"))
    harness.updater.tick()
    assert harness.log == ["hold", "a", "b", "release"]


def test_views_are_not_refreshed_before_the_page_shows_them():
    harness = Harness(names=("a",))
    harness.is_shown = False
    harness.updater.tick()
    assert harness.log == []
    assert harness.heartbeat.clients == [("10.1.2.3", "alice")]  # the rest of the tick ran
    harness.is_shown = True
    harness.updater.tick()
    assert harness.log == ["hold", "a", "release"]


def test_refresh_soon_refreshes_between_ticks_at_most_every_gap(harness):
    assert harness.updater.refresh_soon() == 0.0
    assert harness.log == ["hold", "a", "release"]
    harness.clock.advance(0.1)
    assert harness.updater.refresh_soon() == pytest.approx(0.3)  # too soon: wait
    assert harness.log == ["hold", "a", "release"]
    harness.clock.advance(0.3)
    assert harness.updater.refresh_soon() == 0.0
    assert harness.log == ["hold", "a", "release"] * 2


def test_a_tick_counts_as_a_refresh_for_the_gap(harness):
    harness.updater.tick()
    harness.clock.advance(0.1)
    assert harness.updater.refresh_soon() == pytest.approx(0.3)
    assert harness.log == ["hold", "a", "release"]


def test_a_tick_right_after_a_woken_refresh_skips_the_views_but_not_liveness(harness):
    # The page gets no more refreshes per second than with ticks alone.
    harness.updater.refresh_soon()
    harness.clock.advance(0.2)
    harness.browser.update(tick=1)
    harness.updater.tick()
    assert harness.log == ["hold", "a", "release"]  # views not refreshed again
    assert harness.heartbeat.beats == [True]  # the browser's beat was still read
    harness.clock.advance(0.5)
    harness.updater.tick()
    assert harness.log == ["hold", "a", "release"] * 2


def test_refresh_soon_does_nothing_before_the_page_shows_or_once_stopped(harness):
    harness.is_shown = False
    assert harness.updater.refresh_soon() == 0.0
    harness.is_shown = True
    harness.updater.stop()
    assert harness.updater.refresh_soon() == 0.0
    assert harness.log == []


def test_a_failing_view_does_not_stop_the_others_and_is_logged_once():
    harness = Harness(names=("bad", "good"), failing=("bad",))
    with capture_logs() as logs:
        harness.updater.tick()
        harness.clock.advance(0.5)
        harness.updater.tick()
    assert harness.log == ["hold", "bad", "good", "release"] * 2
    assert [entry["event"] for entry in logs] == ["view_refresh_failed"]
    assert harness.updater.stats()["refresh_errors"] == {"FakeView:RuntimeError": 2}


def test_the_client_identity_is_given_to_the_heartbeat_once(harness):
    harness.updater.tick()
    harness.updater.tick()
    assert harness.heartbeat.clients == [("10.1.2.3", "alice")]


def test_a_browser_tick_is_a_heartbeat_with_the_current_visibility(harness):
    harness.updater.tick()
    assert harness.heartbeat.beats == []
    harness.browser.update(tick=1)
    harness.updater.tick()
    assert harness.heartbeat.beats == [True]


def test_a_visibility_change_is_reported_at_once(harness):
    harness.browser.update(visible=False)
    harness.updater.tick()
    assert harness.heartbeat.beats == [False]
    assert not harness.policy.visible


def test_a_silent_visible_page_is_reaped_once():
    harness = Harness(settings=LivenessSettings(reap_visible_after_s=60))
    harness.clock.advance(61)
    harness.updater.tick()
    harness.updater.tick()
    assert harness.reaped == [ReapReason.SILENT_WHILE_VISIBLE]
    assert harness.updater.stopped


def test_ticks_keep_a_visible_page_alive(harness):
    for tick in range(1, 30):
        harness.clock.advance(5)
        harness.browser.update(tick=tick)
        harness.updater.tick()
    assert harness.reaped == []


def test_pagehide_reaps_before_refreshing(harness):
    harness.browser.update(closing=True)
    harness.updater.tick()
    assert harness.reaped == [ReapReason.PAGE_CLOSED]
    assert harness.log == []


def test_a_frozen_page_is_kept_through_long_silence(harness):
    harness.browser.update(frozen=True)
    harness.updater.tick()
    harness.clock.advance(3600)
    harness.updater.tick()
    assert harness.reaped == []


def test_a_lost_connection_reaps_after_its_timeout():
    harness = Harness(settings=LivenessSettings(reap_disconnected_after_s=5))
    harness.updater.tick()
    harness.is_connected = False
    harness.updater.tick()
    harness.clock.advance(5)
    harness.browser.update(tick=1)
    harness.updater.tick()
    assert harness.reaped == [ReapReason.CONNECTION_LOST]


def test_a_failed_stack_is_handed_over_once_and_nothing_refreshes(harness):
    harness.state = StackState.FAILED
    harness.updater.tick()
    harness.updater.tick()
    assert harness.failed == 1
    assert harness.log == []


def test_a_closed_stack_stops_the_updater_silently(harness):
    harness.state = StackState.CLOSED
    harness.updater.tick()
    assert harness.updater.stopped
    assert (harness.failed, harness.reaped, harness.log) == (0, [], [])


def test_a_stopped_updater_does_nothing(harness):
    harness.updater.stop()
    harness.updater.tick()
    assert harness.log == []
    assert harness.updater.stats()["ticks"] == 0


def test_client_identity_prefers_the_first_forwarded_address():
    headers = {"X-Forwarded-For": "192.0.2.7, 10.0.0.1", "X-Real-IP": "10.0.0.1"}
    assert client_identity(headers, "127.0.0.1") == ClientIdentity(address="192.0.2.7")


def test_client_identity_falls_back_to_real_ip_then_peer():
    assert client_identity({"x-real-ip": "192.0.2.8"}, "127.0.0.1").address == "192.0.2.8"
    assert client_identity({}, "127.0.0.1").address == "127.0.0.1"


def test_client_identity_takes_the_user_from_auth_then_the_proxy_header():
    headers = {"X-Forwarded-User": "bob"}
    assert client_identity(headers, None, "alice").user == "alice"
    assert client_identity(headers, None).user == "bob"
    assert client_identity({}, None) == ClientIdentity()
