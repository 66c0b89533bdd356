from __future__ import annotations

import uuid

import pytest

from livedash.instruments import Instrument
from livedash.protocol.acks import Acknowledgement, AckResponse
from livedash.protocol.commands import JobAction, JobCommand, Schedule, WorkflowConfig
from livedash.protocol.ids import JobId
from livedash.session.errors import (
    InvalidParamsError,
    InvalidSourcesError,
    ResetNotSupportedError,
    SessionClosedError,
    WorkflowNotRunningError,
)
from livedash.session.job_orchestrator import JobOrchestrator
from livedash.session.job_service import JobService
from livedash.session.notifications import NotificationLevel, NotificationQueue
from livedash.session.pending_commands import PendingCommands
from livedash.session.workflow_state import WorkflowStatus

from .fakes import MONITOR, PANEL, T0_NS, TIMESERIES, FakeClock, RecordingSink, job_status

TOPIC = "dummy_livedata_commands"


@pytest.fixture
def jobs(dummy: Instrument, clock: FakeClock) -> JobService:
    return JobService(workflows=dummy.workflows, clock=clock)


@pytest.fixture
def pending(clock: FakeClock) -> PendingCommands:
    return PendingCommands(notifications=NotificationQueue(), clock=clock)


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def orchestrator(
    dummy: Instrument, jobs: JobService, pending: PendingCommands, sink: RecordingSink
) -> JobOrchestrator:
    return JobOrchestrator(
        instrument=dummy, job_service=jobs, pending=pending, sink=sink, commands_topic=TOPIC
    )


def configs(sink: RecordingSink) -> list[WorkflowConfig]:
    return [c for c in sink.commands() if isinstance(c, WorkflowConfig)]


def job_commands(sink: RecordingSink) -> list[JobCommand]:
    return [c for c in sink.commands() if isinstance(c, JobCommand)]


def test_commit_sends_one_config_per_source_sharing_ids(
    orchestrator: JobOrchestrator, sink: RecordingSink, dummy: Instrument
) -> None:
    job_number = orchestrator.commit(MONITOR)
    sent = configs(sink)
    assert [c.job_id.source_name for c in sent] == ["monitor1", "monitor2"]
    assert {c.job_id.job_number for c in sent} == {job_number}
    assert len({c.message_id for c in sent}) == 1
    assert all(c.schedule == Schedule() for c in sent)
    assert all(c.params == dummy.workflow(MONITOR).params.default for c in sent)
    assert sink.flushes == 1


def test_commit_uses_the_spec_default_aux_sources(
    orchestrator: JobOrchestrator, sink: RecordingSink, dummy: Instrument
) -> None:
    orchestrator.commit(PANEL)
    [config] = configs(sink)
    assert config.aux_source_names == dummy.workflow(PANEL).default_aux_source_names()
    assert config.aux_source_names


def test_commit_registers_pending_expecting_one_ack_per_source(
    orchestrator: JobOrchestrator, sink: RecordingSink, pending: PendingCommands
) -> None:
    orchestrator.commit(MONITOR)
    [message_id] = pending.pending_ids()
    assert message_id == configs(sink)[0].message_id


def test_commit_makes_the_generation_current_and_pending(
    orchestrator: JobOrchestrator, jobs: JobService
) -> None:
    job_number = orchestrator.commit(PANEL)
    state = jobs.workflow_state(PANEL)
    assert state.job_number == job_number
    assert state.status is WorkflowStatus.PENDING


def test_recommit_stops_own_previous_jobs_in_the_same_batch(
    orchestrator: JobOrchestrator, sink: RecordingSink
) -> None:
    first = orchestrator.commit(MONITOR)
    sink.produced.clear()
    orchestrator.commit(MONITOR)
    commands = sink.commands()
    stops = [c for c in commands if isinstance(c, JobCommand)]
    assert isinstance(commands[0], JobCommand)
    assert [s.action for s in stops] == [JobAction.STOP, JobAction.STOP]
    assert {s.job_id.job_number for s in stops if s.job_id} == {first}
    assert len({s.message_id for s in stops}) == 2
    assert not {s.message_id for s in stops} & {c.message_id for c in configs(sink)}
    assert sink.flushes == 2


def test_commit_never_stops_jobs_it_did_not_commit(
    orchestrator: JobOrchestrator, jobs: JobService, sink: RecordingSink
) -> None:
    jobs.on_job_status(job_status(PANEL, "panel_0", uuid.uuid4()))
    orchestrator.commit(PANEL)
    assert job_commands(sink) == []


def test_invalid_params_raise_naming_the_errors_and_send_nothing(
    orchestrator: JobOrchestrator, sink: RecordingSink
) -> None:
    with pytest.raises(InvalidParamsError, match=r"toa_edges\.num_bins") as info:
        orchestrator.stage_params(MONITOR, {"toa_edges": {"num_bins": -1}})
    assert isinstance(info.value, ValueError)
    assert info.value.errors == ["toa_edges.num_bins: -1 is less than the minimum of 1"]
    orchestrator.commit(MONITOR)
    assert configs(sink)[0].params["toa_edges"]["num_bins"] == 100


def test_staged_params_are_sent_merged_and_remembered(
    orchestrator: JobOrchestrator, sink: RecordingSink
) -> None:
    orchestrator.stage_params(MONITOR, {"toa_edges": {"num_bins": 7}})
    orchestrator.commit(MONITOR)
    params = configs(sink)[0].params
    assert params["toa_edges"]["num_bins"] == 7
    assert params["toa_edges"]["unit"] == "ms"
    assert orchestrator.last_params(MONITOR) == params
    assert orchestrator.params_for(MONITOR) == params


def test_staged_sources_limit_the_commit(
    orchestrator: JobOrchestrator, sink: RecordingSink, pending: PendingCommands
) -> None:
    orchestrator.stage_sources(MONITOR, ["monitor2"])
    orchestrator.commit(MONITOR)
    assert [c.job_id.source_name for c in configs(sink)] == ["monitor2"]


@pytest.mark.parametrize("sources", [[], ["panel_0"]])
def test_invalid_sources_are_refused(orchestrator: JobOrchestrator, sources: list[str]) -> None:
    with pytest.raises(InvalidSourcesError):
        orchestrator.stage_sources(MONITOR, sources)


def test_stop_sends_one_command_per_current_job_sharing_an_id(
    orchestrator: JobOrchestrator, jobs: JobService, sink: RecordingSink, pending: PendingCommands
) -> None:
    job_number = orchestrator.commit(MONITOR)
    sink.produced.clear()
    message_id = orchestrator.stop(MONITOR)
    stops = job_commands(sink)
    assert [s.job_id for s in stops] == [
        JobId(source_name="monitor1", job_number=job_number),
        JobId(source_name="monitor2", job_number=job_number),
    ]
    assert {s.message_id for s in stops} == {message_id}
    assert message_id in pending.pending_ids()
    assert jobs.workflow_state(MONITOR).status is WorkflowStatus.STOPPED
    assert orchestrator.own_jobs(MONITOR) == []


def test_stop_of_an_adopted_generation_targets_its_jobs(
    orchestrator: JobOrchestrator, jobs: JobService, sink: RecordingSink
) -> None:
    theirs = uuid.uuid4()
    jobs.on_job_status(job_status(PANEL, "panel_0", theirs))
    orchestrator.stop(PANEL)
    assert [s.job_id for s in job_commands(sink)] == [
        JobId(source_name="panel_0", job_number=theirs)
    ]


def test_stop_without_a_generation_is_refused(orchestrator: JobOrchestrator) -> None:
    with pytest.raises(WorkflowNotRunningError):
        orchestrator.stop(PANEL)


def test_reset_is_refused_when_the_spec_does_not_support_it(
    orchestrator: JobOrchestrator, sink: RecordingSink
) -> None:
    orchestrator.commit(TIMESERIES)
    sink.produced.clear()
    with pytest.raises(ResetNotSupportedError, match="cannot be reset"):
        orchestrator.reset(TIMESERIES)
    assert sink.produced == []


def test_reset_keeps_the_generation(
    orchestrator: JobOrchestrator, jobs: JobService, sink: RecordingSink
) -> None:
    job_number = orchestrator.commit(PANEL)
    sink.produced.clear()
    orchestrator.reset(PANEL)
    [command] = job_commands(sink)
    assert command.action is JobAction.RESET
    assert jobs.current_job_number(PANEL) == job_number


def test_superseded_own_generation_is_stopped_once(
    orchestrator: JobOrchestrator, jobs: JobService, sink: RecordingSink
) -> None:
    mine = orchestrator.commit(PANEL)
    jobs.on_job_status(job_status(PANEL, "panel_0", mine, start_time=T0_NS))
    jobs.on_job_status(job_status(PANEL, "panel_0", uuid.uuid4(), start_time=T0_NS + 1))
    sink.produced.clear()
    assert orchestrator.stop_superseded() == 1
    [stop] = job_commands(sink)
    assert stop.job_id == JobId(source_name="panel_0", job_number=mine)
    assert orchestrator.stop_superseded() == 0


def test_own_generation_is_not_stopped_while_it_is_current(
    orchestrator: JobOrchestrator, sink: RecordingSink
) -> None:
    orchestrator.commit(PANEL)
    sink.produced.clear()
    assert orchestrator.stop_superseded() == 0
    assert sink.produced == []


def test_closed_orchestrator_refuses_work(orchestrator: JobOrchestrator) -> None:
    orchestrator.close()
    with pytest.raises(SessionClosedError):
        orchestrator.commit(PANEL)
    with pytest.raises(SessionClosedError):
        orchestrator.stage_params(PANEL, {})


def test_stop_jobs_sends_exactly_the_given_jobs_sharing_one_id(
    orchestrator: JobOrchestrator, sink: RecordingSink, pending: PendingCommands
) -> None:
    older, oldest = uuid.uuid4(), uuid.uuid4()
    given = [
        JobId(source_name="monitor2", job_number=older),
        JobId(source_name="monitor1", job_number=oldest),
    ]
    message_id = orchestrator.stop_jobs(MONITOR, [*given, given[0]])
    stops = job_commands(sink)
    assert [s.job_id for s in stops] == given
    assert {s.action for s in stops} == {JobAction.STOP}
    assert {s.message_id for s in stops} == {message_id}
    assert pending.pending_ids() == [message_id]
    assert sink.flushes == 1


def test_stop_jobs_waits_for_one_ack_per_job(dummy: Instrument, clock: FakeClock) -> None:
    notifications = NotificationQueue()
    pending = PendingCommands(notifications=notifications, clock=clock)
    orchestrator = JobOrchestrator(
        instrument=dummy,
        job_service=JobService(workflows=dummy.workflows, clock=clock),
        pending=pending,
        sink=RecordingSink(),
        commands_topic=TOPIC,
    )
    given = [JobId(source_name=s, job_number=uuid.uuid4()) for s in ("monitor1", "monitor2")]
    message_id = orchestrator.stop_jobs(MONITOR, given)
    for job_id in given:
        assert notifications.drain() == []
        pending.on_ack(
            Acknowledgement(message_id=message_id, device=str(job_id), response=AckResponse.ACK)
        )
    [note] = notifications.drain()
    assert note.level is NotificationLevel.SUCCESS
    assert note.title == "Stop 2 jobs of " + dummy.workflow(MONITOR).title


def test_stop_jobs_leaves_the_current_generation_to_the_acknowledgement(
    orchestrator: JobOrchestrator, jobs: JobService
) -> None:
    current = orchestrator.commit(PANEL)
    orchestrator.stop_jobs(PANEL, [JobId(source_name="panel_0", job_number=current)])
    assert jobs.current_job_number(PANEL) == current
    assert orchestrator.own_jobs(PANEL) == []


def test_stop_jobs_without_jobs_is_refused(
    orchestrator: JobOrchestrator, sink: RecordingSink, pending: PendingCommands
) -> None:
    with pytest.raises(ValueError, match="job_ids"):
        orchestrator.stop_jobs(PANEL, [])
    assert sink.produced == []
    assert pending.pending_ids() == []


def test_every_command_is_passed_to_on_sent_before_it_is_queued(
    dummy: Instrument, jobs: JobService, pending: PendingCommands, sink: RecordingSink
) -> None:
    seen: list[tuple[str, int]] = []
    orchestrator = JobOrchestrator(
        instrument=dummy,
        job_service=jobs,
        pending=pending,
        sink=sink,
        commands_topic=TOPIC,
        on_sent=lambda command: seen.append((command.message_id, len(sink.produced))),
    )
    orchestrator.commit(PANEL)
    orchestrator.commit(PANEL)
    orchestrator.stop(PANEL)
    assert [message_id for message_id, _ in seen] == [c.message_id for c in sink.commands()]
    assert [queued for _, queued in seen] == list(range(len(sink.produced)))
