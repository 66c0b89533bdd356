"""The worker's plain HTTP endpoints: health, the entry redirect, drain and undrain.

- ``GET /health`` and ``GET {prefix}/health``: a JSON document (:func:`health_report`);
  200 while the worker accepts new sessions, 503 while it is draining or stopping, so a
  load balancer's health check takes it out of rotation for *new* tabs.
- ``GET /`` (only when a prefix is set): 302 to ``{prefix}/`` keeping the query string,
  or 503 while draining or stopping (nginx then tries the next worker). With an empty
  prefix the dashboard page itself is at ``/`` and draining affects only ``/health``.
- ``POST /admin/drain`` and ``POST /admin/undrain``: set or clear the draining flag.
  Accepted only from a loopback peer that was not forwarded by a proxy (403 otherwise):
  behind nginx every request arrives from 127.0.0.1, so a request carrying
  ``X-Forwarded-For``, ``X-Real-IP`` or ``Forwarded`` is treated as remote.

The handlers run on the IOLoop and only read or flip the runtime's flags.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Mapping
from typing import Any, Protocol

import structlog
from tornado.web import RequestHandler

from .metrics import ProcessSample
from .runtime import WorkerRuntime

logger = structlog.get_logger(__name__)

_PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


class CurrentMetrics(Protocol):
    def current(self) -> ProcessSample: ...


def health_report(runtime: WorkerRuntime[Any], sample: ProcessSample) -> tuple[int, dict[str, Any]]:
    """The health status code and JSON body of this worker."""
    accepting = runtime.accepting
    body: dict[str, Any] = {
        "status": "ok" if accepting else "draining",
        "worker_id": runtime.worker_id,
        "worker_index": runtime.worker_index,
        "pid": os.getpid(),
        "port": runtime.port,
        "prefix": runtime.prefix,
        "sessions": runtime.registry.count(),
        "draining": runtime.draining,
        "stopping": runtime.stopping,
        "uptime_s": round(runtime.uptime_s(), 3),
        "rss_bytes": sample.rss_bytes,
        "cpu_percent": sample.cpu_percent,
        # Debug fields: OS threads (incl. librdkafka's) and Python threads, to spot leaks.
        "threads": sample.threads,
        "python_threads": sample.python_threads,
    }
    return (200 if accepting else 503), body


def is_local_request(remote_ip: str | None, headers: Mapping[str, Any]) -> bool:
    """A loopback peer that is not a proxy forwarding someone else's request."""
    if not remote_ip:
        return False
    try:
        loopback = ipaddress.ip_address(remote_ip.split("%")[0]).is_loopback
    except ValueError:
        return False
    lowered = {str(key).lower() for key in headers}
    return loopback and not any(name in lowered for name in _PROXY_HEADERS)


class _NoCache(RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")


class HealthHandler(_NoCache):
    def initialize(self, runtime: WorkerRuntime[Any], metrics: CurrentMetrics) -> None:
        self._runtime = runtime
        self._metrics = metrics

    def get(self) -> None:
        code, body = health_report(self._runtime, self._metrics.current())
        self.set_status(code)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


class EntryHandler(_NoCache):
    """The entry point nginx sends new tabs to: redirect to this worker's prefix."""

    def initialize(self, runtime: WorkerRuntime[Any]) -> None:
        self._runtime = runtime

    def get(self) -> None:
        if not self._runtime.accepting:
            self.set_status(503)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.set_header("Retry-After", "5")
            self.finish("This dashboard worker is not accepting new sessions.\n")
            return
        query = self.request.query
        self.redirect(f"{self._runtime.prefix}/" + (f"?{query}" if query else ""), status=302)

    def head(self) -> None:
        self.get()


class DrainHandler(_NoCache):
    """Set (``drain=True``) or clear the draining flag; loopback clients only."""

    def initialize(self, runtime: WorkerRuntime[Any], drain: bool) -> None:
        self._runtime = runtime
        self._drain = drain

    def post(self) -> None:
        request = self.request
        if not is_local_request(request.remote_ip, request.headers):
            logger.warning("drain_refused", remote_ip=request.remote_ip, drain=self._drain)
            self.set_status(403)
            self.finish({"error": "drain and undrain are accepted from loopback clients only"})
            return
        changed = self._runtime.set_draining(self._drain)
        if changed:
            logger.info("worker_draining" if self._drain else "worker_undrained")
        self.finish({"draining": self._runtime.draining, "changed": changed})


def root_handlers(runtime: WorkerRuntime[Any], metrics: CurrentMetrics) -> list[tuple[Any, ...]]:
    """Tornado routes for the endpoints above, with absolute paths (not Bokeh-prefixed)."""
    health = (HealthHandler, {"runtime": runtime, "metrics": metrics})
    routes: list[tuple[Any, ...]] = [(r"/health", *health)]
    if runtime.prefix:
        routes.append((rf"{re.escape(runtime.prefix)}/health", *health))
        routes.append((r"/", EntryHandler, {"runtime": runtime}))
    routes.append((r"/admin/drain", DrainHandler, {"runtime": runtime, "drain": True}))
    routes.append((r"/admin/undrain", DrainHandler, {"runtime": runtime, "drain": False}))
    return routes
