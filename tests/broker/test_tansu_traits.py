"""What livedash assumes about Tansu, pinned down so an upgrade that changes it shows up.

These test the broker, not livedash; each trait explains a choice made elsewhere.
"""

from __future__ import annotations

import time
import uuid

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka import Producer as RawProducer
from confluent_kafka.admin import AdminClient, ConfigResource

from livedash.kafka.admin import delete_topics, ensure_topics, missing_topics
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import TopicSpec

pytestmark = pytest.mark.integration


@pytest.fixture
def topic(kafka_settings: KafkaSettings) -> str:
    name = f"trait_{uuid.uuid4().hex[:8]}"
    yield name
    delete_topics(kafka_settings, [name])


def high_watermark(settings: KafkaSettings, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": settings.bootstrap, "group.id": "traits"})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=5, cached=False)[1]
    finally:
        consumer.close()


def test_high_watermark_is_last_batch_base_offset_plus_one(
    kafka_settings: KafkaSettings, topic: str
) -> None:
    """Why integration tests produce "before" messages one batch at a time."""
    ensure_topics(kafka_settings, [TopicSpec(topic)])
    producer = RawProducer({"bootstrap.servers": kafka_settings.bootstrap, "linger.ms": 100})
    for i in range(5):
        producer.produce(topic, b"%d" % i)
    assert producer.flush(5) == 0
    assert high_watermark(kafka_settings, topic) == 1  # Kafka would say 5
    producer.produce(topic, b"single")
    assert producer.flush(5) == 0
    assert high_watermark(kafka_settings, topic) == 6


def test_metadata_request_naming_a_topic_creates_it(
    kafka_settings: KafkaSettings, topic: str
) -> None:
    """Why livedash checks existence by listing all topics."""
    admin = AdminClient({"bootstrap.servers": kafka_settings.bootstrap})
    admin.list_topics(topic=topic, timeout=5)
    assert missing_topics(kafka_settings, [topic]) == []


def test_topic_configs_are_stored_including_compaction(
    kafka_settings: KafkaSettings, topic: str
) -> None:
    config = {"cleanup.policy": "compact", "retention.ms": "30000", "max.message.bytes": "1048576"}
    ensure_topics(kafka_settings, [TopicSpec(topic, config=config)])
    admin = AdminClient({"bootstrap.servers": kafka_settings.bootstrap})
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    described = admin.describe_configs([resource])[resource].result(timeout=5)
    assert {name: entry.value for name, entry in described.items()} == config


def test_topic_max_message_bytes_is_not_enforced(kafka_settings: KafkaSettings, topic: str) -> None:
    """Why size limits cannot be tested against the embedded broker."""
    ensure_topics(kafka_settings, [TopicSpec(topic, config={"max.message.bytes": "1024"})])
    producer = RawProducer({"bootstrap.servers": kafka_settings.bootstrap})
    reports: list[object] = []
    producer.produce(topic, b"x" * 4096, on_delivery=lambda err, _msg: reports.append(err))
    assert producer.flush(5) == 0
    assert reports == [None]


def test_offsets_for_a_time_after_the_last_message_answer_zero(
    kafka_settings: KafkaSettings, topic: str
) -> None:
    """Why a "recent" consumer asks for a future time to learn the "none" answer
    (livedash.kafka.consumer, ADR 0012): Kafka answers -1 here, Tansu 0."""
    ensure_topics(kafka_settings, [TopicSpec(topic)])
    producer = RawProducer({"bootstrap.servers": kafka_settings.bootstrap})
    for value in (b"a", b"b", b"c"):
        producer.produce(topic, value)
        assert producer.flush(5) == 0
    consumer = Consumer({"bootstrap.servers": kafka_settings.bootstrap, "group.id": "traits"})
    try:
        future_ms = int((time.time() + 3600) * 1000)
        answer = consumer.offsets_for_times([TopicPartition(topic, 0, future_ms)], timeout=5)
        assert answer[0].offset == 0
        past = consumer.offsets_for_times([TopicPartition(topic, 0, 0)], timeout=5)
        assert past[0].offset == 0  # the first message: the same answer, meaning differs
    finally:
        consumer.close()
