from __future__ import annotations

import threading
import time

import pytest

from livedash.kafka.errors import ClosedError, TopicsMissingError
from livedash.kafka.memory import InMemoryBroker
from livedash.kafka.transport import MessageSink, MessageSource
from livedash.protocol.topics import TopicSpec


def make_broker(*topics: str | TopicSpec) -> InMemoryBroker:
    return InMemoryBroker(topics=topics or ("data",), clock_ms=lambda: 1_700_000_000_000)


def test_consumer_at_end_sees_only_messages_produced_after_it() -> None:
    broker = make_broker()
    producer = broker.producer()
    producer.produce("data", b"old")
    consumer = broker.consumer(["data"])
    producer.produce("data", b"new")
    assert [m.value for m in consumer.poll_batch()] == [b"new"]


def test_consumer_at_beginning_sees_history() -> None:
    broker = make_broker()
    producer = broker.producer()
    producer.produce("data", b"a")
    producer.produce("data", b"b")
    consumer = broker.consumer(["data"], start="beginning")
    assert [m.value for m in consumer.poll_batch()] == [b"a", b"b"]


def test_consumer_of_missing_topic_names_it() -> None:
    broker = make_broker("data")
    with pytest.raises(TopicsMissingError) as info:
        broker.consumer(["data", "absent"])
    assert info.value.topics == ["absent"]


def test_messages_carry_topic_offsets_key_and_timestamp() -> None:
    broker = make_broker()
    consumer = broker.consumer(["data"])
    producer = broker.producer()
    producer.produce("data", b"x", key=b"k")
    producer.produce("data", b"y", key=b"k")
    first, second = consumer.poll_batch()
    assert (first.topic, first.offset, first.key, first.timestamp_ms) == (
        "data",
        0,
        b"k",
        1_700_000_000_000,
    )
    assert second.offset == 1
    assert second.partition == first.partition


def test_consumer_reads_every_partition() -> None:
    broker = make_broker(TopicSpec("data", partitions=3))
    consumer = broker.consumer(["data"])
    producer = broker.producer()
    for i in range(6):
        producer.produce("data", b"%d" % i)
    messages = consumer.poll_batch()
    assert {m.partition for m in messages} == {0, 1, 2}
    assert len(messages) == 6


def test_poll_batch_returns_at_most_max_messages() -> None:
    broker = make_broker()
    consumer = broker.consumer(["data"])
    producer = broker.producer()
    for i in range(5):
        producer.produce("data", b"%d" % i)
    assert len(consumer.poll_batch(max_messages=2)) == 2
    assert len(consumer.poll_batch(max_messages=10)) == 3


def test_poll_batch_wakes_for_message_from_another_thread() -> None:
    broker = make_broker()
    consumer = broker.consumer(["data"])
    producer = broker.producer()
    thread = threading.Thread(target=producer.produce, args=("data", b"late"))
    started = time.monotonic()
    thread.start()
    batch = consumer.poll_batch(timeout_s=10.0)
    thread.join()
    assert [m.value for m in batch] == [b"late"]
    assert time.monotonic() - started < 5.0


def test_close_wakes_a_waiting_poll() -> None:
    broker = make_broker()
    consumer = broker.consumer(["data"])
    result: list[list[object]] = []
    thread = threading.Thread(target=lambda: result.append(consumer.poll_batch(timeout_s=30.0)))
    thread.start()
    consumer.close()
    thread.join(timeout=5.0)
    assert not thread.is_alive()
    assert result == [[]]


def test_poll_after_close_raises_and_close_is_idempotent() -> None:
    consumer = make_broker().consumer(["data"])
    consumer.close()
    consumer.close()
    assert consumer.closed
    with pytest.raises(ClosedError):
        consumer.poll_batch()


def test_producing_to_missing_topic_counts_a_failure() -> None:
    broker = make_broker()
    producer = broker.producer()
    producer.produce("absent", b"x")
    producer.produce("data", b"y")
    assert (producer.delivered, producer.failed) == (1, 1)
    assert "absent" not in broker.topics()


def test_unavailable_broker_fails_deliveries_and_delivers_nothing() -> None:
    broker = make_broker()
    consumer = broker.consumer(["data"])
    producer = broker.producer()
    broker.available = False
    producer.produce("data", b"lost")
    assert producer.failed == 1
    assert consumer.poll_batch() == []


def test_produce_after_close_raises() -> None:
    producer = make_broker().producer()
    producer.close()
    producer.close()
    with pytest.raises(ClosedError):
        producer.produce("data", b"x")


def test_flush_reports_nothing_outstanding() -> None:
    producer = make_broker().producer()
    producer.produce("data", b"x")
    assert producer.flush(1.0) == 0


def test_ensure_topics_is_idempotent() -> None:
    broker = InMemoryBroker()
    specs = [TopicSpec("a"), TopicSpec("b", partitions=2)]
    assert broker.ensure_topics(specs) == ["a", "b"]
    assert broker.ensure_topics(specs) == []


def test_messages_lists_a_topic_in_production_order() -> None:
    broker = make_broker(TopicSpec("data", partitions=2))
    producer = broker.producer()
    for value in (b"1", b"2", b"3"):
        producer.produce("data", value)
    assert [m.value for m in broker.messages("data")] == [b"1", b"2", b"3"]


def test_fake_clients_satisfy_the_transport_protocols() -> None:
    broker = make_broker()
    assert isinstance(broker.consumer(["data"]), MessageSource)
    assert isinstance(broker.producer(), MessageSink)
