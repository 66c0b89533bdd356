from __future__ import annotations

import uuid

import pytest

from livedash.protocol.status import ServiceState, ServiceStatus, decode_status
from livedash.session.heartbeat import SessionHeartbeat

from .fakes import T0_NS, FakeClock, FakeWallClock, RecordingSink

SESSION_ID = str(uuid.uuid4())
WORKER_ID = str(uuid.uuid4())
TOPIC = "dummy_livedata_heartbeat"


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def heartbeat(sink: RecordingSink, clock: FakeClock, wall: FakeWallClock) -> SessionHeartbeat:
    return SessionHeartbeat(
        sink=sink,
        topic=TOPIC,
        instrument="dummy",
        session_id=SESSION_ID,
        worker_id=WORKER_ID,
        running_workflows=lambda: 2,
        clock=clock,
        wall_ns=wall,
        host_name="host-a",
        process_id=4242,
    )


def sent(sink: RecordingSink) -> list[ServiceStatus]:
    statuses = []
    for topic, value in sink.produced:
        assert topic == TOPIC
        status = decode_status(value).status
        assert isinstance(status, ServiceStatus)
        statuses.append(status)
    return statuses


def test_heartbeat_is_a_dashboard_session_service_status(
    heartbeat: SessionHeartbeat, sink: RecordingSink, clock: FakeClock
) -> None:
    heartbeat.set_client(client_address="10.0.0.7", user="alice")
    heartbeat.browser_heartbeat(visible=False)
    heartbeat.set_plots_shown(3)
    clock.advance(4.5)
    heartbeat.maybe_publish()
    [status] = sent(sink)
    assert status.service_id == f"dummy:dashboard_session:{SESSION_ID}"
    assert status.state is ServiceState.RUNNING
    assert status.started_at == T0_NS
    assert status.active_job_count == 2
    assert status.dashboard == {
        "role": "session",
        "worker_id": WORKER_ID,
        "host": "host-a",
        "pid": 4242,
        "client": "10.0.0.7",
        "user": "alice",
        "visible": False,
        "browser_heartbeat_age_s": 4.5,
        "plots": 3,
    }


def test_envelope_carries_the_service_update_interval(
    heartbeat: SessionHeartbeat, sink: RecordingSink
) -> None:
    heartbeat.maybe_publish()
    envelope = decode_status(sink.produced[0][1]).envelope
    assert envelope.update_interval == 2000
    assert envelope.host_name == "host-a"
    assert envelope.process_id == 4242


def test_heartbeat_is_published_every_2_s(
    heartbeat: SessionHeartbeat, sink: RecordingSink, clock: FakeClock
) -> None:
    assert heartbeat.maybe_publish()
    clock.advance(1.9)
    assert not heartbeat.maybe_publish()
    clock.advance(0.1)
    assert heartbeat.maybe_publish()
    assert len(sink.produced) == 2


def test_final_heartbeat_is_stopped_and_sent_once(
    heartbeat: SessionHeartbeat, sink: RecordingSink, clock: FakeClock
) -> None:
    heartbeat.maybe_publish()
    assert heartbeat.publish_stopped()
    assert not heartbeat.publish_stopped()
    clock.advance(10.0)
    assert not heartbeat.maybe_publish()
    assert [s.state for s in sent(sink)] == [ServiceState.RUNNING, ServiceState.STOPPED]


def test_session_id_must_be_a_uuid(sink: RecordingSink) -> None:
    with pytest.raises(ValueError, match=r"(?i)uuid"):
        SessionHeartbeat(
            sink=sink,
            topic=TOPIC,
            instrument="dummy",
            session_id="not-a-uuid",
            worker_id=WORKER_ID,
            running_workflows=lambda: 0,
        )
