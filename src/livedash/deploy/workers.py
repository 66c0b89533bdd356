"""Talking to dashboard workers on this host: their health document, drain and undrain.

Every worker answers ``GET /health`` with a JSON document (200 while it accepts new
sessions, 503 while draining; the body is the same) and accepts ``POST /admin/drain`` and
``/admin/undrain`` from loopback clients. These calls go straight to the worker's port,
never through nginx (which would add X-Forwarded-For and be refused).
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

_TIMEOUT_S = 2.0


class WorkerError(RuntimeError):
    """A worker could not be reached or refused a request; the message says which."""


@dataclass(frozen=True)
class WorkerHealth:
    """One worker's answer to ``GET /health`` (``reachable`` False when it did not answer)."""

    index: int
    port: int
    reachable: bool
    document: dict[str, Any]

    @property
    def healthy(self) -> bool:
        """Answering and accepting new sessions."""
        return self.reachable and self.document.get("status") == "ok"


def _request(port: int, method: str, path: str, *, timeout_s: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def fetch_health(index: int, port: int, *, timeout_s: float = _TIMEOUT_S) -> WorkerHealth:
    """Ask worker ``index`` on ``port`` for its health; never raises for a dead worker."""
    try:
        _status, body = _request(port, "GET", "/health", timeout_s=timeout_s)
        document = json.loads(body)
    except (OSError, http.client.HTTPException, ValueError):
        return WorkerHealth(index=index, port=port, reachable=False, document={})
    if not isinstance(document, dict):
        return WorkerHealth(index=index, port=port, reachable=False, document={})
    return WorkerHealth(index=index, port=port, reachable=True, document=document)


def set_draining(index: int, port: int, draining: bool, *, timeout_s: float = _TIMEOUT_S) -> bool:
    """Drain or undrain worker ``index``; True if that changed its state.

    Raises :class:`WorkerError` when the worker is down or refuses.
    """
    path = "/admin/drain" if draining else "/admin/undrain"
    try:
        status, body = _request(port, "POST", path, timeout_s=timeout_s)
    except (OSError, http.client.HTTPException) as exc:
        raise WorkerError(f"worker {index} (127.0.0.1:{port}) did not answer: {exc}") from exc
    if status != 200:
        text = body.decode("utf-8", "replace").strip()
        raise WorkerError(f"worker {index} refused {path}: HTTP {status} {text}")
    try:
        return bool(json.loads(body).get("changed", False))
    except (ValueError, AttributeError):
        return False


def wait_healthy(
    workers: Iterable[tuple[int, int]],
    *,
    timeout_s: float,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
    interval_s: float = 0.5,
) -> None:
    """Wait until every ``(index, port)`` answers /health with status ok.

    Raises :class:`WorkerError` naming the workers still not healthy after ``timeout_s``.
    """
    pending = dict(workers)
    deadline = clock() + timeout_s
    while True:
        pending = {i: p for i, p in pending.items() if not fetch_health(i, p).healthy}
        if not pending:
            return
        if clock() >= deadline:
            names = ", ".join(f"worker {i} (port {p})" for i, p in sorted(pending.items()))
            raise WorkerError(f"not healthy after {timeout_s:g} s: {names}")
        pause(interval_s)


class LocalWorkers:
    """The workers of this host, as ``livedash deploy scale`` drives them."""

    def wait_healthy(self, workers: list[tuple[int, int]], *, timeout_s: float) -> None:
        wait_healthy(workers, timeout_s=timeout_s)

    def drain(self, index: int, port: int) -> None:
        set_draining(index, port, True)

    def sessions(self, index: int, port: int) -> int:
        """Open sessions of a worker; 0 when it does not answer (nothing left to wait for)."""
        return int(fetch_health(index, port).document.get("sessions", 0))
