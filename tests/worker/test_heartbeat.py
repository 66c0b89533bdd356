"""The worker heartbeat: PROTOCOL.md 12.2 on the status topic, and the final ``stopped``."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.status import ServiceState, decode_status
from livedash.worker.heartbeat import WorkerHeartbeat
from livedash.worker.metrics import ProcessSample
from livedash.worker.runtime import WorkerRuntime

TOPIC = "dummy_livedata_heartbeat"


class FixedMetrics:
    def __init__(self) -> None:
        self.samples = 0

    def sample(self) -> ProcessSample:
        self.samples += 1
        return ProcessSample(rss_bytes=2_000_000, cpu_percent=3.5, threads=7, python_threads=2)


class BrokenSink:
    closed = False

    def produce(self, topic, value, *, key=None):
        raise RuntimeError("queue is on fire")

    def flush(self, timeout_s=3.0):
        return 0

    def close(self, timeout_s=5.0):
        self.closed = True


@pytest.fixture
def broker() -> InMemoryBroker:
    return InMemoryBroker(topics=[TOPIC])


@pytest.fixture
def runtime() -> WorkerRuntime:
    runtime = WorkerRuntime(
        worker_index=1, port=5010, prefix="/w/1", public_url="http://dash.example:8080/"
    )
    runtime.registry.register("0c5e1c1e-0000-4000-8000-000000000001", object())
    return runtime


def make_heartbeat(runtime, sink, **kwargs) -> WorkerHeartbeat:
    return WorkerHeartbeat(
        runtime=runtime,
        sink=sink,
        topic=TOPIC,
        instrument="dummy",
        metrics=FixedMetrics(),
        host_name="ctrl-host",
        process_id=4242,
        **kwargs,
    )


def published(broker: InMemoryBroker):
    return [decode_status(message.value) for message in broker.messages(TOPIC)]


def test_a_heartbeat_is_a_dashboard_service_status(broker, runtime):
    make_heartbeat(runtime, broker.producer()).publish()
    [message] = published(broker)
    status = message.status
    assert status.service_id == f"dummy:dashboard:{runtime.worker_id}"
    assert (status.state, status.active_job_count) == (ServiceState.RUNNING, 1)
    assert status.started_at == runtime.started_at
    assert (message.envelope.host_name, message.envelope.process_id) == ("ctrl-host", 4242)
    assert message.envelope.update_interval == 2000


def test_the_dashboard_extra_describes_the_worker(broker, runtime):
    runtime.set_draining(True)
    make_heartbeat(runtime, broker.producer()).publish()
    details = published(broker)[0].status.dashboard
    assert details == {
        "role": "worker",
        "worker_index": 1,
        "host": "ctrl-host",
        "pid": 4242,
        "port": 5010,
        "prefix": "/w/1",
        "url": "http://dash.example:8080/",
        "sessions": ["0c5e1c1e-0000-4000-8000-000000000001"],
        "rss_bytes": 2_000_000,
        "cpu_percent": 3.5,
        "threads": 7,
        "draining": True,
    }


def test_stop_publishes_stopped_once_and_closes_the_producer(broker, runtime):
    sink = broker.producer()
    heartbeat = make_heartbeat(runtime, sink)
    heartbeat.stop()
    heartbeat.stop()
    assert [m.status.state for m in published(broker)] == [ServiceState.STOPPED]
    assert sink.closed


def test_a_failing_sink_is_counted_and_logged_once(runtime):
    heartbeat = make_heartbeat(runtime, BrokenSink())
    with capture_logs() as logs:
        assert heartbeat.publish() is False
        assert heartbeat.publish() is False
    assert heartbeat.failures == {"RuntimeError": 2}
    assert heartbeat.sent == 0
    assert [entry["event"] for entry in logs] == ["worker_heartbeat_failed"]


def test_the_interval_must_be_positive(broker, runtime):
    with pytest.raises(ValueError, match="interval_s"):
        make_heartbeat(runtime, broker.producer(), interval_s=0)


def test_start_publishes_now_and_then_periodically_on_the_ioloop(broker, runtime):
    heartbeat = make_heartbeat(runtime, broker.producer(), interval_s=0.05)

    async def scenario() -> None:
        heartbeat.start()
        assert heartbeat.sent == 1
        deadline = asyncio.get_running_loop().time() + 5
        while heartbeat.sent < 3 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        heartbeat.stop()

    asyncio.run(scenario())
    states = [m.status.state for m in published(broker)]
    assert states[:3] == [ServiceState.RUNNING] * 3
    assert states[-1] is ServiceState.STOPPED
    assert states.count(ServiceState.STOPPED) == 1
