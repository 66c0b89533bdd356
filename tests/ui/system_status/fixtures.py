"""Heartbeats of workers, sessions and backend services for the status-tab tests."""

from __future__ import annotations

import uuid
from typing import Any

from livedash.protocol.status import (
    ServiceState,
    ServiceStatus,
    StreamStat,
    StreamStats,
    dashboard_session_status,
    dashboard_worker_status,
)

T0_NS = 1_763_700_000_000_000_000
WORKER = str(uuid.UUID(int=1))
OTHER_WORKER = str(uuid.UUID(int=2))
SESSION = str(uuid.UUID(int=11))
OTHER_SESSION = str(uuid.UUID(int=12))
BACKEND = str(uuid.UUID(int=21))


def worker(worker_id: str = WORKER, *, index: int = 0, **details: Any) -> ServiceStatus:
    return dashboard_worker_status(
        instrument="dummy",
        worker_id=worker_id,
        state=details.pop("state", ServiceState.RUNNING),
        started_at=T0_NS,
        session_count=details.pop("sessions", 1),
        details={
            "worker_index": index,
            "host": "dash1",
            "pid": 4242,
            "port": 5009 + index,
            "prefix": f"/w{index}",
            "url": None,
            "rss_bytes": 200 * 1024 * 1024,
            "cpu_percent": 7.25,
            "draining": False,
            **details,
        },
    )


def session(session_id: str = SESSION, *, worker_id: str = WORKER, **details: Any) -> ServiceStatus:
    return dashboard_session_status(
        instrument="dummy",
        session_id=session_id,
        state=details.pop("state", ServiceState.RUNNING),
        started_at=T0_NS,
        workflow_count=2,
        details={
            "worker_id": worker_id,
            "host": "dash1",
            "client": "10.1.2.3",
            "user": "operator",
            "visible": True,
            "browser_heartbeat_age_s": 2.0,
            "plots": 3,
            **details,
        },
    )


def backend(
    name: str = "detector_data",
    *,
    worker_id: str = BACKEND,
    state: ServiceState = ServiceState.RUNNING,
    **fields: Any,
) -> ServiceStatus:
    return ServiceStatus(
        instrument="dummy",
        service_name=name,
        worker_id=worker_id,
        state=state,
        started_at=T0_NS,
        active_job_count=fields.pop("active_job_count", 3),
        **fields,
    )


def stats(**counts: int) -> StreamStats:
    return StreamStats(
        window_seconds=30.0,
        streams=[
            StreamStat(topic="dummy_detector", source_name=name, count=count)
            for name, count in counts.items()
        ],
    )
