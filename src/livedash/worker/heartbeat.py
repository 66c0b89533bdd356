"""The worker's own heartbeat on the status topic (PROTOCOL.md 12.2).

An x5f2 ServiceStatus with ``service_name = "dashboard"`` and ``worker_id`` = the worker's
uuid, so ``service_id = "{inst}:dashboard:{worker_uuid}"``; ``active_job_count`` is the
number of live sessions. The ``dashboard`` extra carries ``role = "worker"``, the worker
index, host, pid, port, URL prefix and public URL, the session ids, RSS bytes, CPU
percent, thread count and the draining flag.

It is published every ``interval_s`` (2 s) by a tornado ``PeriodicCallback`` on the
IOLoop (:meth:`WorkerHeartbeat.start`) through the worker's own producer, never a
session's, and once more with ``state = "stopped"`` by :meth:`WorkerHeartbeat.stop`,
which then closes the producer. A heartbeat that cannot be sent is counted and logged
once per error type; the worker keeps serving.

Concurrency: everything runs on the IOLoop thread except in tests, which call
:meth:`publish` directly; one lock guards the counters and the stopped flag.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any, Protocol

import structlog
from tornado.ioloop import PeriodicCallback

from ..kafka.transport import MessageSink
from ..protocol.status import (
    ServiceState,
    ServiceStatus,
    dashboard_worker_status,
    encode_service_status,
)
from .metrics import ProcessSample
from .runtime import WorkerRuntime

logger = structlog.get_logger(__name__)

HEARTBEAT_INTERVAL_S = 2.0
CLOSE_TIMEOUT_S = 5.0


class MetricsSource(Protocol):
    def sample(self) -> ProcessSample: ...


class WorkerHeartbeat:
    """Builds and publishes the worker's ServiceStatus (see the module docstring)."""

    def __init__(
        self,
        *,
        runtime: WorkerRuntime[Any],
        sink: MessageSink,
        topic: str,
        instrument: str,
        metrics: MetricsSource,
        interval_s: float = HEARTBEAT_INTERVAL_S,
        host_name: str | None = None,
        process_id: int | None = None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be positive, got {interval_s!r}")
        self._runtime = runtime
        self._sink = sink
        self._topic = topic
        self._instrument = instrument
        self._metrics = metrics
        self._interval_s = interval_s
        self._host_name = socket.gethostname() if host_name is None else host_name
        self._process_id = os.getpid() if process_id is None else process_id
        self._lock = threading.Lock()
        self._sent = 0
        self._failed: dict[str, int] = {}
        self._stopped = False
        self._callback: PeriodicCallback | None = None

    @property
    def sent(self) -> int:
        with self._lock:
            return self._sent

    @property
    def failures(self) -> dict[str, int]:
        with self._lock:
            return dict(self._failed)

    def status(self, state: ServiceState = ServiceState.RUNNING) -> ServiceStatus:
        """The heartbeat the worker would send now."""
        runtime = self._runtime
        sample = self._metrics.sample()
        return dashboard_worker_status(
            instrument=self._instrument,
            worker_id=runtime.worker_id,
            state=state,
            started_at=runtime.started_at,
            session_count=runtime.registry.count(),
            details={
                "worker_index": runtime.worker_index,
                "host": self._host_name,
                "pid": self._process_id,
                "port": runtime.port,
                "prefix": runtime.prefix,
                "url": runtime.public_url,
                "sessions": runtime.registry.ids(),
                "rss_bytes": sample.rss_bytes,
                "cpu_percent": sample.cpu_percent,
                "threads": sample.threads,
                "draining": runtime.draining,
            },
        )

    def publish(self, state: ServiceState = ServiceState.RUNNING) -> bool:
        """Send one heartbeat now; False (counted, logged once per error) if it failed."""
        try:
            value = encode_service_status(
                self.status(state), host_name=self._host_name, process_id=self._process_id
            )
            self._sink.produce(self._topic, value)
        except Exception as exc:  # noqa: BLE001 - a lost heartbeat must not stop the worker
            name = type(exc).__name__
            with self._lock:
                count = self._failed.get(name, 0) + 1
                self._failed[name] = count
            if count == 1:
                logger.error("worker_heartbeat_failed", state=state.value, error=repr(exc))
            return False
        with self._lock:
            self._sent += 1
        return True

    def start(self) -> None:
        """Publish now and then every ``interval_s`` on the current IOLoop (idempotent)."""
        with self._lock:
            if self._callback is not None or self._stopped:
                return
            self._callback = PeriodicCallback(self._tick, self._interval_s * 1000)
        self.publish()
        self._callback.start()

    def stop(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Stop the periodic heartbeat, publish ``stopped`` once, close the producer."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            callback, self._callback = self._callback, None
        if callback is not None:
            callback.stop()
        self.publish(ServiceState.STOPPED)
        try:
            remaining = self._sink.flush(timeout_s)
            self._sink.close(timeout_s)
        except Exception:  # the worker is exiting; say so and carry on
            logger.exception("worker_heartbeat_close_failed")
            return
        logger.info("worker_heartbeat_stopped", sent=self.sent, undelivered=remaining)

    def _tick(self) -> None:
        with self._lock:
            if self._stopped:
                return
        self.publish()
