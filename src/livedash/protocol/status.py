"""Heartbeats on ``{inst}_livedata_heartbeat``: the x5f2 wire form (PROTOCOL.md 5, 12.2).

The x5f2 envelope carries ``software_name="livedata"``, a version, a ``service_id``, host,
pid and ``update_interval`` (1000 ms for jobs, 2000 ms for services); its ``status_json``
is ``{"status": <NICOS code>, "message": {...}}`` with the message fields in the exact
order the backend writes them, serialised with pydantic's JSON writer as the backend
does, so that encoding a decoded heartbeat reproduces the backend's bytes. Nanosecond
times stay Python ints (they exceed 2**53). A ``message`` without ``message_type`` is a
job message. Dashboard heartbeats (12.2) are service heartbeats with the service names
``dashboard``/``dashboard_session`` and one extra ``message`` key, ``dashboard``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pydantic_core
from pydantic import ValidationError
from streaming_data_types.fbschemas.status_x5f2.Status import Status
from streaming_data_types.status_x5f2 import serialise_x5f2

from .errors import DecodeError, validation_reason
from .schemas import (
    X5F2,
    Field,
    FieldKind,
    TableSchema,
    flatbuffer_guard,
    read_string,
    require_schema,
    verify,
)
from .status_models import (
    JobState,
    JobStatus,
    NicosStatus,
    ServiceState,
    ServiceStatus,
    StreamStat,
    StreamStats,
    nicos_status_for_job,
    nicos_status_for_service,
)

__all__ = [
    "JobState",
    "JobStatus",
    "NicosStatus",
    "ServiceState",
    "ServiceStatus",
    "StatusEnvelope",
    "StatusMessage",
    "StreamStat",
    "StreamStats",
    "dashboard_session_status",
    "dashboard_worker_status",
    "decode_status",
    "encode_job_status",
    "encode_service_status",
    "nicos_status_for_job",
    "nicos_status_for_service",
]

SOFTWARE_NAME = "livedata"
JOB_UPDATE_INTERVAL_MS = 1000
SERVICE_UPDATE_INTERVAL_MS = 2000
DASHBOARD_SERVICE = "dashboard"
DASHBOARD_SESSION_SERVICE = "dashboard_session"

_ENVELOPE = TableSchema(
    "Status",
    (
        Field("software_name", 0, FieldKind.STRING, required=True),
        Field("software_version", 1, FieldKind.STRING, required=True),
        Field("service_id", 2, FieldKind.STRING, required=True),
        Field("host_name", 3, FieldKind.STRING, required=True),
        Field("process_id", 4, FieldKind.SCALAR, size=4),
        Field("update_interval", 5, FieldKind.SCALAR, size=4),
        Field("status_json", 6, FieldKind.STRING, required=True),
    ),
)


@dataclass(frozen=True)
class StatusEnvelope:
    """The x5f2 fields around ``status_json``."""

    software_name: str
    software_version: str
    service_id: str
    host_name: str
    process_id: int
    update_interval: int


@dataclass(frozen=True)
class StatusMessage:
    """A decoded heartbeat: its envelope, its status and the NICOS code it was sent with."""

    envelope: StatusEnvelope
    status: JobStatus | ServiceStatus
    nicos_status: int


def job_status_json(status: JobStatus) -> str:
    """The backend's ``status_json`` text for a job heartbeat."""
    message = {
        "message_type": "job",
        "state": status.state.value,
        "warning": status.warning,
        "error": status.error,
        "job_id": status.job_id.model_dump(mode="json"),
        "workflow_id": str(status.workflow_id),
        "start_time": status.start_time,
        "end_time": status.end_time,
    }
    return _to_json(nicos_status_for_job(status.state), message)


def service_status_json(status: ServiceStatus) -> str:
    """The backend's ``status_json`` text for a service heartbeat (plus ``dashboard``)."""
    exclude = {"dashboard"} if status.dashboard is None else set()
    message = {"message_type": "service", **status.model_dump(mode="json", exclude=exclude)}
    return _to_json(nicos_status_for_service(status.state), message)


def _to_json(nicos: NicosStatus, message: dict[str, Any]) -> str:
    document = {"status": int(nicos), "message": message}
    return pydantic_core.to_json(document, inf_nan_mode="null").decode()


def encode_job_status(
    status: JobStatus, *, host_name: str, process_id: int, software_version: str = "0.0.0"
) -> bytes:
    """Serialise a job heartbeat; ``service_id`` is ``source_name:job_number``."""
    return _serialise(
        status.job_id.service_id, job_status_json(status), JOB_UPDATE_INTERVAL_MS,
        host_name=host_name, process_id=process_id, software_version=software_version,
    )  # fmt: skip


def encode_service_status(
    status: ServiceStatus, *, host_name: str, process_id: int, software_version: str = "0.0.0"
) -> bytes:
    """Serialise a service heartbeat; ``service_id`` is ``instrument:service_name:worker_id``."""
    return _serialise(
        status.service_id, service_status_json(status), SERVICE_UPDATE_INTERVAL_MS,
        host_name=host_name, process_id=process_id, software_version=software_version,
    )  # fmt: skip


def _serialise(
    service_id: str,
    status_json: str,
    update_interval: int,
    *,
    host_name: str,
    process_id: int,
    software_version: str,
) -> bytes:
    if isinstance(process_id, bool) or not isinstance(process_id, int):
        raise ValueError(f"process_id must be an int, got {process_id!r}")
    if not 0 <= process_id < 2**32:
        raise ValueError(f"process_id {process_id} does not fit in uint32")
    return serialise_x5f2(
        SOFTWARE_NAME, software_version, service_id, host_name, process_id,
        update_interval, status_json,
    )  # fmt: skip


def decode_status(buf: bytes) -> StatusMessage:
    """Decode an x5f2 heartbeat into its envelope and job or service status.

    Raises only :class:`DecodeError` (kind ``"x5f2"``).
    """
    require_schema(buf, X5F2, kind="x5f2")
    with flatbuffer_guard("x5f2"):
        verify(buf, _ENVELOPE, kind="x5f2")
        root = Status.GetRootAsStatus(buf, 0)
        envelope = StatusEnvelope(
            software_name=_text(root.SoftwareName(), "software_name"),
            software_version=_text(root.SoftwareVersion(), "software_version"),
            service_id=_text(root.ServiceId(), "service_id"),
            host_name=_text(root.HostName(), "host_name"),
            process_id=int(root.ProcessId()),
            update_interval=int(root.UpdateInterval()),
        )
        status_json = _text(root.StatusJson(), "status_json")
    nicos, status = parse_status_json(status_json)
    return StatusMessage(envelope=envelope, status=status, nicos_status=nicos)


def _text(raw: bytes | None, what: str) -> str:
    return read_string(raw, what, kind="x5f2")


def parse_status_json(text: str) -> tuple[int, JobStatus | ServiceStatus]:
    """Parse a ``status_json`` document into its NICOS code and status model."""
    try:
        document = pydantic_core.from_json(text)
    except ValueError as err:
        raise DecodeError("x5f2", f"status_json is not JSON ({err})") from None
    if not isinstance(document, dict):
        raise DecodeError("x5f2", "status_json is not a JSON object")
    nicos, message = document.get("status"), document.get("message")
    if isinstance(nicos, bool) or not isinstance(nicos, int):
        raise DecodeError("x5f2", f"status_json 'status' is {nicos!r}, not an integer code")
    if not isinstance(message, dict):
        raise DecodeError("x5f2", "status_json 'message' is not a JSON object")
    message_type = message.get("message_type", "job")
    model: type[JobStatus] | type[ServiceStatus]
    if message_type == "job":
        model = JobStatus
    elif message_type == "service":
        model = ServiceStatus
    else:
        raise DecodeError("x5f2", f"unknown message_type {message_type!r}")
    try:
        return nicos, model.model_validate(message)
    except ValidationError as err:
        raise DecodeError("x5f2", f"{message_type} message: {validation_reason(err)}") from None


def dashboard_worker_status(
    *,
    instrument: str,
    worker_id: str,
    state: ServiceState,
    started_at: int,
    session_count: int,
    details: dict[str, Any] | None = None,
    error: str | None = None,
) -> ServiceStatus:
    """The heartbeat of a dashboard worker process (PROTOCOL.md 12.2).

    ``service_id`` is ``{instrument}:dashboard:{worker_id}``; ``active_job_count`` carries
    the number of live sessions; ``details`` (host, pid, port, RSS ...) go into the
    ``dashboard`` key after ``role="worker"``. ``worker_id`` is written in canonical
    lowercase UUID form; ``ValueError`` if it is not a UUID.
    """
    return ServiceStatus(
        instrument=instrument, service_name=DASHBOARD_SERVICE,
        worker_id=_canonical_uuid(worker_id, "worker_id"),
        state=state, started_at=started_at, active_job_count=session_count, error=error,
        dashboard={"role": "worker", **(details or {})},
    )  # fmt: skip


def dashboard_session_status(
    *,
    instrument: str,
    session_id: str,
    state: ServiceState,
    started_at: int,
    workflow_count: int,
    details: dict[str, Any] | None = None,
    error: str | None = None,
) -> ServiceStatus:
    """The heartbeat of one browser session (PROTOCOL.md 12.2).

    ``service_id`` is ``{instrument}:dashboard_session:{session_id}``;
    ``active_job_count`` carries the number of running workflows shown; ``details``
    (worker uuid, tab visibility, client ...) go into ``dashboard`` after
    ``role="session"``. ``session_id`` is written in canonical lowercase UUID form;
    ``ValueError`` if it is not a UUID.
    """
    return ServiceStatus(
        instrument=instrument, service_name=DASHBOARD_SESSION_SERVICE,
        worker_id=_canonical_uuid(session_id, "session_id"),
        state=state, started_at=started_at, active_job_count=workflow_count, error=error,
        dashboard={"role": "session", **(details or {})},
    )  # fmt: skip


def _canonical_uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"{what} {value!r} is not a UUID") from None
