from __future__ import annotations

import uuid

import pytest

from livedash.instruments import Instrument
from livedash.kafka.message import Message
from livedash.protocol.ids import JobId
from livedash.protocol.status import ServiceState, ServiceStatus, decode_status
from livedash.session.data_service import DataKey
from livedash.session.errors import SessionClosedError
from livedash.session.job_service import STOPPED_BY_OTHER_SESSION, STOPPED_BY_SESSION
from livedash.session.lifecycle import StackState
from livedash.session.notifications import NotificationLevel
from livedash.session.stack import SessionStack, series_outputs
from livedash.session.topics import SessionTopics
from livedash.session.transport import SessionTransport, memory_transport_factory
from livedash.session.workflow_state import WorkflowStatus
from tests.helpers import wait_until

from .fakes import (
    PANEL,
    TIMESERIES,
    FakeBackend,
    FakeClock,
    FakeWallClock,
    RecordingSink,
    job_status,
    memory_broker,
)
from .world import TOPICS, WORKER_ID, World


def test_second_session_adopts_a_generation_it_did_not_start(world: World) -> None:
    a, b = world.session(), world.session()
    job_number = a.orchestrator.commit(PANEL)
    world.settle()
    state_a, state_b = a.jobs.workflow_state(PANEL), b.jobs.workflow_state(PANEL)
    assert state_a.status is WorkflowStatus.ACTIVE
    assert state_a.own
    assert state_b.status is WorkflowStatus.ACTIVE
    assert state_b.job_number == job_number
    assert not state_b.own


def test_every_session_follows_a_restart_from_another_session(world: World) -> None:
    a, b = world.session(), world.session()
    first = a.orchestrator.commit(PANEL)
    world.settle()
    second = b.orchestrator.commit(PANEL)
    world.settle()
    assert a.jobs.current_job_number(PANEL) == second
    assert b.jobs.current_job_number(PANEL) == second
    # The owner of the replaced generation stopped it; nobody else did.
    assert [c.job_id for c in world.job_commands()] == [
        JobId(source_name="panel_0", job_number=first)
    ]
    assert set(world.backend.jobs) == {JobId(source_name="panel_0", job_number=second)}


def test_results_follow_the_new_generation(world: World) -> None:
    a, b = world.session(), world.session()
    first = a.orchestrator.commit(PANEL)
    world.settle()
    world.backend.publish(JobId(source_name="panel_0", job_number=first), PANEL)
    world.settle()
    key = DataKey(PANEL, "panel_0", "cumulative")
    assert b.data.get(key) is not None
    second = a.orchestrator.commit(PANEL)
    world.settle()
    assert b.data.get(key) is None
    world.backend.publish(JobId(source_name="panel_0", job_number=first), PANEL)
    world.backend.publish(JobId(source_name="panel_0", job_number=second), PANEL)
    world.settle()
    entry = b.data.get(key)
    assert entry is not None
    assert entry.job_number == second
    assert b.data.stats()["stale_dropped"] + b.pump.stats()["routed"]["data_skipped"] >= 1


def test_sessions_never_stop_jobs_they_did_not_commit(world: World) -> None:
    a, b = world.session(), world.session()
    a.orchestrator.commit(PANEL)
    world.settle()
    a.close()
    # An older orphan generation is still running in the backend too.
    orphan = job_status(PANEL, "panel_0", uuid.uuid4(), start_time=1)
    world.backend.jobs[orphan.job_id] = orphan
    for _ in range(14):
        world.clock.advance(10.0)
        world.settle(rounds=1)
    assert world.job_commands() == []
    assert b.jobs.workflow_state(PANEL).status is WorkflowStatus.ACTIVE


def test_acknowledgements_notify_only_the_issuing_session(world: World) -> None:
    a, b = world.session(), world.session()
    a.orchestrator.commit(PANEL)
    world.settle()
    [note] = a.notifications.drain()
    assert note.level is NotificationLevel.SUCCESS
    assert b.notifications.drain() == []
    assert b.pump.stats()["routed"]["ack"] == 1


def test_unanswered_command_times_out_after_30_s(world: World) -> None:
    a = world.session()
    world.backend.online = False
    a.orchestrator.commit(PANEL)
    world.clock.advance(30.0)
    world.settle(rounds=1)
    [note] = a.notifications.drain()
    assert note.level is NotificationLevel.ERROR
    assert note.message == "no response from backend (timed out after 30s)"


def test_close_is_idempotent_and_refuses_later_work(world: World) -> None:
    stack = world.session()
    orchestrator = stack.orchestrator
    stack.start()
    stack.close()
    stack.close()
    assert stack.state is StackState.CLOSED
    for operation in (
        lambda: stack.jobs,
        lambda: stack.data,
        lambda: stack.orchestrator,
        stack.stats,
        stack.start,
        lambda: orchestrator.commit(PANEL),
    ):
        with pytest.raises(SessionClosedError):
            operation()
    assert not stack._pump.running


def test_close_publishes_a_final_stopped_heartbeat(
    dummy: Instrument, clock: FakeClock, wall: FakeWallClock
) -> None:
    broker = memory_broker()
    stack = SessionStack(
        transport_factory=memory_transport_factory(broker),
        instrument=dummy,
        worker_id=WORKER_ID,
        clock=clock,
        wall_ns=wall,
    )
    stack.start()
    wait_until(lambda: broker.messages(TOPICS.status), timeout_s=5.0)
    stack.close()
    statuses = [decode_status(m.value).status for m in broker.messages(TOPICS.status)]
    assert all(isinstance(s, ServiceStatus) for s in statuses)
    assert statuses[0].state is ServiceState.RUNNING
    assert statuses[-1].state is ServiceState.STOPPED
    assert statuses[-1].service_id == f"dummy:dashboard_session:{stack.session_id}"
    assert statuses[-1].dashboard is not None
    assert statuses[-1].dashboard["worker_id"] == WORKER_ID


def test_running_sessions_follow_each_other_through_their_threads(
    dummy: Instrument, wall: FakeWallClock
) -> None:
    broker = memory_broker()
    backend = FakeBackend(broker, dummy, wall)
    a, b = (
        SessionStack(
            transport_factory=memory_transport_factory(broker),
            instrument=dummy,
            worker_id=WORKER_ID,
        )
        for _ in range(2)
    )
    with a, b:
        a.start()
        b.start()
        job_number = a.orchestrator.commit(PANEL)
        wait_until(backend.process, timeout_s=5.0)
        backend.beat()
        wait_until(lambda: b.jobs.current_job_number(PANEL) == job_number, timeout_s=5.0)
        wait_until(a.notifications.drain, timeout_s=5.0)
    assert a.state is StackState.CLOSED


class FailingSource:
    closed = False

    def release(self) -> None:
        pass

    def poll_batch(self, max_messages: int = 100, timeout_s: float = 0.05) -> list[Message]:
        raise RuntimeError("consumer broke")

    def close(self) -> None:
        self.closed = True


def test_fatal_pump_error_marks_the_session_failed(dummy: Instrument) -> None:
    source, sink = FailingSource(), RecordingSink()

    def factory(*, topics: SessionTopics, session_id: str) -> SessionTransport:
        return SessionTransport(source=source, sink=sink)

    stack = SessionStack(transport_factory=factory, instrument=dummy, worker_id=WORKER_ID)
    stack.start()
    wait_until(lambda: stack.state is StackState.FAILED, timeout_s=5.0)
    assert isinstance(stack.failure, RuntimeError)
    stack.close()
    assert source.closed
    assert sink.closed
    assert stack.state is StackState.CLOSED


def test_invalid_worker_id_is_refused_before_any_client_is_made(dummy: Instrument) -> None:
    made: list[str] = []

    def factory(*, topics: SessionTopics, session_id: str) -> SessionTransport:
        made.append(session_id)
        raise AssertionError("must not be called")

    with pytest.raises(ValueError, match="worker_id"):
        SessionStack(transport_factory=factory, instrument=dummy, worker_id="nope")
    assert made == []


def test_only_timeseries_outputs_accumulate(dummy: Instrument) -> None:
    assert series_outputs(dummy) == {(TIMESERIES, "delta")}


def test_stop_by_another_session_shows_at_once_when_acknowledged(world: World) -> None:
    a, b = world.session(), world.session()
    a.orchestrator.commit(PANEL)
    world.settle()
    assert b.jobs.workflow_state(PANEL).status is WorkflowStatus.ACTIVE
    a.orchestrator.stop(PANEL)
    world.drain(b)
    # B has seen the stop command, but the backend has not acted on it yet.
    assert b.jobs.workflow_state(PANEL).status is WorkflowStatus.ACTIVE
    started = world.clock()
    world.backend.process()
    world.drain(b)
    assert world.clock() == started
    state = b.jobs.workflow_state(PANEL)
    assert state.status is WorkflowStatus.STOPPED
    assert state.reason == STOPPED_BY_OTHER_SESSION
    assert b.notifications.drain() == []
    world.settle()
    assert a.jobs.workflow_state(PANEL).reason == STOPPED_BY_SESSION
    assert [n.level for n in a.notifications.drain()] == [
        NotificationLevel.SUCCESS,
        NotificationLevel.SUCCESS,
    ]
    assert b.notifications.drain() == []


def test_stop_the_backend_does_not_acknowledge_changes_nothing_elsewhere(world: World) -> None:
    a, b = world.session(), world.session()
    job_number = a.orchestrator.commit(PANEL)
    world.settle()
    world.backend.deaf = True
    a.orchestrator.stop(PANEL)
    world.settle()
    assert b.jobs.workflow_state(PANEL).status is WorkflowStatus.ACTIVE
    assert b.jobs.current_job_number(PANEL) == job_number
    commands = b.stats()["commands"]
    assert (commands["stop_foreign"], commands["stops_applied"]) == (1, 0)
    # The job still runs: the session that stopped it offers to stop it again.
    assert a.jobs.superseded_jobs(PANEL) == [JobId(source_name="panel_0", job_number=job_number)]


def test_reset_by_another_session_clears_cached_results_everywhere(world: World) -> None:
    a, b = world.session(), world.session()
    job_number = a.orchestrator.commit(PANEL)
    job_id = JobId(source_name="panel_0", job_number=job_number)
    world.settle()
    world.backend.publish(job_id, PANEL)
    world.settle()
    key = DataKey(PANEL, "panel_0", "cumulative")
    assert a.data.get(key) is not None
    assert b.data.get(key) is not None
    a.orchestrator.reset(PANEL)
    world.backend.process()
    world.drain(a)
    world.drain(b)
    assert world.backend.resets == [job_id]
    assert a.data.get(key) is None
    assert b.data.get(key) is None
    assert b.jobs.current_job_number(PANEL) == job_number
    world.backend.publish(job_id, PANEL)
    world.settle()
    assert b.data.get(key) is not None


def test_superseded_jobs_left_by_a_closed_session_can_be_stopped(world: World) -> None:
    a, b = world.session(), world.session()
    orphan = job_status(PANEL, "panel_0", uuid.uuid4(), start_time=1)
    world.backend.jobs[orphan.job_id] = orphan
    a.orchestrator.commit(PANEL)
    world.settle()
    a.close()
    current = b.jobs.current_job_number(PANEL)
    assert b.jobs.superseded_jobs(PANEL) == [orphan.job_id]
    assert b.jobs.workflow_state(PANEL).superseded_jobs == (orphan.job_id,)
    c = world.session()
    world.settle()
    b.orchestrator.stop_jobs(PANEL, b.jobs.superseded_jobs(PANEL))
    world.settle(rounds=1)
    assert [command.job_id for command in world.job_commands()] == [orphan.job_id]
    assert b.jobs.superseded_jobs(PANEL) == []
    assert c.jobs.superseded_jobs(PANEL) == []
    assert b.jobs.current_job_number(PANEL) == current
    assert [n.level for n in b.notifications.drain()] == [NotificationLevel.SUCCESS]
    assert c.notifications.drain() == []


def test_garbage_on_the_commands_topic_does_not_stop_the_session(world: World) -> None:
    a, b = world.session(), world.session()
    world.broker.producer().produce(TOPICS.commands, b"\x00garbage")
    a.orchestrator.commit(PANEL)
    world.settle()
    assert b.jobs.workflow_state(PANEL).status is WorkflowStatus.ACTIVE
    assert b.stats()["pump"]["decode_errors"] == {"command": 1}
