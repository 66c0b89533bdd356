"""Producer against the embedded broker, and against no broker at all."""

from __future__ import annotations

import pytest

from livedash.broker.tansu import free_port
from livedash.kafka.admin import missing_topics
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import StreamKind, topic_for
from tests.helpers import wait_until


@pytest.mark.integration
def test_deliveries_are_counted(kafka_settings: KafkaSettings, instrument_topics: str) -> None:
    producer = Producer.create(kafka_settings, client_id="test")
    try:
        topic = topic_for(instrument_topics, StreamKind.COMMANDS)
        for i in range(5):
            producer.produce(topic, b"cmd-%d" % i)
        assert producer.flush(5.0) == 0
        assert (producer.delivered, producer.failed, producer.dropped) == (5, 0, 0)
    finally:
        producer.close()


@pytest.mark.integration
def test_producing_to_missing_topic_fails_without_creating_it(
    kafka_settings: KafkaSettings, instrument_topics: str
) -> None:
    absent = f"{instrument_topics}_absent"
    producer = Producer.create(kafka_settings, client_id="test", delivery_timeout_s=1.0)
    try:
        producer.produce(absent, b"x")
        assert producer.flush(10.0) == 0
        assert (producer.delivered, producer.failed) == (0, 1)
        assert missing_topics(kafka_settings, [absent]) == [absent]
    finally:
        producer.close()


def test_deliveries_to_unreachable_broker_are_counted_as_failed() -> None:
    settings = KafkaSettings(bootstrap=f"127.0.0.1:{free_port()}")
    producer = Producer.create(settings, client_id="test", delivery_timeout_s=0.5)
    try:
        producer.produce("t", b"x")
        producer.produce("t", b"y")
        wait_until(lambda: producer.flush(0.1) == 0, 10.0)
        assert (producer.delivered, producer.failed) == (0, 2)
        assert "_MSG_TIMED_OUT" in producer.errors
    finally:
        producer.close()
