"""Registry entries -> display rows of the System Status tab (pure, no Panel).

Liveness follows PROTOCOL.md 5.3: an entry that is running (or starting) shows
``Up: ...`` since its ``started_at`` (wall clock); an entry that is stale, stopped or in
error shows ``Seen: ... ago`` since its last heartbeat (local monotonic clock).

The dashboard heartbeats' ``dashboard`` details (PROTOCOL.md 12.2) are read leniently,
since other livedash versions may write more or fewer keys: a worker's
``worker_index``, ``host``, ``pid``, ``port``, ``prefix``, ``url``, ``rss_bytes``,
``cpu_percent`` and ``draining``; a session's ``worker_id``, ``client``, ``user``,
``visible``, ``browser_heartbeat_age_s`` and ``plots``. A missing key shows as ``-``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...protocol.status import ServiceState
from ...session.service_registry import ServiceEntry
from .formatting import (
    MISSING,
    format_count,
    format_duration,
    format_mib,
    format_percent,
    short_id,
    state_css,
    state_label,
)


@dataclass(frozen=True)
class StateCell:
    label: str
    css: str
    error: str | None = None


@dataclass(frozen=True)
class WorkerRow:
    worker_id: str
    index: str
    host: str
    pid: str
    address: str
    state: StateCell
    liveness: str
    sessions: str
    rss: str
    cpu: str
    draining: bool
    this_worker: bool


@dataclass(frozen=True)
class SessionRow:
    session_id: str
    worker: str
    state: StateCell
    age: str
    browser_seen: str
    visibility: str
    workflows: str
    plots: str
    client: str
    user: str
    this_session: bool


@dataclass(frozen=True)
class ServiceRow:
    service_id: str
    service_name: str
    worker: str
    host: str
    state: StateCell
    liveness: str
    jobs: str
    batch: str
    streams: tuple[str, ...]


def liveness(entry: ServiceEntry, *, now: float, wall_ns: int) -> str:
    """``Up: ...`` for a live entry, ``Seen: ... ago`` for a stale/stopped/errored one."""
    state = entry.status.state
    if entry.stale or state in (ServiceState.STOPPED, ServiceState.ERROR):
        return f"Seen: {format_duration(entry.seen_ago_s(now))} ago"
    return f"Up: {format_duration((wall_ns - entry.status.started_at) / 1e9)}"


def state_cell(entry: ServiceEntry) -> StateCell:
    state = entry.status.state
    return StateCell(
        label=state_label(state, stale=entry.stale),
        css=state_css(state, stale=entry.stale),
        error=entry.status.error,
    )


def worker_rows(
    entries: Sequence[ServiceEntry], *, now: float, wall_ns: int, this_worker_id: str | None
) -> list[WorkerRow]:
    """One row per dashboard worker, ordered by worker index, then id."""
    rows = []
    for entry in entries:
        details = entry.status.dashboard or {}
        host = _text(details.get("host") or entry.host_name)
        rows.append(
            WorkerRow(
                worker_id=entry.status.worker_id,
                index=_text(details.get("worker_index")),
                host=host,
                pid=_text(details.get("pid") or entry.process_id),
                address=_address(details),
                state=state_cell(entry),
                liveness=liveness(entry, now=now, wall_ns=wall_ns),
                sessions=format_count(entry.status.active_job_count),
                rss=format_mib(details.get("rss_bytes")),
                cpu=format_percent(details.get("cpu_percent")),
                draining=details.get("draining") is True,
                this_worker=_same_id(entry.status.worker_id, this_worker_id),
            )
        )
    return sorted(rows, key=lambda r: (_index_key(r.index), r.worker_id))


def session_rows(
    entries: Sequence[ServiceEntry],
    *,
    now: float,
    wall_ns: int,
    this_session_id: str | None,
    worker_labels: Mapping[str, str],
) -> list[SessionRow]:
    """One row per dashboard session, grouped by worker; ``worker_labels`` name workers."""
    rows = []
    for entry in entries:
        details = entry.status.dashboard or {}
        worker_id = entry.worker_id
        worker = worker_labels.get(worker_id or "", short_id(worker_id))
        visible = details.get("visible")
        rows.append(
            SessionRow(
                session_id=entry.status.worker_id,
                worker=worker,
                state=state_cell(entry),
                age=format_duration((wall_ns - entry.status.started_at) / 1e9),
                browser_seen=_browser_seen(details.get("browser_heartbeat_age_s"), entry, now),
                visibility=MISSING if visible is None else ("visible" if visible else "hidden"),
                workflows=format_count(entry.status.active_job_count),
                plots=format_count(details.get("plots")),
                client=_text(details.get("client")),
                user=_text(details.get("user")),
                this_session=_same_id(entry.status.worker_id, this_session_id),
            )
        )
    return sorted(rows, key=lambda r: (r.worker, r.session_id))


def service_rows(entries: Sequence[ServiceEntry], *, now: float, wall_ns: int) -> list[ServiceRow]:
    """One row per backend service worker, in the registry's order."""
    rows = []
    for entry in entries:
        status = entry.status
        stats = entry.stream_stats
        streams: tuple[str, ...] = ()
        if stats is not None:
            window = format_duration(stats.window_seconds)
            streams = tuple(
                f"{s.source_name}: {format_count(s.count)} / {window}"
                for s in sorted(stats.streams, key=lambda s: (s.source_name, s.topic))
            )
        rows.append(
            ServiceRow(
                service_id=status.service_id,
                service_name=status.service_name,
                worker=short_id(status.worker_id),
                host=_text(entry.host_name),
                state=state_cell(entry),
                liveness=liveness(entry, now=now, wall_ns=wall_ns),
                jobs=format_count(status.active_job_count),
                batch=f"{status.batch_interval_s:g} s",
                streams=streams,
            )
        )
    return rows


def worker_label(row: WorkerRow) -> str:
    """How a session row names its worker: ``#0 (1a2b3c4d)``, or the short id alone."""
    ident = short_id(row.worker_id)
    return ident if row.index == MISSING else f"#{row.index} ({ident})"


def _browser_seen(age: Any, entry: ServiceEntry, now: float) -> str:
    if not isinstance(age, int | float) or isinstance(age, bool):
        return "never"
    return f"{format_duration(age + entry.seen_ago_s(now))} ago"


def _address(details: Mapping[str, Any]) -> str:
    url = details.get("url") or details.get("public_url")
    if url:
        return str(url)
    port = details.get("port")
    if port is None:
        return MISSING
    return f":{port}{details.get('prefix') or ''}"


def _index_key(index: str) -> tuple[int, int | str]:
    return (0, int(index)) if index.isdigit() else (1, index)


def _same_id(value: str, other: str | None) -> bool:
    return other is not None and value.lower() == other.lower()


def _text(value: Any) -> str:
    return MISSING if value is None or value == "" else str(value)
