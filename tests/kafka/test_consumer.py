from __future__ import annotations

import threading
import time
from typing import Any

import confluent_kafka
import pytest
from confluent_kafka import KafkaError

from livedash.kafka.consumer import AssignedConsumer, consumer_config
from livedash.kafka.errors import (
    BrokerUnavailableError,
    ClosedError,
    KafkaFatalError,
    TopicsMissingError,
)
from livedash.kafka.settings import KafkaSettings
from livedash.kafka.transport import MessageSource
from tests.helpers import wait_until

from .fakes import (
    FakeConsumerClient,
    FakeMetadata,
    FakePartition,
    FakeTopic,
    RawMessage,
    error_message,
    metadata,
    transport_exception,
)

SETTINGS = KafkaSettings(bootstrap="127.0.0.1:9092")


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def make_consumer(
    client: FakeConsumerClient, *, topics: tuple[str, ...] = ("t",), **kwargs: Any
) -> AssignedConsumer:
    clock = FakeClock()
    return AssignedConsumer.create(
        SETTINGS,
        topics=list(topics),
        group_prefix="test",
        clock=clock,
        sleep=clock.sleep,
        client_factory=client.factory,
        **kwargs,
    )


def started(*batches: Any) -> tuple[AssignedConsumer, FakeConsumerClient]:
    client = FakeConsumerClient([metadata(t=1)], batches=list(batches))
    return make_consumer(client), client


def test_every_partition_is_assigned_at_its_high_watermark() -> None:
    client = FakeConsumerClient(
        [metadata(a=2, b=1)], high_watermarks={("a", 0): 5, ("a", 1): 7, ("b", 0): 0}
    )
    make_consumer(client, topics=("a", "b"))
    assert client.assignment is not None
    assert [(tp.topic, tp.partition, tp.offset) for tp in client.assignment] == [
        ("a", 0, 5),
        ("a", 1, 7),
        ("b", 0, 0),
    ]


def test_start_beginning_assigns_the_first_offset() -> None:
    client = FakeConsumerClient([metadata(a=2)], high_watermarks={("a", 0): 5})
    make_consumer(client, topics=("a",), start="beginning")
    assert client.assignment is not None
    assert {tp.offset for tp in client.assignment} == {confluent_kafka.OFFSET_BEGINNING}


def test_creation_waits_for_partition_leaders() -> None:
    leaderless = FakeMetadata({"t": FakeTopic({0: FakePartition(leader=-1)})})
    client = FakeConsumerClient([leaderless, leaderless, metadata(t=1)])
    make_consumer(client)
    assert client.metadata_calls == 3
    assert client.assignment is not None


def test_creation_fails_when_leaders_do_not_appear_in_time() -> None:
    leaderless = FakeMetadata({"t": FakeTopic({0: FakePartition(leader=-1)})})
    client = FakeConsumerClient([leaderless])
    with pytest.raises(BrokerUnavailableError, match="no leader"):
        make_consumer(client, leader_timeout_s=2.0)
    assert client.close_calls == 1


def test_missing_topics_are_named_at_once() -> None:
    client = FakeConsumerClient([metadata(a=1)])
    with pytest.raises(TopicsMissingError) as info:
        make_consumer(client, topics=("a", "b", "c"))
    assert info.value.topics == ["b", "c"]
    assert client.metadata_calls == 1
    assert client.close_calls == 1


def test_unreachable_broker_is_translated() -> None:
    client = FakeConsumerClient([transport_exception()])
    with pytest.raises(BrokerUnavailableError, match="fetching topic metadata"):
        make_consumer(client)
    assert client.close_calls == 1


def test_group_id_is_unique_per_consumer_and_carries_the_prefix() -> None:
    first, _ = started()
    second, _ = started()
    assert first.group_id.startswith("test_")
    assert first.group_id != second.group_id


def test_poll_batch_returns_messages() -> None:
    raw = RawMessage(topic_="t", partition_=0, offset_=4, value_=b"x", key_=b"k")
    consumer, _ = started([raw])
    [message] = consumer.poll_batch()
    assert (message.topic, message.partition, message.offset) == ("t", 0, 4)
    assert (message.value, message.key, message.timestamp_ms) == (b"x", b"k", 1_700_000_000_000)
    assert consumer.stats.received == 1


def test_missing_timestamp_becomes_none() -> None:
    raw = RawMessage(timestamp_=(confluent_kafka.TIMESTAMP_NOT_AVAILABLE, -1))
    consumer, _ = started([raw])
    assert consumer.poll_batch()[0].timestamp_ms is None


def test_partition_eof_is_ignored() -> None:
    consumer, _ = started([error_message(KafkaError._PARTITION_EOF), RawMessage()])
    assert len(consumer.poll_batch()) == 1
    assert consumer.stats.errors == {}


def test_transient_message_errors_are_counted_and_skipped() -> None:
    batch = [error_message(KafkaError._TRANSPORT), RawMessage(), error_message(KafkaError._BAD_MSG)]
    consumer, _ = started(batch)
    assert len(consumer.poll_batch()) == 1
    assert consumer.stats.errors == {"_TRANSPORT": 1, "_BAD_MSG": 1}


def test_watch_interval_must_be_positive() -> None:
    client = FakeConsumerClient([metadata(t=1)])
    with pytest.raises(ValueError, match="watch_interval_s"):
        make_consumer(client, watch_interval_s=0)


def test_fatal_message_error_is_raised_on_this_and_every_later_poll() -> None:
    consumer, _ = started([error_message(KafkaError.TOPIC_AUTHORIZATION_FAILED)], [RawMessage()])
    for _ in range(2):
        with pytest.raises(KafkaFatalError):
            consumer.poll_batch()


def test_a_topic_gone_under_a_running_consumer_is_counted_and_waited_for() -> None:
    gone = error_message(KafkaError.UNKNOWN_TOPIC_OR_PART, topic="t")
    consumer, _ = started([gone], [gone], [RawMessage(offset_=3)])
    assert consumer.poll_batch() == []
    assert consumer.poll_batch() == []
    assert [m.offset for m in consumer.poll_batch()] == [3]
    assert consumer.stats.errors == {"UNKNOWN_TOPIC_OR_PART": 2}


def rewinding(
    *batches: Any, watermarks: dict[tuple[str, int], int] | None = None
) -> tuple[AssignedConsumer, FakeConsumerClient, FakeClock]:
    """A consumer of topics a (2 partitions) and b, pinned at 10, 20 and 30."""
    client = FakeConsumerClient(
        [metadata(a=2, b=1)],
        high_watermarks=watermarks or {("a", 0): 10, ("a", 1): 20, ("b", 0): 30},
        batches=list(batches),
    )
    clock = FakeClock()
    consumer = AssignedConsumer.create(
        SETTINGS,
        topics=["a", "b"],
        group_prefix="test",
        clock=clock,
        sleep=clock.sleep,
        client_factory=client.factory,
        watch_interval_s=1.0,
    )
    return consumer, client, clock


def offsets(assignment: list[confluent_kafka.TopicPartition]) -> dict[tuple[str, int], int]:
    return {(tp.topic, tp.partition): tp.offset for tp in assignment}


def test_a_partition_that_started_over_is_read_again_from_its_start() -> None:
    consumer, client, clock = rewinding([RawMessage(topic_="a", partition_=1, offset_=24)])
    client.fetched_watermarks = {("a", 0): (0, 10), ("a", 1): (0, 25), ("b", 0): (0, 30)}
    assert len(consumer.poll_batch()) == 1
    assert len(client.assignments) == 1  # the watch waits for its interval
    clock.now += 1.0
    client.fetched_watermarks[("b", 0)] = (0, 4)  # b restarted; 4 records so far
    consumer.poll_batch()
    assert offsets(client.assignments[-1]) == {("a", 0): 10, ("a", 1): 25, ("b", 0): 0}
    assert consumer.stats.rewinds == 1
    clock.now += 1.0
    consumer.poll_batch()  # b is now read from 0: nothing more to restart
    assert len(client.assignments) == 2


def test_no_restart_while_every_high_watermark_is_at_or_past_the_position() -> None:
    consumer, client, clock = rewinding([RawMessage(topic_="a", partition_=0, offset_=10)])
    client.fetched_watermarks = {("a", 0): (0, 11), ("a", 1): (0, 20)}  # b: nothing fetched
    for _ in range(3):
        consumer.poll_batch()
        clock.now += 1.0
    assert len(client.assignments) == 1
    assert consumer.stats.rewinds == 0


def test_a_restarted_partition_resumes_from_its_low_watermark() -> None:
    consumer, client, clock = rewinding()
    client.fetched_watermarks = {("a", 0): (3, 5)}  # history before 3 deleted
    clock.now += 1.0
    consumer.poll_batch()
    assert offsets(client.assignments[-1])[("a", 0)] == 3


def test_fatal_client_error_from_error_callback_is_raised_from_poll() -> None:
    def fire(config: dict[str, Any]) -> None:
        config["error_cb"](KafkaError(KafkaError._AUTHENTICATION, "bad password"))

    consumer, _ = started(fire)
    with pytest.raises(KafkaFatalError, match="bad password"):
        consumer.poll_batch()


def test_transient_client_error_from_error_callback_is_counted() -> None:
    def fire(config: dict[str, Any]) -> None:
        config["error_cb"](KafkaError(KafkaError._ALL_BROKERS_DOWN))

    consumer, _ = started(fire)
    assert consumer.poll_batch() == []
    assert consumer.stats.errors == {"_ALL_BROKERS_DOWN": 1}


def test_transient_consume_exception_is_counted() -> None:
    consumer, _ = started(transport_exception())
    assert consumer.poll_batch() == []
    assert consumer.stats.errors == {"_TRANSPORT": 1}


def test_poll_after_close_raises_and_close_is_idempotent() -> None:
    consumer, client = started()
    consumer.close()
    consumer.close()
    assert consumer.closed
    assert client.close_calls == 1
    with pytest.raises(ClosedError):
        consumer.poll_batch()


def test_max_messages_must_be_positive() -> None:
    consumer, _ = started()
    with pytest.raises(ValueError, match="max_messages"):
        consumer.poll_batch(max_messages=0)


def test_assigned_consumer_satisfies_message_source() -> None:
    consumer, _ = started()
    assert isinstance(consumer, MessageSource)


def test_config_bounds_prefetch_memory_and_request_size() -> None:
    config = consumer_config(
        SETTINGS,
        group_id="g",
        start="end",
        queued_max_kbytes=1024,
        fetch_max_bytes=1_000_000,
        max_partition_fetch_bytes=500_000,
        max_message_bytes=100_971_520,
    )
    assert config["message.max.bytes"] <= config["fetch.max.bytes"]
    assert config["queued.max.messages.kbytes"] == 1024
    assert config["fetch.max.bytes"] == 1_000_000
    assert config["max.partition.fetch.bytes"] == 500_000
    assert config["receive.message.max.bytes"] > 100_971_520
    assert config["enable.auto.commit"] is False
    assert config["fetch.wait.max.ms"] == 200
    assert config["fetch.queue.backoff.ms"] == 10


@pytest.mark.parametrize(
    ("queued_max_kbytes", "fetch_max_bytes", "max_partition_fetch_bytes"),
    [(2048, 2 * 1024 * 1024, 1024 * 1024), (1, 65536, 1024), (65536, 104857600, 104857600)],
)
def test_config_is_accepted_by_librdkafka(
    queued_max_kbytes: int, fetch_max_bytes: int, max_partition_fetch_bytes: int
) -> None:
    config = consumer_config(
        SETTINGS,
        group_id="g",
        start="end",
        queued_max_kbytes=queued_max_kbytes,
        fetch_max_bytes=fetch_max_bytes,
        max_partition_fetch_bytes=max_partition_fetch_bytes,
        max_message_bytes=100_971_520,
    )
    # Creating a client validates the configuration without connecting.
    confluent_kafka.Consumer(config).close()


@pytest.mark.parametrize(
    ("name", "value"),
    [("queued_max_kbytes", 0), ("fetch_max_bytes", 1024), ("start", "middle")],
)
def test_invalid_arguments_are_rejected(name: str, value: object) -> None:
    client = FakeConsumerClient([metadata(t=1)])
    with pytest.raises(ValueError, match=name):
        make_consumer(client, **{name: value})


def test_unreachable_broker_fails_within_the_timeout() -> None:
    settings = KafkaSettings(bootstrap="127.0.0.1:1")
    started_at = time.monotonic()
    with pytest.raises(BrokerUnavailableError):
        AssignedConsumer.create(settings, topics=["t"], group_prefix="test", leader_timeout_s=1.0)
    assert time.monotonic() - started_at < 5.0


def test_close_from_another_thread_waits_for_a_running_poll() -> None:
    events: list[str] = []
    release = threading.Event()

    def blocking_consume(_config: dict[str, Any]) -> None:
        events.append("consume started")
        release.wait(timeout=10.0)
        events.append("consume ended")

    consumer, client = started(blocking_consume)
    original_close = client.close

    def recording_close() -> None:
        events.append("closed")
        original_close()

    client.close = recording_close
    poller = threading.Thread(target=consumer.poll_batch)
    poller.start()
    wait_until(lambda: events, 5.0)
    closer = threading.Thread(target=consumer.close)
    closer.start()
    closer.join(timeout=0.2)
    assert closer.is_alive()
    release.set()
    poller.join(timeout=5.0)
    closer.join(timeout=5.0)
    assert events == ["consume started", "consume ended", "closed"]
