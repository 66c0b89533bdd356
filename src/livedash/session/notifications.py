"""A bounded queue of user-facing notifications (toasts), drained by the UI tick.

Concurrency: the pump thread (acknowledgements, timeouts) and the UI thread push; the
UI thread drains. One lock guards the deque and the counters. When the queue is full the
oldest notification is dropped (and counted): a session that was hidden for an hour
should see the latest outcomes, not the first ones.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

MAX_NOTIFICATIONS = 50


class NotificationLevel(StrEnum):
    SUCCESS = "success"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Notification:
    """One toast: ``title`` is short (what the command was), ``message`` says how it went."""

    level: NotificationLevel
    title: str
    message: str
    created_at: float


class NotificationQueue:
    """Bounded FIFO of :class:`Notification` (see the module docstring)."""

    def __init__(self, *, max_size: int = MAX_NOTIFICATIONS) -> None:
        if max_size < 1:
            raise ValueError(f"max_size must be at least 1, got {max_size!r}")
        self._lock = threading.Lock()
        self._queue: deque[Notification] = deque(maxlen=max_size)
        self._pushed = 0
        self._dropped = 0

    def push(self, notification: Notification) -> None:
        with self._lock:
            if len(self._queue) == self._queue.maxlen:
                self._dropped += 1
            self._queue.append(notification)
            self._pushed += 1

    def drain(self) -> list[Notification]:
        """Every queued notification, oldest first; the queue is empty afterwards."""
        with self._lock:
            items = list(self._queue)
            self._queue.clear()
            return items

    def __len__(self) -> int:
        with self._lock:
            return len(self._queue)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"pushed": self._pushed, "dropped": self._dropped, "queued": len(self._queue)}
