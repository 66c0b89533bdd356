from __future__ import annotations

import pytest

from livedash.protocol.acks import Acknowledgement, AckResponse
from livedash.session.notifications import NotificationLevel, NotificationQueue
from livedash.session.pending_commands import PendingCommands

from .fakes import FakeClock


def ack(message_id: str, response: AckResponse = AckResponse.ACK, message: str | None = None):
    return Acknowledgement(
        message_id=message_id, device="panel_0", response=response, message=message
    )


@pytest.fixture
def queue() -> NotificationQueue:
    return NotificationQueue()


@pytest.fixture
def pending(queue: NotificationQueue, clock: FakeClock) -> PendingCommands:
    return PendingCommands(notifications=queue, clock=clock)


def test_all_acks_raise_one_success(pending: PendingCommands, queue: NotificationQueue) -> None:
    pending.register("m1", expected_count=2, description="Start Panel")
    pending.on_ack(ack("m1"))
    assert queue.drain() == []
    pending.on_ack(ack("m1"))
    [note] = queue.drain()
    assert note.level is NotificationLevel.SUCCESS
    assert note.title == "Start Panel"
    assert pending.pending_ids() == []


def test_errors_carry_the_backend_messages(
    pending: PendingCommands, queue: NotificationQueue
) -> None:
    pending.register("m1", expected_count=2, description="Pause Panel")
    pending.on_ack(ack("m1", AckResponse.ERR, "Pause action not implemented yet"))
    pending.on_ack(ack("m1", AckResponse.ERR, "Pause action not implemented yet"))
    [note] = queue.drain()
    assert note.level is NotificationLevel.ERROR
    assert note.message == "Pause action not implemented yet"


def test_mixed_replies_are_a_partial_success(
    pending: PendingCommands, queue: NotificationQueue
) -> None:
    pending.register("m1", expected_count=2, description="Start Monitor")
    pending.on_ack(ack("m1"))
    pending.on_ack(ack("m1", AckResponse.ERR, "bad params"))
    [note] = queue.drain()
    assert note.level is NotificationLevel.WARNING
    assert "1 of 2" in note.message
    assert "bad params" in note.message


def test_unknown_message_id_is_ignored(pending: PendingCommands, queue: NotificationQueue) -> None:
    assert not pending.on_ack(ack("someone-else"))
    assert queue.drain() == []
    assert pending.stats()["ignored_acks"] == 1


def test_unanswered_command_times_out_after_30_s(
    pending: PendingCommands, queue: NotificationQueue, clock: FakeClock
) -> None:
    pending.register("m1", expected_count=1, description="Stop Panel")
    clock.advance(29.9)
    pending.expire()
    assert queue.drain() == []
    clock.advance(0.1)
    pending.expire()
    [note] = queue.drain()
    assert note.level is NotificationLevel.ERROR
    assert note.message == "no response from backend (timed out after 30s)"
    assert not pending.on_ack(ack("m1"))


def test_partly_answered_timeout_says_how_many_answered(
    pending: PendingCommands, queue: NotificationQueue, clock: FakeClock
) -> None:
    pending.register("m1", expected_count=2, description="Stop Monitor")
    pending.on_ack(ack("m1"))
    clock.advance(30.0)
    pending.expire()
    [note] = queue.drain()
    assert note.message.endswith("1 of 2 answered")


def test_duplicate_registration_is_refused(pending: PendingCommands) -> None:
    pending.register("m1", expected_count=1, description="x")
    with pytest.raises(ValueError, match="m1"):
        pending.register("m1", expected_count=1, description="x")
