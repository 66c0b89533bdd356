"""Per-topic start positions of AssignedConsumer and the in-memory consumer."""

from __future__ import annotations

import time

import confluent_kafka
import pytest

from livedash.kafka.consumer import AssignedConsumer
from livedash.kafka.memory import InMemoryBroker
from livedash.kafka.positions import recent_offset, topic_starts
from livedash.kafka.producer import Producer
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import StreamKind, topic_for
from tests.helpers import collect_messages

from .fakes import FakeConsumerClient, RawMessage, metadata

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


# --- "recent": the last few seconds ---------------------------------------------------

NOW_S = 1_000_000.0


def recent_consumer(client: FakeConsumerClient, **kwargs: object) -> AssignedConsumer:
    return make_consumer(client, start_positions={"live": "recent"}, wall=lambda: NOW_S, **kwargs)


def stamps(*ages_s: float) -> list[int]:
    """Kafka timestamps (ms) of messages published ``ages_s`` seconds before NOW_S."""
    return [int((NOW_S - age) * 1000) for age in ages_s]


def test_recent_starts_at_the_first_message_of_the_window() -> None:
    client = FakeConsumerClient(
        [metadata(live=1, config=1)],
        high_watermarks={("live", 0): 5, ("config", 0): 2},
        timestamps={("live", 0): stamps(30, 20, 4, 2, 1)},
    )
    recent_consumer(client, recent_s=5.0)
    assert client.assignment is not None
    assert {tp.topic: tp.offset for tp in client.assignment} == {"live": 2, "config": 2}
    assert ("live", 0, int((NOW_S - 5.0) * 1000)) in client.time_queries


@pytest.mark.parametrize("none", [-1, 0], ids=["kafka", "tansu"])
def test_recent_starts_at_the_end_when_nothing_is_that_recent(none: int) -> None:
    """Kafka says "no such message" with -1, Tansu with 0: both mean the end."""
    client = FakeConsumerClient(
        [metadata(live=1, config=1)],
        high_watermarks={("live", 0): 3},
        timestamps={("live", 0): stamps(60, 50, 40)},
        no_offset_answer=none,
    )
    recent_consumer(client, recent_s=5.0)
    assert client.assignment is not None
    assert {tp.topic: tp.offset for tp in client.assignment}["live"] == 3


def test_recent_with_every_message_recent_on_kafka_starts_at_the_first() -> None:
    client = FakeConsumerClient(
        [metadata(live=1, config=1)],
        high_watermarks={("live", 0): 3},
        timestamps={("live", 0): stamps(3, 2, 1)},
    )
    recent_consumer(client, recent_s=5.0)
    assert client.assignment is not None
    assert {tp.topic: tp.offset for tp in client.assignment}["live"] == 0


@pytest.mark.parametrize(
    ("found", "none", "low", "high", "expected"),
    [
        (7, -1, 0, 10, 7),  # inside the window
        (-1, -1, 0, 10, 10),  # Kafka: nothing that recent
        (0, 0, 0, 10, 10),  # Tansu: nothing that recent
        (0, -1, 0, 10, 0),  # Kafka: everything is recent
        (10, -1, 0, 10, 10),  # only messages past the (lagging) high watermark
        (2, -1, 5, 10, 5),  # never before the low watermark
        (0, -1, 0, 5000, 4000),  # at most RECENT_MAX_MESSAGES (1000) back
        (3, -1, 0, 0, 0),  # empty partition
    ],
)
def test_recent_offset(found: int, none: int, low: int, high: int, expected: int) -> None:
    assert recent_offset(found=found, none=none, low=low, high=high) == expected


def test_negative_recent_window_is_rejected() -> None:
    client = FakeConsumerClient([metadata(live=1, config=1)])
    with pytest.raises(ValueError, match="recent_s"):
        recent_consumer(client, recent_s=-1.0)


def test_memory_consumer_starts_recent_topics_at_the_window() -> None:
    now_ms = [0]
    broker = InMemoryBroker(topics=["live", "config"], clock_ms=lambda: now_ms[0])
    producer = broker.producer()
    for at_ms, value in ((1_000, b"old"), (8_000, b"recent"), (9_000, b"newest")):
        now_ms[0] = at_ms
        producer.produce("live", value)
    now_ms[0] = 10_000
    consumer = broker.consumer(["live", "config"], start_positions={"live": "recent"}, recent_s=5)
    assert [m.value for m in consumer.poll_batch()] == [b"recent", b"newest"]


def test_real_consumer_recent_reads_the_window_only(
    kafka_settings: KafkaSettings, instrument_topics: str
) -> None:
    """Against Tansu, whose "no message that late" answer is offset 0. The ages come
    from waiting: records given old timestamps by the producer were not found by
    Tansu's ListOffsets by time (tried)."""
    live = topic_for(instrument_topics, StreamKind.RESPONSES)
    config = topic_for(instrument_topics, StreamKind.LIVEDASH_CONFIG)
    producer = Producer.create(kafka_settings, client_id="test-recent")
    try:
        producer.produce(live, b"old")
        assert producer.flush(5.0) == 0
        time.sleep(1.5)
        window_opened = time.time()
        producer.produce(live, b"recent")
        assert producer.flush(5.0) == 0
        # 1 s back from "now" reaches "recent" but not "old" (1.5 s before it).
        recent_s = time.time() - window_opened + 1.0
        consumer = AssignedConsumer.create(
            kafka_settings,
            topics=[live, config],
            group_prefix="test",
            start_positions={live: "recent"},
            recent_s=recent_s,
        )
        try:
            producer.produce(live, b"new")
            assert producer.flush(5.0) == 0
            messages = collect_messages(consumer, count=2, timeout_s=10.0)
            assert [m.value for m in messages if m.topic == live] == [b"recent", b"new"]
        finally:
            consumer.close()
        time.sleep(1.0)  # now nothing is younger than 0.5 s
        quiet = AssignedConsumer.create(
            kafka_settings,
            topics=[live, config],
            group_prefix="test",
            start_positions={live: "recent"},
            recent_s=0.5,
        )
        try:
            assert [m.value for m in quiet.poll_batch(timeout_s=1.0) if m.topic == live] == []
        finally:
            quiet.close()
    finally:
        producer.close()


# --- "first": some topics' history before the rest ------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def first_consumer(client: FakeConsumerClient, clock: Clock) -> AssignedConsumer:
    return make_consumer(
        client, start_positions={"config": "beginning"}, first=["config"], clock=clock
    )


def test_other_topics_wait_until_the_first_topics_history_is_read() -> None:
    clock = Clock()
    client = FakeConsumerClient(
        [metadata(live=2, config=1)],
        high_watermarks={("live", 0): 5, ("live", 1): 5, ("config", 0): 2},
        batches=[
            [RawMessage(topic_="config", offset_=0)],
            [RawMessage(topic_="config", offset_=1)],
        ],
    )
    consumer = first_consumer(client, clock)
    assert client.paused == {("live", 0), ("live", 1)}
    assert [m.offset for m in consumer.poll_batch()] == [0]
    assert client.paused == {("live", 0), ("live", 1)}  # one configuration message to go
    assert [m.offset for m in consumer.poll_batch()] == [1]
    assert client.paused == set()


def test_nothing_waits_when_the_first_topics_have_no_history() -> None:
    client = FakeConsumerClient(
        [metadata(live=1, config=1)], high_watermarks={("live", 0): 5, ("config", 0): 0}
    )
    first_consumer(client, Clock())
    assert client.paused == set()


def test_other_topics_wait_for_the_first_topics_no_longer_than_first_within_s() -> None:
    clock = Clock()
    client = FakeConsumerClient(
        [metadata(live=1, config=1)], high_watermarks={("live", 0): 5, ("config", 0): 2}
    )
    consumer = first_consumer(client, clock)
    consumer.poll_batch()
    assert client.paused == {("live", 0)}
    clock.now = 3.0  # DEFAULT_FIRST_WITHIN_S
    consumer.poll_batch()
    assert client.paused == set()


def test_first_naming_an_unconsumed_topic_is_rejected() -> None:
    with pytest.raises(ValueError, match="other"):
        make_consumer(FakeConsumerClient([metadata(live=1, config=1)]), first=["other"])
    with pytest.raises(ValueError, match="other"):
        InMemoryBroker(topics=["live"]).consumer(["live"], first=["other"])


def test_memory_consumer_reads_first_topics_before_the_others() -> None:
    broker = InMemoryBroker(topics=["live", "config"])
    producer = broker.producer()
    producer.produce("live", b"result")
    producer.produce("config", b"layout")
    consumer = broker.consumer(
        ["live", "config"],
        start_positions={"live": "recent", "config": "beginning"},
        first=["config"],
    )
    assert [m.value for m in consumer.poll_batch()] == [b"layout", b"result"]


def test_real_consumer_delivers_the_first_topics_history_before_the_rest(
    kafka_settings: KafkaSettings, instrument_topics: str
) -> None:
    live = topic_for(instrument_topics, StreamKind.DATA)
    config = topic_for(instrument_topics, StreamKind.LIVEDASH_CONFIG)
    producer = Producer.create(kafka_settings, client_id="test-first")
    try:
        # On Tansu a window holding every message of a partition reads as "nothing
        # recent" (ADR 0012), so the partition gets an old message first.
        producer.produce(live, b"old")
        assert producer.flush(5.0) == 0
        time.sleep(1.5)
        window_opened = time.time()
        for i in range(20):  # recent results, then the layout: the wrong order
            producer.produce(live, b"result %d" % i)
            assert producer.flush(5.0) == 0
        for i in range(3):
            producer.produce(config, b"layout %d" % i, key=b"k%d" % i)
            assert producer.flush(5.0) == 0
        consumer = AssignedConsumer.create(
            kafka_settings,
            topics=[live, config],
            group_prefix="test",
            start_positions={live: "recent", config: "beginning"},
            first=[config],
            recent_s=time.time() - window_opened + 0.5,
        )
        try:
            messages = collect_messages(consumer, count=23, timeout_s=10.0)
        finally:
            consumer.close()
        topics = [m.topic for m in messages]
        assert topics == [config] * 3 + [live] * 20
    finally:
        producer.close()


def test_with_wait_for_release_the_rest_waits_for_release_and_the_first_history() -> None:
    clock = Clock()
    client = FakeConsumerClient(
        [metadata(live=1, config=1)],
        high_watermarks={("live", 0): 5, ("config", 0): 1},
        batches=[[RawMessage(topic_="config", offset_=0)], []],
    )
    consumer = make_consumer(
        client,
        start_positions={"config": "beginning"},
        first=["config"],
        wait_for_release=True,
        clock=clock,
    )
    consumer.poll_batch()  # the history is read, but nobody released the rest
    assert client.paused == {("live", 0)}
    consumer.release()
    consumer.poll_batch()
    assert client.paused == set()


def test_an_unreleased_consumer_lets_the_rest_flow_after_first_within_s() -> None:
    clock = Clock()
    client = FakeConsumerClient(
        [metadata(live=1, config=1)], high_watermarks={("live", 0): 5, ("config", 0): 0}
    )
    consumer = make_consumer(client, first=["config"], wait_for_release=True, clock=clock)
    assert client.paused == {("live", 0)}
    consumer.poll_batch()
    assert client.paused == {("live", 0)}
    clock.now = 3.0
    consumer.poll_batch()
    assert client.paused == set()
