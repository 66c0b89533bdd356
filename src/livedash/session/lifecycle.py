"""The lifecycle of a session stack as explicit state with guarded transitions.

``CREATED -> RUNNING -> CLOSED``, plus ``FAILED`` when the pump ended on a fatal error
(``RUNNING -> FAILED -> CLOSED``); ``CREATED -> CLOSED`` for a stack closed before it
started. CLOSED is final.

Concurrency: any thread may read or transition; one lock guards the state.
"""

from __future__ import annotations

import threading
from enum import StrEnum

from .errors import SessionClosedError


class StackState(StrEnum):
    CREATED = "created"
    RUNNING = "running"
    FAILED = "failed"
    CLOSED = "closed"


_ALLOWED = {
    StackState.CREATED: frozenset({StackState.RUNNING, StackState.CLOSED}),
    StackState.RUNNING: frozenset({StackState.FAILED, StackState.CLOSED}),
    StackState.FAILED: frozenset({StackState.CLOSED}),
    StackState.CLOSED: frozenset(),
}


class LifecycleError(RuntimeError):
    """A transition that the lifecycle does not allow (a programming error)."""


class Lifecycle:
    """The current :class:`StackState` and its guarded transitions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = StackState.CREATED

    @property
    def state(self) -> StackState:
        with self._lock:
            return self._state

    def transition(self, target: StackState) -> StackState:
        """Move to ``target``; returns the previous state.

        Raises :class:`SessionClosedError` when already closed and
        :class:`LifecycleError` for any other transition not allowed.
        """
        with self._lock:
            previous = self._state
            if target not in _ALLOWED[previous]:
                if previous is StackState.CLOSED:
                    raise SessionClosedError("the session is closed")
                raise LifecycleError(f"cannot go from {previous} to {target}")
            self._state = target
            return previous

    def fail(self) -> bool:
        """RUNNING -> FAILED; False (no change) from any other state."""
        with self._lock:
            if self._state is not StackState.RUNNING:
                return False
            self._state = StackState.FAILED
            return True

    def close(self) -> bool:
        """Move to CLOSED; False if it was closed already (so close() is idempotent)."""
        with self._lock:
            if self._state is StackState.CLOSED:
                return False
            self._state = StackState.CLOSED
            return True

    def require_open(self) -> None:
        """Raise :class:`SessionClosedError` once closed."""
        if self.state is StackState.CLOSED:
            raise SessionClosedError("the session is closed")
