from __future__ import annotations

from livedash.session.notifications import Notification, NotificationLevel, NotificationQueue


def note(index: int) -> Notification:
    return Notification(NotificationLevel.INFO, f"n{index}", "m", float(index))


def test_drain_returns_oldest_first_and_empties() -> None:
    queue = NotificationQueue()
    queue.push(note(1))
    queue.push(note(2))
    assert [n.title for n in queue.drain()] == ["n1", "n2"]
    assert queue.drain() == []


def test_full_queue_drops_the_oldest() -> None:
    queue = NotificationQueue(max_size=2)
    for index in range(3):
        queue.push(note(index))
    assert [n.title for n in queue.drain()] == ["n1", "n2"]
    assert queue.stats()["dropped"] == 1
