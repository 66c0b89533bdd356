"""The real-time loop: ``run`` answers commands promptly and stops cleanly."""

from __future__ import annotations

import threading

from livedash.backend.service import BackendState, FakeBackend
from livedash.backend.settings import BackendSettings
from livedash.kafka.memory import InMemoryBroker
from livedash.protocol.acks import decode_ack
from livedash.protocol.status import ServiceState, ServiceStatus, decode_status
from livedash.protocol.topics import livedata_topic_specs
from tests.helpers import wait_until

from .conftest import load_sample


def test_run_answers_commands_and_publishes_final_heartbeats_when_stopped(dummy):
    broker = InMemoryBroker(topics=livedata_topic_specs("dummy"))
    backend = FakeBackend(
        instrument=dummy,
        settings=BackendSettings(
            instrument="dummy", update_interval_s=0.1, heartbeat_interval_s=0.2
        ),
        source=broker.consumer(topics=["dummy_livedata_commands", "dummy_livedata_roi"]),
        sink=broker.producer(),
    )
    stop = threading.Event()
    thread = threading.Thread(target=backend.run, args=(stop,), daemon=True)
    thread.start()
    try:
        broker.producer().produce(
            "dummy_livedata_commands", load_sample("cmd_workflow_config_total_counts").value
        )
        wait_until(lambda: broker.messages("dummy_livedata_responses"), timeout_s=5.0)
        wait_until(lambda: len(broker.messages("dummy_livedata_data")) >= 3, timeout_s=5.0)
    finally:
        stop.set()
        thread.join(timeout=5.0)
    assert not thread.is_alive()
    assert backend.state is BackendState.CLOSED
    [ack] = [decode_ack(m.value) for m in broker.messages("dummy_livedata_responses")]
    assert ack.device == "panel_0"
    last = [decode_status(m.value) for m in broker.messages("dummy_livedata_heartbeat")[-5:]]
    services = [beat.status for beat in last if isinstance(beat.status, ServiceStatus)]
    assert [status.state for status in services] == [ServiceState.STOPPED] * 4
