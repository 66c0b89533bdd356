"""Show this session's notifications (command outcomes) as toasts.

:class:`NotificationPresenter` drains the session's :class:`NotificationQueue` on every
refresh and calls ``notify(level, text)`` once per notification, oldest first. A tab that
was hidden for a while can find many queued; then only the newest ``max_per_refresh - 1``
are shown, after one summary line saying how many earlier ones were skipped, so the
operator is not buried in toasts. A failing ``notify`` is logged and never raised into
Panel. :func:`panel_toast` is the ``notify`` for a served page: Panel's notification
area shows toasts only in the session whose callback raised them.

Concurrency: the session's UI thread calls :meth:`refresh`; the queue has its own lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import panel as pn
import structlog

from ..session.notifications import Notification, NotificationLevel

logger = structlog.get_logger(__name__)

MAX_PER_REFRESH = 5
# Toast durations in ms: errors stay until dismissed; successes are brief.
TOAST_DURATION_MS = {
    NotificationLevel.SUCCESS: 4000,
    NotificationLevel.INFO: 5000,
    NotificationLevel.WARNING: 10000,
    NotificationLevel.ERROR: 0,
}

Notify = Callable[[NotificationLevel, str], None]


class NotificationSource(Protocol):
    def drain(self) -> list[Notification]: ...


def notification_text(notification: Notification) -> str:
    """``"Start Monitor histogram: acknowledged by 2 of 2"``; the title alone if no message."""
    title, message = notification.title.strip(), notification.message.strip()
    if title and message:
        return f"{title}: {message}"
    return title or message


class NotificationPresenter:
    """Queue -> ``notify`` calls (see the module docstring)."""

    def __init__(
        self, *, queue: NotificationSource, notify: Notify, max_per_refresh: int = MAX_PER_REFRESH
    ) -> None:
        if max_per_refresh < 2:
            raise ValueError(f"max_per_refresh must be at least 2, got {max_per_refresh!r}")
        self._queue = queue
        self._notify = notify
        self._max = max_per_refresh
        self._closed = False
        self.shown = 0
        self.skipped = 0

    def refresh(self) -> None:
        """Show what was queued since the last refresh (nothing to do is cheap)."""
        if self._closed:
            return
        pending = self._queue.drain()
        if not pending:
            return
        if len(pending) > self._max:
            keep = self._max - 1
            skipped = len(pending) - keep
            self.skipped += skipped
            self._show(NotificationLevel.INFO, f"{skipped} earlier notifications not shown")
            pending = pending[-keep:]
        for notification in pending:
            self._show(notification.level, notification_text(notification))

    def close(self) -> None:
        """Show nothing more (idempotent)."""
        self._closed = True

    def _show(self, level: NotificationLevel, text: str) -> None:
        try:
            self._notify(level, text)
        except Exception:  # a toast must never break the session's refresh
            logger.exception("notification_failed", level=level.value, text=text)
            return
        self.shown += 1


def panel_toast(level: NotificationLevel, text: str) -> None:
    """Show ``text`` as a toast in the current Panel session (no-op outside one)."""
    area = pn.state.notifications
    if area is None:
        return
    show = getattr(area, level.value, area.info)
    show(text, duration=TOAST_DURATION_MS.get(level, 5000))
