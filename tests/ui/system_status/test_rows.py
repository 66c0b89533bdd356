"""Registry entries -> display rows (pure)."""

from __future__ import annotations

from livedash.protocol.status import ServiceState
from livedash.session.service_registry import ServiceRegistry
from livedash.ui.system_status.rows import (
    liveness,
    service_rows,
    session_rows,
    worker_label,
    worker_rows,
)
from tests.session.fakes import FakeClock

from .fixtures import (
    OTHER_WORKER,
    SESSION,
    T0_NS,
    WORKER,
    backend,
    session,
    stats,
    worker,
)

WALL = T0_NS + 3725 * 10**9


def registry(clock: FakeClock, *statuses) -> ServiceRegistry:
    services = ServiceRegistry(clock=clock)
    for status in statuses:
        services.on_service_status(status, host_name="envelope-host", process_id=7)
    return services


def test_a_running_entry_shows_its_uptime() -> None:
    clock = FakeClock()
    (entry,) = registry(clock, backend()).backend_services()
    assert liveness(entry, now=clock(), wall_ns=WALL) == "Up: 1 h 02 min"


def test_a_stopped_entry_shows_when_it_was_last_seen() -> None:
    clock = FakeClock()
    (entry,) = registry(clock, backend(state=ServiceState.STOPPED)).backend_services()
    assert liveness(entry, now=clock() + 12, wall_ns=WALL) == "Seen: 12 s ago"


def test_a_stale_entry_shows_when_it_was_last_seen() -> None:
    clock = FakeClock()
    services = registry(clock, backend())
    clock.advance(31)
    services.prune()
    (entry,) = services.backend_services()
    assert entry.stale
    assert liveness(entry, now=clock(), wall_ns=WALL) == "Seen: 31 s ago"


def test_worker_rows_read_the_dashboard_details() -> None:
    clock = FakeClock()
    entries = registry(clock, worker()).dashboard_workers()
    (row,) = worker_rows(entries, now=clock(), wall_ns=WALL, this_worker_id=WORKER)
    assert (row.index, row.host, row.pid, row.address) == ("0", "dash1", "4242", ":5009/w0")
    assert (row.rss, row.cpu, row.sessions) == ("200.0 MiB", "7.2 %", "1")
    assert row.this_worker
    assert not row.draining


def test_worker_rows_fall_back_to_the_envelope_and_dashes() -> None:
    clock = FakeClock()
    status = worker(host=None, pid=None, port=None, rss_bytes=None, worker_index=None)
    (row,) = worker_rows(
        registry(clock, status).dashboard_workers(), now=clock(), wall_ns=WALL, this_worker_id=None
    )
    assert (row.host, row.pid, row.address, row.rss, row.index) == (
        "envelope-host", "7", "-", "-", "-",
    )  # fmt: skip


def test_workers_are_ordered_by_index() -> None:
    clock = FakeClock()
    entries = registry(clock, worker(index=1), worker(OTHER_WORKER, index=0)).dashboard_workers()
    rows = worker_rows(entries, now=clock(), wall_ns=WALL, this_worker_id=None)
    assert [r.index for r in rows] == ["0", "1"]


def test_a_session_row_names_its_worker_and_its_browser() -> None:
    clock = FakeClock()
    services = registry(clock, worker(), session())
    workers = worker_rows(
        services.dashboard_workers(), now=clock(), wall_ns=WALL, this_worker_id=None
    )
    clock.advance(3)
    (row,) = session_rows(
        services.dashboard_sessions(),
        now=clock(),
        wall_ns=WALL,
        this_session_id=SESSION,
        worker_labels={w.worker_id: worker_label(w) for w in workers},
    )
    assert row.worker == f"#0 ({WORKER[:8]})"
    assert row.browser_seen == "5 s ago"
    assert (row.visibility, row.plots, row.client, row.user) == (
        "visible",
        "3",
        "10.1.2.3",
        "operator",
    )
    assert row.age == "1 h 02 min"
    assert row.this_session


def test_a_session_without_browser_heartbeat_was_never_seen() -> None:
    clock = FakeClock()
    services = registry(clock, session(browser_heartbeat_age_s=None, visible=False))
    (row,) = session_rows(
        services.dashboard_sessions(),
        now=clock(),
        wall_ns=WALL,
        this_session_id=None,
        worker_labels={},
    )
    assert (row.browser_seen, row.visibility, row.worker) == ("never", "hidden", WORKER[:8])
    assert not row.this_session


def test_service_rows_show_stream_counts_and_batch_interval() -> None:
    clock = FakeClock()
    status = backend(batch_interval_s=0.5, stream_stats=stats(panel_0=1234, monitor1=7))
    (row,) = service_rows(registry(clock, status).backend_services(), now=clock(), wall_ns=WALL)
    assert row.batch == "0.5 s"
    assert row.streams == ("monitor1: 7 / 30 s", "panel_0: 1,234 / 30 s")
    assert (row.worker, row.host, row.jobs) == (status.worker_id[:8], "envelope-host", "3")


def test_stream_counts_stay_when_a_later_heartbeat_has_none() -> None:
    clock = FakeClock()
    services = registry(clock, backend(stream_stats=stats(panel_0=5)), backend())
    (row,) = service_rows(services.backend_services(), now=clock(), wall_ns=WALL)
    assert row.streams == ("panel_0: 5 / 30 s",)


def test_an_errored_service_carries_its_error_text() -> None:
    clock = FakeClock()
    status = backend(state=ServiceState.ERROR, error="Kafka down\ntrace")
    (row,) = service_rows(registry(clock, status).backend_services(), now=clock(), wall_ns=WALL)
    assert (row.state.label, row.state.css, row.state.error) == (
        "ERROR", "ld-state-error", "Kafka down\ntrace",
    )  # fmt: skip
