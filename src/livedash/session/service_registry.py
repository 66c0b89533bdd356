"""Liveness of backend services, dashboard workers and dashboard sessions.

Every ServiceStatus heartbeat on the status topic is recorded under its ``service_id``
(``instrument:service_name:worker_id``) with the local receipt time (PROTOCOL.md 5.3,
12.2). An entry is *stale* when nothing arrived for ``stale_after_s`` (30 s) unless its
last state was ``stopped``. ``stream_stats`` is sticky: the last non-null value is kept.

Pruning (:meth:`prune`, called periodically by the pump):

- stopped or stale entries are kept at most ``keep_inactive`` (3) per
  (instrument, service_name), the most recently heard first, as upstream does;
- dashboard sessions come and go with browser tabs, so a session entry is also dropped
  ``session_stopped_retention_s`` (10 s) after its final ``stopped`` heartbeat, and
  ``session_stale_retention_s`` (120 s) after it was last heard from;
- at most ``max_entries`` entries are kept in all; beyond that the least recently heard
  entry goes, so a flood of invented service ids cannot grow memory without bound.

Three views split the entries: backend services (everything that is not a dashboard),
dashboard workers (``service_name == "dashboard"``) and dashboard sessions
(``"dashboard_session"``, linked to their worker by ``dashboard["worker_id"]``).

Concurrency: the pump thread calls :meth:`on_service_status` and :meth:`prune`; the UI
thread calls the views. One lock guards the entries and the version; entries are
immutable snapshots, so views can be handed out without copying.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..protocol.status import ServiceState, ServiceStatus, StreamStats

SERVICE_STALE_AFTER_S = 30.0
KEEP_INACTIVE_PER_SERVICE = 3
SESSION_STOPPED_RETENTION_S = 10.0
SESSION_STALE_RETENTION_S = 120.0
MAX_ENTRIES = 1000
DASHBOARD_WORKER = "dashboard"
DASHBOARD_SESSION = "dashboard_session"
# The key of a session heartbeat's ``dashboard`` dict naming the worker that hosts it.
WORKER_ID_KEY = "worker_id"


@dataclass(frozen=True)
class ServiceEntry:
    """What is known about one service instance; ``received_at`` is on the local clock."""

    status: ServiceStatus
    stream_stats: StreamStats | None
    host_name: str | None
    process_id: int | None
    first_seen_at: float
    received_at: float
    stale: bool = False

    @property
    def service_id(self) -> str:
        return self.status.service_id

    @property
    def inactive(self) -> bool:
        """Stale or stopped: a candidate for pruning."""
        return self.stale or self.status.state is ServiceState.STOPPED

    @property
    def worker_id(self) -> str | None:
        """For a dashboard session: the worker uuid from its ``dashboard`` details."""
        value = (self.status.dashboard or {}).get(WORKER_ID_KEY)
        return value if isinstance(value, str) else None

    def seen_ago_s(self, now: float) -> float:
        return max(0.0, now - self.received_at)


class ServiceRegistry:
    """ServiceStatus heartbeats -> liveness views (see the module docstring)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        stale_after_s: float = SERVICE_STALE_AFTER_S,
        keep_inactive: int = KEEP_INACTIVE_PER_SERVICE,
        session_stopped_retention_s: float = SESSION_STOPPED_RETENTION_S,
        session_stale_retention_s: float = SESSION_STALE_RETENTION_S,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        if keep_inactive < 0 or max_entries < 1:
            raise ValueError(
                f"keep_inactive must be >= 0 and max_entries >= 1, "
                f"got {keep_inactive!r}, {max_entries!r}"
            )
        self._clock = clock
        self._stale_after_s = stale_after_s
        self._keep_inactive = keep_inactive
        self._session_stopped_retention_s = session_stopped_retention_s
        self._session_stale_retention_s = session_stale_retention_s
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[str, ServiceEntry] = {}
        self._version = 0

    @property
    def version(self) -> int:
        with self._lock:
            return self._version

    def on_service_status(
        self, status: ServiceStatus, *, host_name: str | None = None, process_id: int | None = None
    ) -> None:
        """Record one heartbeat (envelope host and pid are kept for display)."""
        now = self._clock()
        with self._lock:
            previous = self._entries.get(status.service_id)
            sticky = status.stream_stats
            if sticky is None and previous is not None:
                sticky = previous.stream_stats
            self._entries[status.service_id] = ServiceEntry(
                status=status,
                stream_stats=sticky,
                host_name=host_name,
                process_id=process_id,
                first_seen_at=now if previous is None else previous.first_seen_at,
                received_at=now,
            )
            self._enforce_cap()
            self._version += 1

    def prune(self) -> None:
        """Mark stale entries and drop what the retention rules say (module docstring)."""
        now = self._clock()
        with self._lock:
            before = dict(self._entries)
            for service_id, entry in before.items():
                stale = (
                    entry.status.state is not ServiceState.STOPPED
                    and now - entry.received_at > self._stale_after_s
                )
                if stale != entry.stale:
                    self._entries[service_id] = dataclasses.replace(entry, stale=stale)
            self._drop_old_sessions(now)
            self._cap_inactive()
            self._enforce_cap()
            if self._entries != before:
                self._version += 1

    def backend_services(self) -> list[ServiceEntry]:
        """Every entry that is not a livedash dashboard worker or session."""
        return self._select(lambda e: e.status.service_name not in _DASHBOARD_NAMES)

    def dashboard_workers(self) -> list[ServiceEntry]:
        return self._select(lambda e: e.status.service_name == DASHBOARD_WORKER)

    def dashboard_sessions(self, worker_id: str | None = None) -> list[ServiceEntry]:
        """Dashboard sessions, optionally only those hosted by ``worker_id``."""
        return self._select(
            lambda e: (
                e.status.service_name == DASHBOARD_SESSION
                and (worker_id is None or e.worker_id == worker_id)
            )
        )

    def _select(self, keep: Callable[[ServiceEntry], bool]) -> list[ServiceEntry]:
        with self._lock:
            entries = [e for e in self._entries.values() if keep(e)]
        return sorted(
            entries,
            key=lambda e: (e.status.instrument, e.status.service_name, e.status.worker_id),
        )

    def _drop_old_sessions(self, now: float) -> None:
        for service_id, entry in list(self._entries.items()):
            if entry.status.service_name != DASHBOARD_SESSION:
                continue
            silent = now - entry.received_at
            stopped = entry.status.state is ServiceState.STOPPED
            if (stopped and silent > self._session_stopped_retention_s) or (
                silent > self._session_stale_retention_s
            ):
                del self._entries[service_id]

    def _cap_inactive(self) -> None:
        groups: dict[tuple[str, str], list[ServiceEntry]] = {}
        for entry in self._entries.values():
            if entry.inactive:
                key = (entry.status.instrument, entry.status.service_name)
                groups.setdefault(key, []).append(entry)
        for entries in groups.values():
            entries.sort(key=lambda e: e.received_at, reverse=True)
            for entry in entries[self._keep_inactive :]:
                del self._entries[entry.service_id]

    def _enforce_cap(self) -> None:
        excess = len(self._entries) - self._max_entries
        if excess <= 0:
            return
        oldest = sorted(self._entries.values(), key=lambda e: e.received_at)[:excess]
        for entry in oldest:
            del self._entries[entry.service_id]


_DASHBOARD_NAMES = frozenset({DASHBOARD_WORKER, DASHBOARD_SESSION})
