"""The session stack on the embedded broker: the real transport factory end to end."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import livedash.instruments
from livedash.backend.service import BackendTopics, FakeBackend
from livedash.backend.settings import BackendSettings
from livedash.instruments import Instrument, load_instrument
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.plots.editing import add_grid
from livedash.plots.model import Cell, DataRef, Grid, GridSet, LayerConfig
from livedash.plots.templates import grids_from_templates
from livedash.protocol.ids import WorkflowId
from livedash.protocol.status import ServiceState, ServiceStatus, decode_status, encode_job_status
from livedash.session.job_service import STOPPED_BY_OTHER_SESSION
from livedash.session.stack import SessionStack
from livedash.session.topics import SessionTopics
from livedash.session.transport import kafka_transport_factory
from livedash.session.workflow_state import WorkflowState, WorkflowStatus
from livedash.store.layout import read_layout, write_layout
from tests.helpers import wait_until

from .fakes import PANEL, job_status


def test_session_reads_and_heartbeats_on_a_real_broker(
    kafka_settings: KafkaSettings, instrument_topics: str, dummy: Instrument
) -> None:
    instrument = dummy.model_copy(update={"name": instrument_topics})
    topics = SessionTopics.for_instrument(instrument_topics)
    watcher = AssignedConsumer.create(
        kafka_settings, topics=[topics.status], group_prefix="test_watch", start="beginning"
    )
    producer = Producer.create(kafka_settings, client_id="test-backend")
    stack = SessionStack(
        transport_factory=kafka_transport_factory(kafka_settings),
        instrument=instrument,
        worker_id=str(uuid.uuid4()),
    )
    seen: list[ServiceStatus] = []

    def session_states() -> list[ServiceState]:
        for message in watcher.poll_batch(timeout_s=0.05):
            status = decode_status(message.value).status
            if isinstance(status, ServiceStatus):
                seen.append(status)
        return [s.state for s in seen]

    try:
        stack.start()
        number = uuid.uuid4()
        value = encode_job_status(job_status(PANEL, "panel_0", number), host_name="h", process_id=1)
        producer.produce(topics.status, value)
        producer.flush(5.0)
        wait_until(lambda: stack.jobs.current_job_number(PANEL) == number, timeout_s=20.0)
        wait_until(lambda: ServiceState.RUNNING in session_states(), timeout_s=20.0)
        stack.close()
        wait_until(lambda: ServiceState.STOPPED in session_states(), timeout_s=20.0)
    finally:
        stack.close()
        producer.close()
        watcher.close()
    assert {s.service_id for s in seen} == {
        f"{instrument_topics}:dashboard_session:{stack.session_id}"
    }


PACKAGED_DUMMY = Path(livedash.instruments.__file__).parent / "data" / "dummy.json"


@pytest.fixture
def renamed_dummy(
    instrument_topics: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Instrument:
    """The dummy instrument under the test's fresh name, workflow ids included."""
    text = PACKAGED_DUMMY.read_text(encoding="utf-8").replace("dummy", instrument_topics)
    (tmp_path / f"{instrument_topics}.json").write_text(text, encoding="utf-8")
    monkeypatch.setenv("LIVEDASH_INSTRUMENT_PATH", str(tmp_path))
    return load_instrument(instrument_topics)


@pytest.fixture
def running_backend(kafka_settings: KafkaSettings, renamed_dummy: Instrument) -> Iterator[None]:
    """The fake backend on its own thread, heartbeating every 0.5 s."""
    name = renamed_dummy.name
    backend = FakeBackend(
        instrument=renamed_dummy,
        settings=BackendSettings(instrument=name, update_interval_s=0.5, heartbeat_interval_s=0.5),
        source=AssignedConsumer.create(
            kafka_settings, topics=BackendTopics.for_instrument(name).inputs, group_prefix="test"
        ),
        sink=Producer.create(kafka_settings, client_id="test-fake-backend"),
    )
    stop = threading.Event()
    thread = threading.Thread(target=backend.run, args=(stop,), name="test-backend", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(10.0)


def test_stop_by_one_session_reaches_another_over_a_real_broker(
    kafka_settings: KafkaSettings, renamed_dummy: Instrument, running_backend: None
) -> None:
    panel = WorkflowId(instrument=renamed_dummy.name, name="panel_0_xy", version=1)
    a, b = (
        SessionStack(
            transport_factory=kafka_transport_factory(kafka_settings),
            instrument=renamed_dummy,
            worker_id=str(uuid.uuid4()),
        )
        for _ in range(2)
    )
    with a, b:
        a.start()
        b.start()
        job_number = a.orchestrator.commit(panel)
        wait_until(lambda: b.jobs.workflow_state(panel).status is WorkflowStatus.ACTIVE, 20.0)
        assert b.jobs.current_job_number(panel) == job_number
        a.orchestrator.stop(panel)

        def stopped() -> WorkflowState | None:
            state = b.jobs.workflow_state(panel)
            return state if state.status is WorkflowStatus.STOPPED else None

        # Far below the 60 s job staleness: the acknowledgement stopped it, not silence.
        state = wait_until(stopped, timeout_s=20.0)
        assert state.reason == STOPPED_BY_OTHER_SESSION
        assert b.stats()["commands"]["stops_applied"] == 1
        assert b.notifications.drain() == []
        toasts: list[str] = []

        def start_and_stop_toasted() -> bool:
            toasts.extend(n.title.split()[0] for n in a.notifications.drain())
            return len(toasts) >= 2

        wait_until(start_and_stop_toasted, timeout_s=20.0)
        assert toasts == ["Start", "Stop"]


def test_layout_edit_by_one_session_reaches_another_within_5_s_over_a_real_broker(
    kafka_settings: KafkaSettings, renamed_dummy: Instrument
) -> None:
    a, b = (
        SessionStack(
            transport_factory=kafka_transport_factory(kafka_settings),
            instrument=renamed_dummy,
            worker_id=str(uuid.uuid4()),
        )
        for _ in range(2)
    )
    with a, b:
        a.start()
        b.start()
        seeded = GridSet(grids=tuple(grids_from_templates(renamed_dummy)))
        for stack in (a, b):
            wait_until(lambda s=stack: read_layout(s.store), timeout_s=20.0)
            assert read_layout(stack.store).gridset == seeded
        panel = DataRef(
            workflow_id=WorkflowId(instrument=renamed_dummy.name, name="panel_0_xy", version=1),
            source_name="panel_0",
            output_name="current",
        )
        layer = LayerConfig(title="Update", roles={"primary": panel})
        grid = Grid(title="Mine", nrows=1, ncols=1, cells=(Cell(row=0, col=0, layers=(layer,)),))
        edited = add_grid(seeded, grid)
        write_layout(a.store, edited, base=read_layout(a.store))

        def b_shows_the_edit() -> bool:
            snapshot = read_layout(b.store)
            return (
                snapshot is not None
                and snapshot.gridset == edited
                and b.plots.view(layer.layer_id) is not None
            )

        wait_until(b_shows_the_edit, timeout_s=5.0, message="the edit did not reach B in 5 s")
        assert b.store.conflicts() == {}
