from __future__ import annotations

import uuid

import pytest

from livedash.protocol.acks import Acknowledgement, AckResponse
from livedash.protocol.commands import JobAction, JobCommand, WorkflowConfig
from livedash.protocol.ids import JobId, WorkflowId
from livedash.session.command_observer import CommandObserver

from .fakes import MONITOR, PANEL, FakeClock


class Recorder:
    """The job and data services' side, as calls."""

    def __init__(self) -> None:
        self.stops: list[tuple[JobId | None, WorkflowId | None, bool]] = []
        self.resets: list[tuple[JobId | None, WorkflowId | None]] = []

    def on_stopped_by_command(
        self, *, job_id: JobId | None, workflow_id: WorkflowId | None, own: bool
    ) -> int:
        self.stops.append((job_id, workflow_id, own))
        return 1

    def clear_results(
        self, *, job_id: JobId | None = None, workflow_id: WorkflowId | None = None
    ) -> int:
        self.resets.append((job_id, workflow_id))
        return 1


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def observer(recorder: Recorder, clock: FakeClock) -> CommandObserver:
    return CommandObserver(jobs=recorder, results=recorder, clock=clock)


def job(source: str = "panel_0") -> JobId:
    return JobId(source_name=source, job_number=uuid.uuid4())


def stop(job_id: JobId | None, message_id: str = "m1", **kwargs) -> JobCommand:
    return JobCommand(message_id=message_id, job_id=job_id, action=JobAction.STOP, **kwargs)


def ack(message_id: str, device: str, response: AckResponse = AckResponse.ACK) -> Acknowledgement:
    message = None if response is AckResponse.ACK else "no"
    return Acknowledgement(message_id=message_id, device=device, response=response, message=message)


def test_acknowledged_stop_of_another_client_marks_its_job(
    observer: CommandObserver, recorder: Recorder
) -> None:
    target = job()
    assert observer.on_command(stop(target))
    assert observer.on_ack(ack("m1", str(target)))
    assert recorder.stops == [(target, None, False)]
    assert observer.stats()["stop_foreign"] == 1
    assert observer.stats()["stops_applied"] == 1


def test_stop_without_acknowledgement_changes_nothing(
    observer: CommandObserver, recorder: Recorder, clock: FakeClock
) -> None:
    observer.on_command(stop(job()))
    clock.advance(29.0)
    observer.expire()
    assert recorder.stops == []


def test_refused_stop_changes_nothing(observer: CommandObserver, recorder: Recorder) -> None:
    target = job()
    observer.on_command(stop(target))
    assert not observer.on_ack(ack("m1", str(target), AckResponse.ERR))
    assert recorder.stops == []
    assert observer.stats()["acks_refused"] == 1


def test_own_command_is_told_apart(observer: CommandObserver, recorder: Recorder) -> None:
    target = job()
    command = stop(target)
    observer.note_sent(command)
    observer.on_command(command)
    observer.on_ack(ack("m1", str(target)))
    assert recorder.stops == [(target, None, True)]
    assert observer.stats()["stop_own"] == 1


def test_each_ack_of_a_shared_message_id_applies_its_own_job(
    observer: CommandObserver, recorder: Recorder
) -> None:
    first, second = job("monitor1"), job("monitor2")
    observer.on_command(stop(first))
    observer.on_command(stop(second))
    observer.on_ack(ack("m1", str(second)))
    assert recorder.stops == [(second, None, False)]
    observer.on_ack(ack("m1", str(first)))
    assert recorder.stops == [(second, None, False), (first, None, False)]


def test_selector_stop_is_applied_once_for_all_its_acks(
    observer: CommandObserver, recorder: Recorder
) -> None:
    observer.on_command(stop(None, workflow_id=MONITOR))
    assert observer.on_ack(ack("m1", "all"))
    assert not observer.on_ack(ack("m1", "all"))
    assert recorder.stops == [(None, MONITOR, False)]
    assert observer.stats()["early_acks_held"] == 0


def test_acknowledged_reset_clears_results(observer: CommandObserver, recorder: Recorder) -> None:
    target = job()
    observer.on_command(JobCommand(message_id="r", job_id=target, action=JobAction.RESET))
    observer.on_command(JobCommand(message_id="w", workflow_id=PANEL, action=JobAction.RESET))
    observer.on_ack(ack("r", str(target)))
    observer.on_ack(ack("w", "all"))
    assert recorder.resets == [(target, None), (None, PANEL)]
    assert recorder.stops == []


def test_ack_delivered_before_its_command_is_applied_when_the_command_arrives(
    observer: CommandObserver, recorder: Recorder, clock: FakeClock
) -> None:
    target = job()
    assert not observer.on_ack(ack("m1", str(target)))
    clock.advance(1.0)
    observer.expire()
    observer.on_command(stop(target))
    assert recorder.stops == [(target, None, False)]
    assert observer.stats()["early_acks_held"] == 0


def test_early_ack_is_forgotten_after_5_s(
    observer: CommandObserver, recorder: Recorder, clock: FakeClock
) -> None:
    target = job()
    observer.on_ack(ack("m1", str(target)))
    clock.advance(5.0)
    observer.expire()
    observer.on_command(stop(target))
    assert recorder.stops == []


def test_workflow_configs_and_pauses_are_only_counted(
    observer: CommandObserver, recorder: Recorder
) -> None:
    config = WorkflowConfig(identifier=PANEL, message_id="c", job_id=job())
    observer.note_sent(config)
    assert not observer.on_command(config)
    assert not observer.on_command(WorkflowConfig(identifier=PANEL, message_id="d", job_id=job()))
    assert not observer.on_command(JobCommand(message_id="p", action=JobAction.PAUSE))
    observer.on_ack(ack("c", "panel_0"))
    stats = observer.stats()
    assert (stats["workflow_config_own"], stats["workflow_config_foreign"]) == (1, 1)
    assert stats["pause_foreign"] == 1
    assert stats["early_acks_held"] == 0
    assert recorder.stops == recorder.resets == []


def test_observed_commands_expire_after_30_s(
    observer: CommandObserver, recorder: Recorder, clock: FakeClock
) -> None:
    target = job()
    observer.on_command(stop(target))
    clock.advance(30.0)
    observer.expire()
    observer.on_ack(ack("m1", str(target)))
    assert recorder.stops == []
    assert observer.stats()["observed"] == 0
    assert observer.stats()["expired"] == 1


def test_tables_are_bounded(recorder: Recorder, clock: FakeClock) -> None:
    observer = CommandObserver(
        jobs=recorder, results=recorder, clock=clock, max_entries=2, max_early_acks=2
    )
    for i in range(5):
        command = stop(job(), message_id=f"m{i}")
        observer.note_sent(command)
        observer.on_command(command)
        observer.on_ack(ack(f"unknown{i}", "all"))
    stats = observer.stats()
    assert (stats["observed"], stats["own_ids"], stats["early_acks_held"]) == (2, 2, 2)


def test_invalid_bounds_are_refused(recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        CommandObserver(jobs=recorder, results=recorder, max_entries=0)
