"""The session stack on the embedded broker: the real transport factory end to end."""

from __future__ import annotations

import uuid

from livedash.instruments import Instrument
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.status import ServiceState, ServiceStatus, decode_status, encode_job_status
from livedash.session.stack import SessionStack
from livedash.session.topics import SessionTopics
from livedash.session.transport import kafka_transport_factory
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
