"""The commands this session is waiting on, and the toasts their acknowledgements raise.

A command batch sent with one ``message_id`` expects ``expected_count`` acks (one per
WorkflowConfig or JobCommand sharing the id, PROTOCOL.md 3.3 and 4). ACK and ERR replies
are counted until ``acks + errors >= expected_count``; then one notification is pushed:
success, error (with the backend's messages) or partial success. Acks whose message_id
this session did not register are ignored (and counted), so a toast appears only in the
session that sent the command. An entry with no complete answer after ``timeout_s``
(30 s) expires with the error "no response from backend (timed out after 30s)".

Acks drive user feedback only, never job state (ADR 0008 upstream).

Concurrency: the UI thread registers (through the orchestrator); the pump thread calls
:meth:`on_ack` and :meth:`expire`. One lock guards the table; notifications are pushed
after the lock is released.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from ..protocol.acks import Acknowledgement, AckResponse
from .notifications import Notification, NotificationLevel, NotificationQueue

PENDING_COMMAND_TIMEOUT_S = 30.0
MAX_PENDING = 256

logger = structlog.get_logger(__name__)


def timeout_message(timeout_s: float) -> str:
    return f"no response from backend (timed out after {timeout_s:g}s)"


@dataclass
class _Pending:
    description: str
    expected: int
    sent_at: float
    acks: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return self.acks + len(self.errors)


class PendingCommands:
    """message_id -> expected acks -> a notification (see the module docstring)."""

    def __init__(
        self,
        *,
        notifications: NotificationQueue,
        clock: Callable[[], float] = time.monotonic,
        timeout_s: float = PENDING_COMMAND_TIMEOUT_S,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self._notifications = notifications
        self._clock = clock
        self._timeout_s = timeout_s
        self._max_pending = max_pending
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._ignored = 0

    def register(self, message_id: str, *, expected_count: int, description: str) -> None:
        """Wait for ``expected_count`` acks of ``message_id``."""
        if expected_count < 1:
            raise ValueError(f"expected_count must be at least 1, got {expected_count!r}")
        with self._lock:
            if message_id in self._pending:
                raise ValueError(f"message_id {message_id!r} is already pending")
            if len(self._pending) >= self._max_pending:
                # Oldest first: its timeout is nearest anyway.
                oldest = next(iter(self._pending))
                del self._pending[oldest]
                logger.warning(
                    "pending_command_evicted", message_id=oldest, limit=self._max_pending
                )
            self._pending[message_id] = _Pending(
                description=description, expected=expected_count, sent_at=self._clock()
            )

    def on_ack(self, ack: Acknowledgement) -> bool:
        """Count one reply; False if its message_id is not this session's (ignored)."""
        with self._lock:
            entry = self._pending.get(ack.message_id)
            if entry is None:
                self._ignored += 1
                return False
            if ack.response is AckResponse.ACK:
                entry.acks += 1
            else:
                entry.errors.append(ack.message or f"{ack.device}: error without message")
            done = entry.answered >= entry.expected
            if done:
                del self._pending[ack.message_id]
        if done:
            self._notifications.push(self._outcome(entry))
        return True

    def expire(self) -> None:
        """Expire entries older than ``timeout_s`` with a timeout error."""
        now = self._clock()
        with self._lock:
            expired = [
                (message_id, entry)
                for message_id, entry in self._pending.items()
                if now - entry.sent_at >= self._timeout_s
            ]
            for message_id, _ in expired:
                del self._pending[message_id]
        for _, entry in expired:
            message = timeout_message(self._timeout_s)
            if entry.answered:
                message += f"; {entry.answered} of {entry.expected} answered"
            self._notifications.push(
                Notification(NotificationLevel.ERROR, entry.description, message, now)
            )

    def discard(self, message_id: str) -> None:
        """Forget ``message_id`` without a notification (its command was never sent)."""
        with self._lock:
            self._pending.pop(message_id, None)

    def pending_ids(self) -> list[str]:
        with self._lock:
            return list(self._pending)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"pending": len(self._pending), "ignored_acks": self._ignored}

    def _outcome(self, entry: _Pending) -> Notification:
        now = self._clock()
        # Several services may answer one command with the same text (pause/resume).
        texts = "; ".join(dict.fromkeys(entry.errors))
        if not entry.errors:
            return Notification(NotificationLevel.SUCCESS, entry.description, "done", now)
        if entry.acks == 0:
            return Notification(NotificationLevel.ERROR, entry.description, texts, now)
        message = f"partial success: {entry.acks} of {entry.answered} succeeded; {texts}"
        return Notification(NotificationLevel.WARNING, entry.description, message, now)
