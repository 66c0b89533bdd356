"""Last-used workflow params: remembered per session, shared through the config store."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pydantic import BaseModel
from structlog.testing import capture_logs

from livedash.instruments import Instrument
from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.commands import WorkflowConfig
from livedash.session.job_orchestrator import JobOrchestrator
from livedash.session.job_service import JobService
from livedash.session.notifications import NotificationQueue
from livedash.session.pending_commands import PendingCommands
from livedash.session.topics import SessionTopics
from livedash.store.config_store import ConfigStore
from livedash.store.documents import WorkflowParams, workflow_params_doc

from .fakes import MONITOR, PANEL, FakeClock, RecordingSink, memory_broker

TOPICS = SessionTopics.for_instrument("dummy")
MONITOR_DOC = workflow_params_doc(MONITOR)


class Session:
    """A job orchestrator whose store reads the configuration topic when fed."""

    def __init__(self, broker: InMemoryBroker, dummy: Instrument, clock: FakeClock, name: str):
        self.sink = RecordingSink()
        self.store = ConfigStore(
            sink=broker.producer(), topic=TOPICS.livedash_config, writer_id=name
        )
        self._source = broker.consumer([TOPICS.livedash_config], start="beginning")
        self.orchestrator = JobOrchestrator(
            instrument=dummy,
            job_service=JobService(workflows=dummy.workflows, clock=clock),
            pending=PendingCommands(notifications=NotificationQueue(), clock=clock),
            sink=self.sink,
            commands_topic=TOPICS.commands,
            params_store=self.store,
        )

    def feed(self) -> None:
        for message in self._source.poll_batch(timeout_s=0.001):
            self.store.on_message(message)


@pytest.fixture
def broker() -> InMemoryBroker:
    return memory_broker()


@pytest.fixture
def session(broker: InMemoryBroker, dummy: Instrument, clock: FakeClock) -> Session:
    return Session(broker, dummy, clock, "session-b")


@pytest.fixture
def other(broker: InMemoryBroker, dummy: Instrument, clock: FakeClock) -> Session:
    return Session(broker, dummy, clock, "session-a")


def monitor_params(dummy: Instrument, num_bins: int) -> dict[str, Any]:
    return dummy.workflow(MONITOR).params.merge_with_default({"toa_edges": {"num_bins": num_bins}})


def write_monitor_params(
    store: ConfigStore, params: Mapping[str, Any], sources: tuple[str, ...] = ("monitor2",)
) -> None:
    body = WorkflowParams(workflow_id=MONITOR, params=dict(params), source_names=sources)
    store.put(MONITOR_DOC, body, base_version=None)


def test_commit_publishes_what_it_sent_as_the_workflow_document(
    session: Session, dummy: Instrument
) -> None:
    session.orchestrator.stage_params(MONITOR, {"toa_edges": {"num_bins": 7}})
    session.orchestrator.stage_sources(MONITOR, ["monitor2"])
    session.orchestrator.commit(MONITOR)
    session.feed()
    document = session.store.get(MONITOR_DOC)
    assert document is not None
    [config] = [c for c in session.sink.commands() if isinstance(c, WorkflowConfig)]
    assert document.body == WorkflowParams(
        workflow_id=MONITOR,
        params=config.params,
        source_names=("monitor2",),
        aux_source_names=config.aux_source_names,
    )
    assert config.params == monitor_params(dummy, 7)


def test_stored_params_and_sources_prefill_a_session_that_never_committed(
    session: Session, other: Session, dummy: Instrument
) -> None:
    write_monitor_params(other.store, monitor_params(dummy, 9))
    assert session.orchestrator.params_for(MONITOR) == dummy.workflow(MONITOR).params.default
    session.feed()
    assert session.orchestrator.params_for(MONITOR) == monitor_params(dummy, 9)
    assert session.orchestrator.sources_for(MONITOR) == ["monitor2"]
    assert session.orchestrator.last_params(MONITOR) is None


def test_staged_params_win_over_stored_ones(
    session: Session, other: Session, dummy: Instrument
) -> None:
    write_monitor_params(other.store, monitor_params(dummy, 9))
    session.feed()
    staged = session.orchestrator.stage_params(MONITOR, {"toa_edges": {"num_bins": 3}})
    assert session.orchestrator.params_for(MONITOR) == staged


def test_own_commit_wins_while_its_document_is_on_the_way(
    session: Session, other: Session, dummy: Instrument
) -> None:
    write_monitor_params(other.store, monitor_params(dummy, 9))
    session.feed()
    mine = session.orchestrator.stage_params(MONITOR, {"toa_edges": {"num_bins": 5}})
    session.orchestrator.commit(MONITOR)
    assert session.store.pending(MONITOR_DOC)
    assert session.orchestrator.params_for(MONITOR) == mine
    session.feed()
    assert session.orchestrator.params_for(MONITOR) == mine


def test_a_later_commit_by_another_session_becomes_the_default(
    session: Session, other: Session, dummy: Instrument
) -> None:
    session.orchestrator.stage_params(MONITOR, {"toa_edges": {"num_bins": 5}})
    session.orchestrator.commit(MONITOR)
    other.feed()
    theirs = other.orchestrator.stage_params(MONITOR, {"toa_edges": {"num_bins": 11}})
    other.orchestrator.commit(MONITOR)
    session.feed()
    assert session.orchestrator.params_for(MONITOR) == theirs
    assert session.store.conflicts() == {}


def test_stored_params_that_no_longer_validate_are_ignored_and_logged_once(
    session: Session, other: Session, dummy: Instrument
) -> None:
    write_monitor_params(other.store, {"toa_edges": {"num_bins": "many"}})
    session.feed()
    default = dummy.workflow(MONITOR).params.default
    with capture_logs() as logs:
        for _ in range(2):
            assert session.orchestrator.params_for(MONITOR) == default
    assert [log["event"] for log in logs] == ["stored_workflow_params_invalid"]


def test_stored_sources_the_workflow_no_longer_has_are_ignored(
    session: Session, other: Session, dummy: Instrument
) -> None:
    write_monitor_params(other.store, monitor_params(dummy, 9), sources=("monitor9",))
    session.feed()
    assert session.orchestrator.sources_for(MONITOR) == dummy.workflow(MONITOR).source_names
    assert session.orchestrator.params_for(MONITOR) == monitor_params(dummy, 9)


class RefusingStore:
    """A store whose every write fails (for example: the producer is closed)."""

    def get(self, doc: str) -> None:
        return None

    def pending(self, doc: str) -> bool:
        return False

    def put(
        self, doc: str, body: BaseModel | Mapping[str, Any], *, base_version: int | None
    ) -> int:
        raise RuntimeError("producer is closed")


def test_a_failing_store_write_does_not_fail_the_commit(
    dummy: Instrument, clock: FakeClock
) -> None:
    sink = RecordingSink()
    orchestrator = JobOrchestrator(
        instrument=dummy,
        job_service=JobService(workflows=dummy.workflows, clock=clock),
        pending=PendingCommands(notifications=NotificationQueue(), clock=clock),
        sink=sink,
        commands_topic=TOPICS.commands,
        params_store=RefusingStore(),
    )
    staged = orchestrator.stage_params(PANEL, {"toa_edges": {"num_bins": 5}})
    with capture_logs() as logs:
        orchestrator.commit(PANEL)
    assert len(sink.commands()) == 1
    assert orchestrator.params_for(PANEL) == staged
    assert [log["event"] for log in logs if log["log_level"] == "warning"] == [
        "workflow_params_not_stored"
    ]
