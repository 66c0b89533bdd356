"""Per-topic start positions of AssignedConsumer and the in-memory consumer."""

from __future__ import annotations

import confluent_kafka
import pytest

from livedash.kafka.consumer import AssignedConsumer, topic_starts
from livedash.kafka.memory import InMemoryBroker
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import StreamKind, topic_for
from tests.helpers import collect_messages

from .fakes import FakeConsumerClient, metadata

SETTINGS = KafkaSettings(bootstrap="127.0.0.1:9092")


def make_consumer(client: FakeConsumerClient, **kwargs: object) -> AssignedConsumer:
    return AssignedConsumer.create(
        SETTINGS,
        topics=["live", "config"],
        group_prefix="test",
        sleep=lambda _s: None,
        client_factory=client.factory,
        **kwargs,  # type: ignore[arg-type]
    )


def test_start_positions_override_start_per_topic() -> None:
    client = FakeConsumerClient(
        [metadata(live=2, config=1)],
        high_watermarks={("live", 0): 5, ("live", 1): 7, ("config", 0): 9},
    )
    make_consumer(client, start_positions={"config": "beginning"})
    assert client.assignment is not None
    assert [(tp.topic, tp.partition, tp.offset) for tp in client.assignment] == [
        ("live", 0, 5),
        ("live", 1, 7),
        ("config", 0, confluent_kafka.OFFSET_BEGINNING),
    ]


def test_start_positions_can_pin_one_topic_to_the_end_of_a_beginning_consumer() -> None:
    client = FakeConsumerClient(
        [metadata(live=1, config=1)], high_watermarks={("live", 0): 4, ("config", 0): 9}
    )
    make_consumer(client, start="beginning", start_positions={"live": "end"})
    assert client.assignment is not None
    assert {tp.topic: tp.offset for tp in client.assignment} == {
        "live": 4,
        "config": confluent_kafka.OFFSET_BEGINNING,
    }


def test_start_positions_naming_an_unconsumed_topic_are_rejected() -> None:
    client = FakeConsumerClient([metadata(live=1, config=1)])
    with pytest.raises(ValueError, match="other"):
        make_consumer(client, start_positions={"other": "beginning"})
    assert client.assignment is None


def test_invalid_start_position_is_rejected_naming_it() -> None:
    with pytest.raises(ValueError, match="middle"):
        topic_starts(["a"], "end", {"a": "middle"})  # type: ignore[dict-item]


def test_memory_consumer_honours_start_positions() -> None:
    broker = InMemoryBroker(topics=["live", "config"])
    producer = broker.producer()
    producer.produce("live", b"old live")
    producer.produce("config", b"old config")
    consumer = broker.consumer(["live", "config"], start_positions={"config": "beginning"})
    producer.produce("live", b"new live")
    assert sorted(m.value for m in consumer.poll_batch()) == [b"new live", b"old config"]


def test_memory_consumer_rejects_start_positions_of_unconsumed_topics() -> None:
    broker = InMemoryBroker(topics=["live"])
    with pytest.raises(ValueError, match="config"):
        broker.consumer(["live"], start_positions={"config": "beginning"})


def test_real_consumer_reads_history_of_one_topic_and_only_new_messages_of_another(
    kafka_settings: KafkaSettings, instrument_topics: str
) -> None:
    live = topic_for(instrument_topics, StreamKind.RESPONSES)
    config = topic_for(instrument_topics, StreamKind.LIVEDASH_CONFIG)
    producer = Producer.create(kafka_settings, client_id="test-start-positions")
    try:
        for topic, value in ((live, b"old live"), (config, b"old config")):
            producer.produce(topic, value, key=b"k" if topic == config else None)
            assert producer.flush(5.0) == 0
        consumer = AssignedConsumer.create(
            kafka_settings,
            topics=[live, config],
            group_prefix="test",
            start_positions={config: "beginning"},
        )
        try:
            producer.produce(live, b"new live")
            assert producer.flush(5.0) == 0
            messages = collect_messages(consumer, count=2, timeout_s=10.0)
            assert sorted(m.value for m in messages) == [b"new live", b"old config"]
        finally:
            consumer.close()
    finally:
        producer.close()
