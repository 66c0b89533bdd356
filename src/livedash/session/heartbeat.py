"""The session's own heartbeat on the status topic (PROTOCOL.md 12.2).

An x5f2 ServiceStatus with ``service_name = "dashboard_session"`` and ``worker_id`` =
the session uuid, so ``service_id = "{inst}:dashboard_session:{session_uuid}"``.
``active_job_count`` is the number of running workflows the session shows. The extra
``dashboard`` dict carries:

- ``role``: ``"session"``; ``worker_id``: the uuid of the hosting worker process;
- ``host``, ``pid``: where the worker runs;
- ``client``, ``user``: the browser's address and user name, when known;
- ``visible``: whether the tab reported itself visible at its last browser heartbeat;
- ``browser_heartbeat_age_s``: seconds since the last browser heartbeat (None: never);
- ``plots``: how many plots the session shows.

It is published every ``interval_s`` (2 s) from the pump thread's tick
(:meth:`maybe_publish`, no thread of its own) through the session's producer, and once
more with ``state = "stopped"`` when the session is closed (:meth:`publish_stopped`).

Concurrency: the pump thread calls :meth:`maybe_publish`; the UI thread reports browser
facts; :meth:`publish_stopped` runs in ``close()`` after the pump has stopped. One lock
guards the browser facts and the send bookkeeping; messages are produced outside it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import structlog

from ..kafka.transport import MessageSink
from ..protocol.status import (
    ServiceState,
    ServiceStatus,
    dashboard_session_status,
    encode_service_status,
)
from .service_registry import WORKER_ID_KEY

logger = structlog.get_logger(__name__)

HEARTBEAT_INTERVAL_S = 2.0


class SessionHeartbeat:
    """Builds and publishes this session's ServiceStatus (see the module docstring)."""

    def __init__(
        self,
        *,
        sink: MessageSink,
        topic: str,
        instrument: str,
        session_id: str,
        worker_id: str,
        running_workflows: Callable[[], int],
        clock: Callable[[], float] = time.monotonic,
        wall_ns: Callable[[], int] = time.time_ns,
        host_name: str | None = None,
        process_id: int | None = None,
        interval_s: float = HEARTBEAT_INTERVAL_S,
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, got {interval_s!r}")
        self._sink = sink
        self._topic = topic
        self._instrument = instrument
        self._session_id = session_id
        self._worker_id = worker_id
        self._running_workflows = running_workflows
        self._clock = clock
        self._host_name = socket.gethostname() if host_name is None else host_name
        self._process_id = os.getpid() if process_id is None else process_id
        self._interval_s = interval_s
        self._started_at = wall_ns()
        self._lock = threading.Lock()
        self._last_sent: float | None = None
        self._stopped = False
        self._sent = 0
        self._client: str | None = None
        self._user: str | None = None
        self._visible = True
        self._last_browser_beat: float | None = None
        self._plots = 0
        # Fail now, not on the first tick, if the ids are not UUIDs.
        self.status()

    @property
    def sent(self) -> int:
        with self._lock:
            return self._sent

    def set_client(self, *, client_address: str | None, user: str | None) -> None:
        with self._lock:
            self._client, self._user = client_address, user

    def browser_heartbeat(self, *, visible: bool) -> None:
        """The browser reported it is alive (and whether the tab is visible)."""
        with self._lock:
            self._visible = visible
            self._last_browser_beat = self._clock()

    def set_plots_shown(self, count: int) -> None:
        if count < 0:
            raise ValueError(f"count must not be negative, got {count!r}")
        with self._lock:
            self._plots = count

    def status(self, state: ServiceState = ServiceState.RUNNING) -> ServiceStatus:
        """The heartbeat this session would send now."""
        with self._lock:
            details = self._details()
        return dashboard_session_status(
            instrument=self._instrument,
            session_id=self._session_id,
            state=state,
            started_at=self._started_at,
            workflow_count=self._running_workflows(),
            details=details,
        )

    def maybe_publish(self) -> bool:
        """Publish a ``running`` heartbeat if ``interval_s`` has passed since the last one."""
        now = self._clock()
        with self._lock:
            due = not self._stopped and (
                self._last_sent is None or now - self._last_sent >= self._interval_s
            )
            if due:
                self._last_sent = now
        if due:
            self._send(self.status(ServiceState.RUNNING))
        return due

    def publish_stopped(self) -> bool:
        """Publish the final ``stopped`` heartbeat, once; later calls do nothing."""
        with self._lock:
            if self._stopped:
                return False
            self._stopped = True
        self._send(self.status(ServiceState.STOPPED))
        return True

    def _send(self, status: ServiceStatus) -> None:
        value = encode_service_status(
            status, host_name=self._host_name, process_id=self._process_id
        )
        self._sink.produce(self._topic, value)
        with self._lock:
            self._sent += 1

    def _details(self) -> dict[str, Any]:
        age = None if self._last_browser_beat is None else self._clock() - self._last_browser_beat
        return {
            WORKER_ID_KEY: self._worker_id,
            "host": self._host_name,
            "pid": self._process_id,
            "client": self._client,
            "user": self._user,
            "visible": self._visible,
            "browser_heartbeat_age_s": None if age is None else round(max(0.0, age), 3),
            "plots": self._plots,
        }
