"""The process-level state of one dashboard worker: identity, live sessions, draining.

These are the only mutable objects a worker shares between its sessions
(ARCHITECTURE.md, "Processes"): the worker's identity, a registry that counts its live
sessions (for the worker heartbeat, the health endpoint and shutdown) and two flags:

- *draining*: the entry point refuses new sessions (nginx then picks another worker);
  existing sessions keep working. Toggled by ``POST /admin/drain`` / ``undrain`` and SIGUSR1.
- *stopping*: the worker is shutting down; it accepts nothing new and closes its sessions.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

S = TypeVar("S")

_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)*$")


def normalize_prefix(prefix: str) -> str:
    """``''`` or a path like ``/w/0`` (leading slash, no trailing slash).

    Raises ``ValueError`` for anything else (spaces, ``?``, ``..`` segments ...), because
    the prefix ends up in URL routes and redirects.
    """
    text = prefix.strip()
    if text in ("", "/"):
        return ""
    text = "/" + text.strip("/")
    if not _PREFIX.match(text) or any(part in (".", "..") for part in text.split("/")):
        raise ValueError(f"prefix must be a URL path such as /w/0, got {prefix!r}")
    return text


def _uuid_text(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise ValueError(f"worker_id must be a UUID string, got {value!r}") from None


class SessionRegistry(Generic[S]):
    """The live sessions of this worker, by session id, in registration order.

    A session is registered when its page is first requested and unregistered once its
    stack is closed, so the count covers sessions that are still connecting.

    Concurrency: sessions register on the IOLoop and unregister from executor threads;
    one lock guards the dict. Methods return copies and never call session code while
    holding the lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, S] = {}
        self._ended = 0

    def register(self, session_id: str, session: S) -> None:
        """Add a session; ``ValueError`` if the id is already registered."""
        with self._lock:
            if session_id in self._sessions:
                raise ValueError(f"session {session_id!r} is already registered")
            self._sessions[session_id] = session

    def unregister(self, session_id: str) -> bool:
        """Remove a session; False if it was not registered (so this is idempotent)."""
        with self._lock:
            removed = self._sessions.pop(session_id, None) is not None
            self._ended += removed
            return removed

    @property
    def ended(self) -> int:
        """How many sessions were unregistered so far (only ever grows)."""
        with self._lock:
            return self._ended

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._sessions)

    def sessions(self) -> list[S]:
        with self._lock:
            return list(self._sessions.values())

    def count(self) -> int:
        with self._lock:
            return len(self._sessions)

    def __contains__(self, session_id: object) -> bool:
        with self._lock:
            return session_id in self._sessions


class WorkerRuntime(Generic[S]):
    """Identity, session registry and flags of this worker process.

    ``worker_id`` is a uuid4 minted here (at process start) unless given. ``started_at``
    is wall-clock nanoseconds (it goes into heartbeats); uptime uses the monotonic clock.

    Concurrency: the flags are read from the IOLoop and executor threads and written from
    the IOLoop (HTTP handlers, signals); one lock guards them. The registry has its own.
    """

    def __init__(
        self,
        *,
        worker_index: int,
        port: int,
        prefix: str = "",
        public_url: str | None = None,
        worker_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        if worker_index < 0:
            raise ValueError(f"worker_index must not be negative, got {worker_index!r}")
        if not 0 < port < 65536:
            raise ValueError(f"port must be within 1..65535, got {port!r}")
        self.worker_id = _uuid_text(worker_id) if worker_id else str(uuid.uuid4())
        self.worker_index = worker_index
        self.port = port
        self.prefix = normalize_prefix(prefix)
        self.public_url = public_url
        self.started_at = wall_ns()
        self.registry: SessionRegistry[S] = SessionRegistry()
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()
        self._draining = False
        self._stopping = False

    def uptime_s(self) -> float:
        return self._clock() - self._started

    @property
    def draining(self) -> bool:
        with self._lock:
            return self._draining

    @property
    def stopping(self) -> bool:
        with self._lock:
            return self._stopping

    @property
    def accepting(self) -> bool:
        """Whether the entry point hands out new sessions (neither draining nor stopping)."""
        with self._lock:
            return not (self._draining or self._stopping)

    def set_draining(self, draining: bool) -> bool:
        """Set the draining flag; True if that changed it."""
        with self._lock:
            changed = self._draining != draining
            self._draining = draining
            return changed

    def toggle_draining(self) -> bool:
        """Flip the draining flag (SIGUSR1); returns the new value."""
        with self._lock:
            self._draining = not self._draining
            return self._draining

    def begin_stopping(self) -> bool:
        """Mark the worker as shutting down; True the first time only."""
        with self._lock:
            first = not self._stopping
            self._stopping = True
            return first
