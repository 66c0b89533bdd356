"""NotificationPresenter: the session's queue -> toasts."""

from __future__ import annotations

import panel as pn
import pytest
from structlog.testing import capture_logs

from livedash.session.notifications import Notification, NotificationLevel, NotificationQueue
from livedash.ui.notifications import NotificationPresenter, notification_text, panel_toast

Shown = list[tuple[NotificationLevel, str]]


def note(level: NotificationLevel, title: str, message: str = "done") -> Notification:
    return Notification(level=level, title=title, message=message, created_at=0.0)


def presenter(queue: NotificationQueue, shown: Shown, **kwargs: int) -> NotificationPresenter:
    return NotificationPresenter(
        queue=queue, notify=lambda level, text: shown.append((level, text)), **kwargs
    )


def test_queued_notifications_are_shown_once_in_order() -> None:
    queue, shown = NotificationQueue(), []
    view = presenter(queue, shown)
    queue.push(note(NotificationLevel.SUCCESS, "Start Panel 0"))
    queue.push(note(NotificationLevel.ERROR, "Reset Readings", "cannot be reset"))
    view.refresh()
    view.refresh()
    assert shown == [
        (NotificationLevel.SUCCESS, "Start Panel 0: done"),
        (NotificationLevel.ERROR, "Reset Readings: cannot be reset"),
    ]
    assert len(queue) == 0


def test_nothing_queued_shows_nothing() -> None:
    shown: Shown = []
    presenter(NotificationQueue(), shown).refresh()
    assert shown == []


def test_a_backlog_is_summarised_and_the_newest_are_shown() -> None:
    queue, shown = NotificationQueue(), []
    view = presenter(queue, shown, max_per_refresh=3)
    for i in range(6):
        queue.push(note(NotificationLevel.SUCCESS, f"Start {i}"))
    view.refresh()
    assert shown == [
        (NotificationLevel.INFO, "4 earlier notifications not shown"),
        (NotificationLevel.SUCCESS, "Start 4: done"),
        (NotificationLevel.SUCCESS, "Start 5: done"),
    ]
    assert view.skipped == 4


def test_a_failing_notify_is_logged_and_the_rest_are_still_shown() -> None:
    queue = NotificationQueue()
    shown: list[str] = []

    def notify(level: NotificationLevel, text: str) -> None:
        if "bad" in text:
            raise RuntimeError("toast area gone")
        shown.append(text)

    view = NotificationPresenter(queue=queue, notify=notify)
    queue.push(note(NotificationLevel.INFO, "bad"))
    queue.push(note(NotificationLevel.INFO, "good"))
    with capture_logs() as logs:
        view.refresh()
    assert shown == ["good: done"]
    assert [entry["event"] for entry in logs] == ["notification_failed"]


def test_a_closed_presenter_shows_nothing() -> None:
    queue, shown = NotificationQueue(), []
    view = presenter(queue, shown)
    view.close()
    view.close()
    queue.push(note(NotificationLevel.SUCCESS, "Start"))
    view.refresh()
    assert shown == []


def test_the_text_joins_title_and_message() -> None:
    assert notification_text(note(NotificationLevel.INFO, "Stop X", "")) == "Stop X"
    assert notification_text(note(NotificationLevel.INFO, "", "only message")) == "only message"


def test_max_per_refresh_must_leave_room_for_the_summary() -> None:
    with pytest.raises(ValueError, match="max_per_refresh"):
        NotificationPresenter(queue=NotificationQueue(), notify=lambda *_: None, max_per_refresh=1)


class FakeArea:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []

    def __getattr__(self, level: str):
        return lambda text, duration: self.calls.append((level, text, duration))


def test_panel_toast_uses_the_session_notification_area(monkeypatch) -> None:
    area = FakeArea()
    monkeypatch.setattr(type(pn.state), "notifications", property(lambda _self: area))
    panel_toast(NotificationLevel.ERROR, "backend refused")
    panel_toast(NotificationLevel.SUCCESS, "started")
    assert area.calls == [("error", "backend refused", 0), ("success", "started", 4000)]


def test_panel_toast_without_a_notification_area_does_nothing(monkeypatch) -> None:
    monkeypatch.setattr(type(pn.state), "notifications", property(lambda _self: None))
    panel_toast(NotificationLevel.ERROR, "nobody is looking")
