"""What a heartbeat says: job and service states and status models (PROTOCOL.md 5, 12.2).

The NICOS codes and the state-to-code mappings are the backend's. ``ServiceStatus``
also carries livedash's ``dashboard`` extra (PROTOCOL.md 12.2); its ``worker_id`` must be
a UUID string, kept verbatim. Times are ns since the epoch, as Python ints.
"""

from __future__ import annotations

import uuid
from enum import IntEnum, StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from .ids import JobId, Nanoseconds, WorkflowId


class JobState(StrEnum):
    """The state of one job, as its heartbeat reports it."""

    SCHEDULED = "scheduled"
    ACTIVE = "active"
    FINISHING = "finishing"
    ERROR = "error"
    WARNING = "warning"
    PENDING_CONTEXT = "pending_context"
    STOPPED = "stopped"


class ServiceState(StrEnum):
    """The state of one worker process; upstream readers accept only these values."""

    STARTING = "starting"
    RUNNING = "running"
    STOPPED = "stopped"
    ERROR = "error"


class NicosStatus(IntEnum):
    """The NICOS status code in ``status_json["status"]``."""

    OK = 200
    WARNING = 210
    DISABLED = 235
    ERROR = 240
    UNKNOWN = 999


_JOB_NICOS = {
    JobState.ACTIVE: NicosStatus.OK,
    JobState.FINISHING: NicosStatus.OK,
    JobState.SCHEDULED: NicosStatus.DISABLED,
    JobState.WARNING: NicosStatus.WARNING,
    JobState.PENDING_CONTEXT: NicosStatus.WARNING,
    JobState.ERROR: NicosStatus.ERROR,
    JobState.STOPPED: NicosStatus.UNKNOWN,
}
_SERVICE_NICOS = {
    ServiceState.STARTING: NicosStatus.DISABLED,
    ServiceState.RUNNING: NicosStatus.OK,
    ServiceState.STOPPED: NicosStatus.DISABLED,
    ServiceState.ERROR: NicosStatus.ERROR,
}


def nicos_status_for_job(state: JobState) -> NicosStatus:
    """The NICOS code the backend sends for a job in ``state``."""
    return _JOB_NICOS[JobState(state)]


def nicos_status_for_service(state: ServiceState) -> NicosStatus:
    """The NICOS code the backend sends for a service in ``state``."""
    return _SERVICE_NICOS[ServiceState(state)]


class JobStatus(BaseModel):
    """The heartbeat of one job; ``start_time``/``end_time`` are ns since the epoch."""

    model_config = ConfigDict(frozen=True)

    job_id: JobId
    workflow_id: WorkflowId
    state: JobState
    warning: str | None = None
    error: str | None = None
    start_time: Nanoseconds | None = None
    end_time: Nanoseconds | None = None


class StreamStat(BaseModel):
    """Messages seen on one input stream during the metrics window."""

    model_config = ConfigDict(frozen=True)

    topic: str
    source_name: str
    stream: str | None = None
    count: int


class StreamStats(BaseModel):
    """Input-stream counts over one metrics window (attached about once per 30 s)."""

    model_config = ConfigDict(frozen=True)

    window_seconds: float
    streams: list[StreamStat]


class ServiceStatus(BaseModel):
    """The heartbeat of one worker process (a backend service or a livedash dashboard)."""

    model_config = ConfigDict(frozen=True)

    instrument: str
    service_name: str
    worker_id: str
    state: ServiceState
    started_at: Nanoseconds
    active_job_count: int
    error: str | None = None
    batch_interval_s: float = 1.0
    stream_stats: StreamStats | None = None
    dashboard: dict[str, Any] | None = None

    @field_validator("worker_id")
    @classmethod
    def _worker_id_is_uuid(cls, value: str) -> str:
        # Kept verbatim (not normalised) so that re-encoding reproduces the received bytes.
        uuid.UUID(value)
        return value

    @property
    def service_id(self) -> str:
        return f"{self.instrument}:{self.service_name}:{self.worker_id}"
