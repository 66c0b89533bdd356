"""AssignedConsumer against the embedded broker."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from livedash.broker.tansu import EmbeddedBroker, free_port
from livedash.kafka.admin import ensure_topics, missing_topics
from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.errors import ClosedError, TopicsMissingError
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import StreamKind, TopicSpec, topic_for
from tests.helpers import collect_messages, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def producer(kafka_settings: KafkaSettings) -> Iterator[Producer]:
    producer = Producer.create(kafka_settings, client_id="test-producer")
    yield producer
    producer.close()


def send_one_by_one(producer: Producer, topic: str, values: list[bytes]) -> None:
    """Produce each value as its own record batch.

    Tansu reports the high watermark as the last batch's base offset + 1, so a consumer
    pinned "at the end" after a multi-record batch would also receive that batch's tail.
    """
    for value in values:
        producer.produce(topic, value)
        assert producer.flush(5.0) == 0


def test_consumer_at_end_sees_only_messages_produced_after_it(
    kafka_settings: KafkaSettings, instrument_topics: str, producer: Producer
) -> None:
    topic = topic_for(instrument_topics, StreamKind.DATA)
    send_one_by_one(producer, topic, [b"old-1", b"old-2"])
    consumer = AssignedConsumer.create(kafka_settings, topics=[topic], group_prefix="test")
    try:
        send_one_by_one(producer, topic, [b"new-1", b"new-2"])
        messages = collect_messages(consumer, count=2, timeout_s=10.0)
        assert [m.value for m in messages] == [b"new-1", b"new-2"]
        assert consumer.poll_batch(timeout_s=0.3) == []
    finally:
        consumer.close()


def test_consumer_reads_all_partitions_of_all_topics(
    kafka_settings: KafkaSettings, instrument_topics: str, producer: Producer
) -> None:
    wide = f"{instrument_topics}_wide"
    ensure_topics(kafka_settings, [TopicSpec(wide, partitions=3)])
    status = topic_for(instrument_topics, StreamKind.STATUS)
    consumer = AssignedConsumer.create(kafka_settings, topics=[wide, status], group_prefix="test")
    try:
        for key in range(12):
            producer.produce(wide, b"w%d" % key, key=b"key-%d" % key)
        producer.produce(status, b"heartbeat")
        assert producer.flush(5.0) == 0
        messages = collect_messages(consumer, count=13, timeout_s=10.0)
        assert {m.partition for m in messages if m.topic == wide} == {0, 1, 2}
        assert [m.value for m in messages if m.topic == status] == [b"heartbeat"]
    finally:
        consumer.close()


def test_consumer_at_beginning_reads_history(
    kafka_settings: KafkaSettings, instrument_topics: str, producer: Producer
) -> None:
    topic = topic_for(instrument_topics, StreamKind.RESPONSES)
    send_one_by_one(producer, topic, [b"a", b"b", b"c"])
    consumer = AssignedConsumer.create(
        kafka_settings, topics=[topic], group_prefix="test", start="beginning"
    )
    try:
        messages = collect_messages(consumer, count=3, timeout_s=10.0)
        assert [m.value for m in messages] == [b"a", b"b", b"c"]
        assert [m.offset for m in messages] == [0, 1, 2]
        assert all(m.timestamp_ms for m in messages)
    finally:
        consumer.close()


def test_missing_topic_is_reported_and_not_created(
    kafka_settings: KafkaSettings, instrument_topics: str
) -> None:
    present = topic_for(instrument_topics, StreamKind.DATA)
    absent = f"{instrument_topics}_absent"
    with pytest.raises(TopicsMissingError) as info:
        AssignedConsumer.create(kafka_settings, topics=[present, absent], group_prefix="test")
    assert info.value.topics == [absent]
    assert missing_topics(kafka_settings, [absent]) == [absent]


def test_message_larger_than_fetch_limits_still_arrives(
    kafka_settings: KafkaSettings, instrument_topics: str, producer: Producer
) -> None:
    topic = topic_for(instrument_topics, StreamKind.DATA)
    consumer = AssignedConsumer.create(
        kafka_settings,
        topics=[topic],
        group_prefix="test",
        queued_max_kbytes=256,
        fetch_max_bytes=256 * 1024,
        max_partition_fetch_bytes=128 * 1024,
    )
    try:
        big = bytes(range(256)) * (12 * 1024 * 4)  # 12 MiB
        producer.produce(topic, big)
        producer.produce(topic, b"small")
        assert producer.flush(10.0) == 0
        messages = collect_messages(consumer, count=2, timeout_s=20.0)
        assert [len(m.value) for m in messages] == [len(big), 5]
        assert messages[0].value == big
    finally:
        consumer.close()


def test_poll_after_close_raises(kafka_settings: KafkaSettings, instrument_topics: str) -> None:
    topic = topic_for(instrument_topics, StreamKind.DATA)
    consumer = AssignedConsumer.create(kafka_settings, topics=[topic], group_prefix="test")
    consumer.close()
    with pytest.raises(ClosedError):
        consumer.poll_batch()


def received_bytes_probe() -> tuple[dict[str, int], Callable[[str], None]]:
    """librdkafka statistics callback recording the bytes received from brokers."""
    latest = {"rxbytes": 0}

    def on_stats(raw: str) -> None:
        brokers = json.loads(raw)["brokers"].values()
        latest["rxbytes"] = sum(broker["rxbytes"] for broker in brokers)

    return latest, on_stats


def test_prefetch_is_bounded_while_the_caller_reads_slowly(
    kafka_settings: KafkaSettings, instrument_topics: str, producer: Producer
) -> None:
    topic = topic_for(instrument_topics, StreamKind.DATA)
    chunk, count = 256 * 1024, 80  # 20 MiB waiting in the topic
    for i in range(count):
        producer.produce(topic, bytes([i]) * chunk)
    assert producer.flush(30.0) == 0

    def create(probe: Callable[[str], None], **limits: int) -> AssignedConsumer:
        extra = {"statistics.interval.ms": 20, "stats_cb": probe}
        return AssignedConsumer.create(
            replace(kafka_settings, extra=extra),
            topics=[topic],
            group_prefix="test",
            start="beginning",
            **limits,
        )

    bounded_stats, bounded_probe = received_bytes_probe()
    greedy_stats, greedy_probe = received_bytes_probe()
    bounded = create(bounded_probe)  # defaults: 2 MiB queue, 2 MiB per fetch
    # librdkafka's defaults with upstream's partition fetch size, for comparison.
    greedy = create(greedy_probe, queued_max_kbytes=65536, max_partition_fetch_bytes=104857600)
    consumed = {"bounded": 0}

    def greedy_has_prefetched_everything() -> bool:
        consumed["bounded"] += len(bounded.poll_batch(max_messages=1, timeout_s=0.02))
        greedy.poll_batch(max_messages=1, timeout_s=0.02)
        return greedy_stats["rxbytes"] >= count * chunk

    try:
        wait_until(greedy_has_prefetched_everything, 30.0, interval_s=0.02)
        prefetched = bounded_stats["rxbytes"] - consumed["bounded"] * chunk
        assert prefetched <= 4 * 1024 * 1024 + chunk + 64 * 1024
    finally:
        bounded.close()
        greedy.close()


def test_after_an_in_memory_broker_restarts_the_consumer_reads_the_new_topic() -> None:
    # Tansu in memory forgets its topics; they are created anew with offsets from 0,
    # below the consumer's position, and Tansu sends no OFFSET_OUT_OF_RANGE.
    port = free_port()
    brokers = [EmbeddedBroker(port=port)]
    brokers[0].start()
    consumer = None
    try:
        brokers[0].wait_ready(30)
        settings = KafkaSettings(bootstrap=brokers[0].bootstrap)
        spec = TopicSpec("restart_data")
        ensure_topics(settings, [spec], timeout_s=10.0)
        producer = Producer.create(settings, client_id="test-restart")
        consumer = AssignedConsumer.create(
            settings, topics=[spec.name], group_prefix="test", watch_interval_s=0.2
        )
        send_one_by_one(producer, spec.name, [b"old-%d" % i for i in range(20)])
        assert len(collect_messages(consumer, count=20, timeout_s=10.0)) == 20
        brokers[0].stop(timeout_s=1.0)
        brokers.append(EmbeddedBroker(port=port))
        brokers[-1].start()
        brokers[-1].wait_ready(30)
        ensure_topics(settings, [spec], timeout_s=10.0)
        send_one_by_one(producer, spec.name, [b"new-1", b"new-2"])
        messages = collect_messages(consumer, count=2, timeout_s=15.0)
        assert [m.value for m in messages] == [b"new-1", b"new-2"]
        assert consumer.stats.rewinds == 1
        producer.close()
    finally:
        if consumer is not None:
            consumer.close()
        for broker in brokers:
            broker.stop(timeout_s=1.0)


def test_a_backlog_larger_than_the_queue_is_read_at_once_by_a_quick_reader(
    kafka_settings: KafkaSettings, instrument_topics: str, producer: Producer
) -> None:
    """librdkafka waits fetch.queue.backoff.ms (1 s by default) before fetching again
    after the local queue was full; with a queue smaller than a burst, a consumer then
    reads about one queue a second and stays behind a live stream for good."""
    topic = topic_for(instrument_topics, StreamKind.DATA)
    chunk, count = 256 * 1024, 40  # 10 MiB waiting, ten times the queue
    for i in range(count):
        producer.produce(topic, bytes([i]) * chunk)
    assert producer.flush(30.0) == 0
    consumer = AssignedConsumer.create(
        kafka_settings,
        topics=[topic],
        group_prefix="test",
        start="beginning",
        queued_max_kbytes=1024,
    )
    try:
        messages = collect_messages(consumer, count=count, timeout_s=4.0)
        assert [m.value[0] for m in messages] == list(range(count))
    finally:
        consumer.close()
