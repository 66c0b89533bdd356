"""DashboardSession: build off the IOLoop, show the tabs, one idempotent close path.

The Bokeh document is a fake that queues what would run on the IOLoop; the stack is real
and talks to an in-memory broker; the views are stand-ins.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import panel as pn
import pytest
from panel.pane.base import PaneBase

from livedash.instruments import load_instrument
from livedash.kafka.errors import TopicsMissingError
from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.status import ServiceState, decode_status
from livedash.protocol.topics import livedata_topic_specs
from livedash.session.lifecycle import StackState
from livedash.session.transport import SessionTransport, memory_transport_factory
from livedash.ui.app import DashboardApp, DashboardSession, SessionSettings, SessionViews
from livedash.ui.dashboard_session import WAKE_SETTLE_S
from livedash.ui.lifecycle import LivenessSettings
from livedash.ui.updater import ClientIdentity
from livedash.worker.runtime import WorkerRuntime
from tests.helpers import wait_until
from tests.plots.factories import PANEL, gridset, layer, ref
from tests.session.fakes import FakeClock


class FakeDocument:
    """Records what DashboardSession asks of its Bokeh document; the test runs it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scheduled: list = []
        self.periodic: dict[object, object] = {}
        self.timeouts: dict[object, object] = {}
        self.timeout_delays: dict[object, float] = {}
        self.destroyed_callbacks: list = []
        self.ready_callbacks: list = []
        self.is_connected = True
        self.expired: list[bool] = []

    def schedule(self, callback) -> None:
        with self._lock:
            self._scheduled.append(callback)

    def pending(self) -> int:
        with self._lock:
            return len(self._scheduled)

    def run_scheduled(self) -> None:
        with self._lock:
            callbacks, self._scheduled = self._scheduled, []
        for callback in callbacks:
            callback()

    def add_periodic(self, callback, period_s):
        handle = object()
        self.periodic[handle] = callback
        return handle

    def add_timeout(self, callback, delay_s):
        handle = object()
        self.timeouts[handle] = callback
        self.timeout_delays[handle] = delay_s
        return handle

    def remove(self, handle) -> None:
        self.periodic.pop(handle, None)
        self.timeouts.pop(handle, None)
        self.timeout_delays.pop(handle, None)

    def tick(self) -> None:
        for callback in list(self.periodic.values()):
            callback()

    def fire_timeouts(self) -> None:
        timeouts, self.timeouts, self.timeout_delays = self.timeouts, {}, {}
        for callback in timeouts.values():
            callback()

    def on_destroyed(self, callback) -> None:
        self.destroyed_callbacks.append(callback)

    def on_ready(self, callback) -> None:
        self.ready_callbacks.append(callback)

    def ready(self) -> None:
        for callback in self.ready_callbacks:
            callback()

    def destroy(self) -> None:
        for callback in self.destroyed_callbacks:
            callback(None)

    def client(self) -> ClientIdentity:
        return ClientIdentity(address="192.0.2.10", user="operator")

    def connected(self) -> bool:
        return self.is_connected

    def expire(self, *, close_connections: bool) -> None:
        self.expired.append(close_connections)

    def batch(self):
        return contextlib.nullcontext()

    def current(self):
        return contextlib.nullcontext()


class StandInView:
    def __init__(self, name: str) -> None:
        self.panel = pn.pane.Markdown(name)
        self.refreshes = 0
        self.closed = False

    def refresh(self) -> None:
        self.refreshes += 1

    def close(self) -> None:
        self.closed = True


class Transports:
    """A memory transport factory that can fail, block, and remembers what it built."""

    def __init__(self, broker: InMemoryBroker) -> None:
        self._factory = memory_transport_factory(broker)
        self.built: list[SessionTransport] = []
        self.threads: list[str] = []
        self.failures = 0
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, *, topics, session_id) -> SessionTransport:
        self.threads.append(threading.current_thread().name)
        self.gate.wait(10)
        if self.failures:
            self.failures -= 1
            raise TopicsMissingError(topics=["dummy_livedata_data"])
        transport = self._factory(topics=topics, session_id=session_id)
        self.built.append(transport)
        return transport


class Harness:
    def __init__(self, *, views_fail: bool = False, liveness: LivenessSettings | None = None):
        self.broker = InMemoryBroker(topics=livedata_topic_specs("dummy"))
        self.transports = Transports(self.broker)
        self.runtime = WorkerRuntime(worker_index=3, port=5009)
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="session-stack")
        self.document = FakeDocument()
        self.clock = FakeClock()
        self.views: list[StandInView] = []
        self.views_threads: list[str] = []
        self._views_fail = views_fail
        self.app = DashboardApp(
            worker=self.runtime,
            instrument=load_instrument("dummy"),
            transport_factory=self.transports,
            executor=self.executor,
            settings=SessionSettings(liveness=liveness or LivenessSettings()),
            views_factory=self._views,
            clock=self.clock,
        )

    def _views(self, ctx) -> SessionViews:
        self.views_threads.append(threading.current_thread().name)
        if self._views_fail:
            raise RuntimeError("no views today")
        self.views = [StandInView("workflows"), StandInView("status")]
        return SessionViews(
            tabs=[("Workflows", self.views[0].panel), ("System Status", self.views[1].panel)],
            views=self.views,
        )

    def open(self) -> DashboardSession:
        return self.app.open_session(self.document)

    def until_scheduled(self) -> None:
        wait_until(self.document.pending, timeout_s=10, message="nothing scheduled on the IOLoop")
        self.document.run_scheduled()

    def open_ready(self) -> DashboardSession:
        """A session whose page has loaded and whose stack (or its failure) is shown."""
        session = self.open()
        self.document.ready()
        self.until_scheduled()
        return session

    def session_heartbeats(self):
        decoded = [decode_status(m.value) for m in self.broker.messages("dummy_livedata_heartbeat")]
        return [m.status for m in decoded if m.status.service_name == "dashboard_session"]

    def close(self) -> None:
        self.transports.gate.set()
        for session in self.runtime.registry.sessions():
            session.close("test_teardown").result(timeout=10)
        self.executor.shutdown(wait=True)


@pytest.fixture
def harness():
    harness = Harness()
    yield harness
    harness.close()


def tab_titles(session: DashboardSession) -> list[str]:
    [tabs] = session.page.body.objects
    assert isinstance(tabs, pn.Tabs)
    return list(tabs._names)


def body_text(session: DashboardSession) -> str:
    return " ".join(str(getattr(obj, "object", "")) for obj in session.page.body.select(PaneBase))


def test_the_page_shows_a_placeholder_until_the_stack_is_ready(harness):
    harness.transports.gate.clear()
    session = harness.open()
    harness.document.ready()
    assert "Connecting" in body_text(session)
    harness.transports.gate.set()
    harness.until_scheduled()
    assert tab_titles(session) == ["Workflows", "System Status"]


def test_the_tabs_wait_for_the_page_to_have_loaded(harness):
    session = harness.open()
    harness.until_scheduled()
    assert "Connecting" in body_text(session)
    harness.document.ready()
    assert tab_titles(session) == ["Workflows", "System Status"]


def test_the_views_are_refreshed_as_soon_as_the_tabs_are_shown(harness):
    """The stack has read the recent results by then (ADR 0012): the plots follow the
    tabs at once, not a refresh interval later."""
    session = harness.open()
    harness.until_scheduled()
    harness.document.tick()  # not before: nobody sees them, other pages wait
    assert [view.refreshes for view in harness.views] == [0, 0]
    harness.document.ready()
    assert tab_titles(session) == ["Workflows", "System Status"]
    assert [view.refreshes for view in harness.views] == [1, 1]


def test_the_stack_is_built_on_an_executor_thread_and_the_views_on_the_ioloop(harness):
    harness.open_ready()
    assert harness.transports.threads[0].startswith("session-stack")
    assert harness.views_threads == [threading.current_thread().name]


def test_no_views_are_built_for_a_session_closed_while_its_stack_was_built(harness):
    harness.transports.gate.clear()
    session = harness.open()
    future = session.close("session_destroyed")
    harness.transports.gate.set()
    future.result(timeout=10)
    harness.document.run_scheduled()
    assert harness.views_threads == []


def test_the_session_is_registered_from_its_first_request(harness):
    harness.transports.gate.clear()
    session = harness.open()
    assert harness.runtime.registry.ids() == [session.session_id]


def test_the_updater_refreshes_the_views_on_the_periodic_callback(harness):
    harness.open_ready()
    harness.document.tick()
    harness.clock.advance(0.5)
    harness.document.tick()
    assert [view.refreshes for view in harness.views] == [2, 2]


def _publish_a_plot_change(session: DashboardSession) -> None:
    """What the pump thread does when a plot state changes (here: a new layer). The
    session's own pump runs too and may wake the session as well; at most one wake-up is
    pending whoever asks."""
    stack = session.stack
    assert stack is not None
    thread = threading.Thread(target=lambda: stack.plots.sync(gridset(layer(ref(PANEL)))))
    thread.start()
    thread.join()


def _open_shown(harness: Harness) -> DashboardSession:
    """A session whose tabs are shown and refreshed once (the page-ready refresh)."""
    session = harness.open()
    harness.until_scheduled()
    harness.document.ready()
    assert [view.refreshes for view in harness.views] == [1, 1]
    return session


def test_new_plot_states_refresh_the_views_before_the_next_tick(harness):
    session = _open_shown(harness)
    harness.clock.advance(0.5)
    _publish_a_plot_change(session)
    assert harness.document.pending() == 1
    harness.document.run_scheduled()  # on the IOLoop: waits for the rest of the burst
    assert [view.refreshes for view in harness.views] == [1, 1]
    assert list(harness.document.timeout_delays.values()) == [WAKE_SETTLE_S]
    harness.document.fire_timeouts()
    assert [view.refreshes for view in harness.views] == [2, 2]  # no periodic tick ran


def test_a_burst_of_new_plot_states_is_one_refresh_spaced_from_the_last(harness):
    session = _open_shown(harness)
    _publish_a_plot_change(session)
    _publish_a_plot_change(session)  # a second change while the first is pending
    assert harness.document.pending() == 1
    harness.document.run_scheduled()
    _publish_a_plot_change(session)  # settling: nothing more is scheduled
    assert harness.document.pending() == 0
    harness.clock.advance(WAKE_SETTLE_S)
    harness.document.fire_timeouts()  # 0.15 s after the page-ready refresh: too soon
    assert [view.refreshes for view in harness.views] == [1, 1]
    assert len(harness.document.timeouts) == 1
    harness.clock.advance(0.25)
    harness.document.fire_timeouts()
    assert [view.refreshes for view in harness.views] == [2, 2]


def test_closing_drops_a_pending_refresh(harness):
    session = _open_shown(harness)
    _publish_a_plot_change(session)
    harness.document.run_scheduled()  # settling: a timeout is pending
    assert len(harness.document.timeouts) == 1
    session.close("session_destroyed").result(timeout=10)
    assert harness.document.timeouts == {}


def test_browser_facts_reach_the_session_heartbeat(harness):
    session = harness.open_ready()
    session.page.browser.param.update(tick=1, page_visible=False)
    harness.document.tick()
    details = session.stack.heartbeat.status().dashboard
    assert (details["client"], details["user"], details["visible"]) == (
        "192.0.2.10",
        "operator",
        False,
    )
    assert details["browser_heartbeat_age_s"] is not None


def test_close_publishes_the_final_stopped_heartbeat_and_unregisters(harness):
    session = harness.open_ready()
    session.close("test").result(timeout=10)
    last = harness.session_heartbeats()[-1]
    assert (last.worker_id, last.state) == (session.session_id, ServiceState.STOPPED)
    assert harness.runtime.registry.count() == 0
    assert harness.transports.built[0].source.closed


def test_close_is_idempotent_and_returns_the_same_future(harness):
    session = harness.open_ready()
    first = session.close("one")
    assert session.close("two") is first
    first.result(timeout=10)
    stopped = [s for s in harness.session_heartbeats() if s.state is ServiceState.STOPPED]
    assert len(stopped) == 1


def test_close_cancels_the_periodic_callback_and_closes_the_views(harness):
    session = harness.open_ready()
    session.close("test").result(timeout=10)
    assert harness.document.periodic == {}
    assert all(view.closed for view in harness.views)


def test_a_session_closed_while_its_stack_is_built_still_closes_the_stack(harness):
    harness.transports.gate.clear()
    session = harness.open()
    future = session.close("session_destroyed")
    assert not future.done()
    harness.transports.gate.set()
    future.result(timeout=10)
    assert harness.transports.built[0].source.closed
    assert harness.runtime.registry.count() == 0
    harness.document.ready()
    harness.document.run_scheduled()
    assert "Connecting" in body_text(session)


def test_bokeh_destroying_the_session_closes_it(harness):
    session = harness.open_ready()
    harness.document.destroy()
    session.closed_future.result(timeout=10)
    assert session.closed


def test_a_failed_build_shows_the_error_and_retries(harness):
    harness.transports.failures = 1
    session = harness.open_ready()
    assert "could not connect to Kafka" in body_text(session)
    assert "TopicsMissingError" in body_text(session)
    harness.document.fire_timeouts()
    harness.until_scheduled()
    assert tab_titles(session) == ["Workflows", "System Status"]


def test_a_failed_build_does_not_register_the_session_forever(harness):
    harness.transports.failures = 1
    session = harness.open_ready()
    session.close("session_destroyed").result(timeout=10)
    assert harness.runtime.registry.count() == 0
    assert harness.document.timeouts == {}


def test_a_stack_that_fails_while_running_shows_a_banner_and_closes(harness):
    session = harness.open_ready()
    stack = session.stack
    harness.transports.built[0].source.close()  # the pump's next poll fails
    wait_until(lambda: stack.state is StackState.FAILED, timeout_s=10)
    harness.document.tick()
    session.closed_future.result(timeout=10)
    harness.document.run_scheduled()
    assert "This session has stopped" in body_text(session)
    assert harness.runtime.registry.count() == 0


def test_pagehide_closes_the_session_and_expires_it_without_closing_connections(harness):
    session = harness.open_ready()
    session.page.browser.page_closing = True
    harness.document.tick()
    session.closed_future.result(timeout=10)
    assert harness.document.expired == [False]


def test_a_closed_connection_closes_the_session():
    harness = Harness(liveness=LivenessSettings(reap_disconnected_after_s=5))
    try:
        session = harness.open_ready()
        harness.document.tick()
        harness.document.is_connected = False
        harness.document.tick()
        harness.clock.advance(5)
        harness.document.tick()
        session.closed_future.result(timeout=10)
        assert harness.document.expired == [False]
    finally:
        harness.close()


def test_bokeh_is_not_asked_to_expire_a_session_it_destroyed(harness):
    session = harness.open_ready()
    harness.document.destroy()
    session.closed_future.result(timeout=10)
    assert harness.document.expired == []


def test_a_silent_visible_page_is_reaped_and_its_websocket_closed():
    harness = Harness(liveness=LivenessSettings(reap_visible_after_s=60))
    try:
        session = harness.open_ready()
        harness.clock.advance(61)
        harness.document.tick()
        session.closed_future.result(timeout=10)
        assert harness.document.expired == [True]
    finally:
        harness.close()


def test_views_that_fail_to_build_end_the_session():
    harness = Harness(views_fail=True)
    try:
        session = harness.open_ready()
        session.closed_future.result(timeout=10)
        assert "no views today" in body_text(session)
        assert harness.document.timeouts == {}  # a bug is not retried
    finally:
        harness.close()


def test_a_stopping_worker_builds_no_new_session(harness):
    harness.runtime.begin_stopping()
    session = harness.open()
    harness.document.ready()
    assert session.closed_future.done()
    assert "shutting down" in body_text(session)
    assert harness.transports.threads == []
    assert harness.runtime.registry.count() == 0
