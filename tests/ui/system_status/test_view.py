"""The System Status tab, live from a service registry."""

from __future__ import annotations

import uuid

import pytest

from livedash.instruments import load_instrument
from livedash.protocol.status import ServiceState
from livedash.session.service_registry import ServiceRegistry
from livedash.session.stack import SessionStack
from livedash.session.transport import memory_transport_factory
from livedash.ui.system_status import SystemStatusView
from livedash.ui.system_status.tables import NO_SERVICES, NO_SESSIONS, NO_WORKERS
from tests.session.fakes import FakeClock, FakeWallClock, memory_broker
from tests.ui.workflows.harness import record_events

from .fixtures import OTHER_SESSION, SESSION, T0_NS, WORKER, backend, session, worker


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(clock: FakeClock) -> ServiceRegistry:
    return ServiceRegistry(clock=clock)


def make_view(services: ServiceRegistry, clock: FakeClock) -> SystemStatusView:
    """A view whose wall clock reads the heartbeats' start time when ``clock`` is new."""
    start = clock()
    return SystemStatusView(
        services=services,
        clock=clock,
        this_session_id=SESSION,
        this_worker_id=WORKER,
        wall_ns=lambda: T0_NS + int((clock() - start) * 1e9),
    )


def test_an_empty_registry_says_nothing_was_heard(services, clock) -> None:
    view = make_view(services, clock)
    assert NO_WORKERS in view.workers_table.object
    assert NO_SESSIONS in view.sessions_table.object
    assert NO_SERVICES in view.services_table.object


def test_workers_sessions_and_services_each_get_a_row(services, clock) -> None:
    services.on_service_status(worker())
    services.on_service_status(session())
    services.on_service_status(session(OTHER_SESSION))
    services.on_service_status(backend("monitor_data"))
    view = make_view(services, clock)
    assert view.workers_table.object.count("<tr class=") == 1
    assert view.sessions_table.object.count("<tr class=") == 2
    assert "monitor_data" in view.services_table.object
    assert "2 known, 2 running" in view.sessions_header.object


def test_this_session_and_this_worker_are_highlighted(services, clock) -> None:
    services.on_service_status(worker())
    services.on_service_status(session())
    services.on_service_status(session(OTHER_SESSION))
    view = make_view(services, clock)
    assert view.sessions_table.object.count('<tr class="ld-this">') == 1
    assert "this session" in view.sessions_table.object
    assert '<tr class="ld-this">' in view.workers_table.object


def test_a_silent_service_turns_stale_after_30_s(services, clock) -> None:
    services.on_service_status(backend())
    view = make_view(services, clock)
    assert "ld-state-running" in view.services_table.object
    clock.advance(29)
    services.prune()
    view.refresh()
    assert "STALE" not in view.services_table.object
    clock.advance(2)
    services.prune()
    view.refresh()
    assert '<span class="ld-state ld-state-stale">STALE</span>' in view.services_table.object
    assert "Seen: 31 s ago" in view.services_table.object


def test_a_stopped_service_is_muted_not_stale(services, clock) -> None:
    services.on_service_status(backend(state=ServiceState.STOPPED))
    clock.advance(45)
    services.prune()
    view = make_view(services, clock)
    table = view.services_table.object
    assert '<span class="ld-state ld-state-muted">STOPPED</span>' in table
    assert '<tr class="ld-inactive">' in table
    assert "STALE" not in table


def test_an_errored_service_is_red_with_its_first_error_line(services, clock) -> None:
    services.on_service_status(backend(state=ServiceState.ERROR, error="Boom\nTraceback ..."))
    table = make_view(services, clock).services_table.object
    assert "ld-state-error" in table
    assert ">Boom</div>" in table


def test_a_draining_worker_is_tagged(services, clock) -> None:
    services.on_service_status(worker(draining=True))
    assert "draining" in make_view(services, clock).workers_table.object


def test_markup_is_escaped(services, clock) -> None:
    services.on_service_status(session(user="<script>x</script>"))
    table = make_view(services, clock).sessions_table.object
    assert "<script>" not in table
    assert "&lt;script&gt;" in table


def test_refresh_without_changes_touches_nothing(services, clock) -> None:
    services.on_service_status(worker())
    services.on_service_status(backend())
    view = make_view(services, clock)
    events = record_events(view.panel)
    clock.advance(0.2)
    view.refresh()
    view.refresh()
    assert events == []


def test_a_new_heartbeat_is_shown_at_the_next_refresh(services, clock) -> None:
    view = make_view(services, clock)
    events = record_events(view.panel)
    services.on_service_status(backend("timeseries"))
    view.refresh()
    assert "timeseries" in view.services_table.object
    assert "HTML.object" in events


def test_uptimes_move_with_the_clock(services, clock) -> None:
    services.on_service_status(backend())
    view = make_view(services, clock)
    before = view.services_table.object
    clock.advance(61)
    view.refresh()
    assert view.services_table.object != before
    assert "Up: 1 min 01 s" in view.services_table.object


def test_a_closed_view_no_longer_refreshes(services, clock) -> None:
    view = make_view(services, clock)
    view.close()
    view.close()
    services.on_service_status(backend())
    view.refresh()
    assert NO_SERVICES in view.services_table.object


def test_a_real_session_sees_its_own_heartbeat_highlighted() -> None:
    clock, wall = FakeClock(), FakeWallClock()
    broker = memory_broker()
    worker_id = str(uuid.uuid4())
    stack = SessionStack(
        transport_factory=memory_transport_factory(broker),
        instrument=load_instrument("dummy"),
        worker_id=worker_id,
        clock=clock,
        wall_ns=wall,
    )
    try:
        view = SystemStatusView(
            services=stack.services,
            clock=clock,
            this_session_id=stack.session_id,
            this_worker_id=worker_id,
            wall_ns=wall,
        )
        for _ in range(3):
            clock.advance(2.5)
            while stack.pump.run_once():
                pass
        view.refresh()
        table = view.sessions_table.object
        assert stack.session_id[:8] in table
        assert '<tr class="ld-this">' in table
    finally:
        stack.close()
