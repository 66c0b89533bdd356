"""Topic administration against the embedded broker, and against no broker at all."""

from __future__ import annotations

import time
import uuid

import pytest

from livedash.broker.tansu import free_port
from livedash.kafka.admin import delete_topics, ensure_topics, missing_topics
from livedash.kafka.errors import BrokerUnavailableError
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import TopicSpec, livedata_topic_specs


def unique_instrument() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.mark.integration
def test_ensure_topics_creates_missing_topics_once(kafka_settings: KafkaSettings) -> None:
    specs = livedata_topic_specs(unique_instrument())
    names = [spec.name for spec in specs]
    try:
        assert ensure_topics(kafka_settings, specs) == names
        assert ensure_topics(kafka_settings, specs) == []
        assert missing_topics(kafka_settings, names) == []
    finally:
        delete_topics(kafka_settings, names)


@pytest.mark.integration
def test_ensure_topics_creates_only_what_is_missing(kafka_settings: KafkaSettings) -> None:
    prefix = unique_instrument()
    first, second = TopicSpec(f"{prefix}_a"), TopicSpec(f"{prefix}_b", partitions=2)
    try:
        ensure_topics(kafka_settings, [first])
        assert ensure_topics(kafka_settings, [first, second]) == [second.name]
    finally:
        delete_topics(kafka_settings, [first.name, second.name])


@pytest.mark.integration
def test_delete_topics_deletes_existing_and_skips_missing(kafka_settings: KafkaSettings) -> None:
    name = f"{unique_instrument()}_doomed"
    ensure_topics(kafka_settings, [TopicSpec(name)])
    assert delete_topics(kafka_settings, [name, f"{name}_never"]) == [name]
    assert missing_topics(kafka_settings, [name]) == [name]


def test_unreachable_broker_fails_within_the_timeout() -> None:
    settings = KafkaSettings(bootstrap=f"127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(BrokerUnavailableError):
        ensure_topics(settings, [TopicSpec("t")], timeout_s=1.0)
    assert time.monotonic() - started < 5.0
