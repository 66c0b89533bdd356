from __future__ import annotations

import uuid

import pytest

from livedash.protocol.status import (
    ServiceState,
    ServiceStatus,
    StreamStat,
    StreamStats,
    dashboard_session_status,
    dashboard_worker_status,
)
from livedash.session.service_registry import ServiceRegistry

from .fakes import FakeClock


def backend(
    service_name: str = "detector_data",
    state: ServiceState = ServiceState.RUNNING,
    *,
    worker_id: str | None = None,
    stream_stats: StreamStats | None = None,
) -> ServiceStatus:
    return ServiceStatus(
        instrument="dummy",
        service_name=service_name,
        worker_id=worker_id or str(uuid.uuid4()),
        state=state,
        started_at=0,
        active_job_count=0,
        stream_stats=stream_stats,
    )


def session(worker_id: str, state: ServiceState = ServiceState.RUNNING) -> ServiceStatus:
    return dashboard_session_status(
        instrument="dummy",
        session_id=str(uuid.uuid4()),
        state=state,
        started_at=0,
        workflow_count=0,
        details={"worker_id": worker_id},
    )


@pytest.fixture
def registry(clock: FakeClock) -> ServiceRegistry:
    return ServiceRegistry(clock=clock)


def test_service_is_stale_after_30_s_without_heartbeat(
    registry: ServiceRegistry, clock: FakeClock
) -> None:
    registry.on_service_status(backend())
    clock.advance(30.0)
    registry.prune()
    assert not registry.backend_services()[0].stale
    clock.advance(0.1)
    registry.prune()
    assert registry.backend_services()[0].stale


def test_stopped_service_is_never_stale(registry: ServiceRegistry, clock: FakeClock) -> None:
    registry.on_service_status(backend(state=ServiceState.STOPPED))
    clock.advance(300.0)
    registry.prune()
    entry = registry.backend_services()[0]
    assert not entry.stale
    assert entry.inactive


def test_fresh_heartbeat_clears_staleness(registry: ServiceRegistry, clock: FakeClock) -> None:
    status = backend()
    registry.on_service_status(status)
    clock.advance(31.0)
    registry.prune()
    registry.on_service_status(status)
    assert not registry.backend_services()[0].stale


def test_inactive_services_are_pruned_to_three_per_service_name(
    registry: ServiceRegistry, clock: FakeClock
) -> None:
    for _ in range(5):
        registry.on_service_status(backend(state=ServiceState.STOPPED))
        clock.advance(1.0)
    running = backend()
    registry.on_service_status(running)
    registry.on_service_status(backend("monitor_data", ServiceState.STOPPED))
    registry.prune()
    detector = [e for e in registry.backend_services() if e.status.service_name == "detector_data"]
    assert len(detector) == 4
    assert running.service_id in {e.service_id for e in detector}
    assert len(registry.backend_services()) == 5


def test_stream_stats_are_sticky(registry: ServiceRegistry) -> None:
    stats = StreamStats(
        window_seconds=30.0,
        streams=[StreamStat(topic="dummy_detector", source_name="panel_0", count=7)],
    )
    worker_id = str(uuid.uuid4())
    registry.on_service_status(backend(worker_id=worker_id, stream_stats=stats))
    registry.on_service_status(backend(worker_id=worker_id))
    assert registry.backend_services()[0].stream_stats == stats


def test_views_split_backend_workers_and_sessions(registry: ServiceRegistry) -> None:
    worker_id = str(uuid.uuid4())
    registry.on_service_status(backend())
    registry.on_service_status(
        dashboard_worker_status(
            instrument="dummy",
            worker_id=worker_id,
            state=ServiceState.RUNNING,
            started_at=0,
            session_count=1,
        )
    )
    registry.on_service_status(session(worker_id))
    registry.on_service_status(session(str(uuid.uuid4())))
    assert [e.status.service_name for e in registry.backend_services()] == ["detector_data"]
    assert [e.status.worker_id for e in registry.dashboard_workers()] == [worker_id]
    assert len(registry.dashboard_sessions()) == 2
    linked = registry.dashboard_sessions(worker_id)
    assert [e.worker_id for e in linked] == [worker_id]


def test_stopped_session_is_dropped_after_10_s(registry: ServiceRegistry, clock: FakeClock) -> None:
    registry.on_service_status(session(str(uuid.uuid4()), ServiceState.STOPPED))
    clock.advance(10.0)
    registry.prune()
    assert len(registry.dashboard_sessions()) == 1
    clock.advance(0.1)
    registry.prune()
    assert registry.dashboard_sessions() == []


def test_silent_session_is_dropped_after_120_s(registry: ServiceRegistry, clock: FakeClock) -> None:
    registry.on_service_status(session(str(uuid.uuid4())))
    clock.advance(60.0)
    registry.prune()
    assert registry.dashboard_sessions()[0].stale
    clock.advance(60.1)
    registry.prune()
    assert registry.dashboard_sessions() == []


def test_entry_count_is_capped(clock: FakeClock) -> None:
    registry = ServiceRegistry(clock=clock, max_entries=3)
    statuses = [backend() for _ in range(4)]
    for status in statuses:
        registry.on_service_status(status)
        clock.advance(1.0)
    kept = {e.service_id for e in registry.backend_services()}
    assert kept == {s.service_id for s in statuses[1:]}


def test_version_bumps_on_heartbeat_and_on_staleness(
    registry: ServiceRegistry, clock: FakeClock
) -> None:
    registry.on_service_status(backend())
    version = registry.version
    registry.prune()
    assert registry.version == version
    clock.advance(31.0)
    registry.prune()
    assert registry.version > version
