from __future__ import annotations

import confluent_kafka
import pytest
from confluent_kafka import KafkaError, KafkaException

from livedash.kafka.errors import ClosedError, KafkaFatalError
from livedash.kafka.producer import Producer, producer_config
from livedash.kafka.settings import KafkaSettings
from livedash.kafka.tally import ErrorTally
from livedash.kafka.transport import MessageSink

from .fakes import FakeProducerClient

SETTINGS = KafkaSettings(bootstrap="127.0.0.1:9092")


def make_producer() -> tuple[Producer, FakeProducerClient]:
    client = FakeProducerClient()
    producer = Producer(client=client, client_id="test", tally=ErrorTally(client="test"))
    return producer, client


def test_delivery_reports_are_counted() -> None:
    producer, client = make_producer()
    for _ in range(3):
        producer.produce("t", b"x")
    client.deliver()
    client.deliver()
    client.deliver(KafkaError(KafkaError._MSG_TIMED_OUT))
    assert (producer.delivered, producer.failed, producer.dropped) == (2, 1, 0)
    assert producer.errors == {"_MSG_TIMED_OUT": 1}


def test_full_queue_drops_the_message() -> None:
    producer, client = make_producer()
    client.produce_error = BufferError("queue full")
    producer.produce("t", b"x")
    assert (producer.dropped, producer.failed) == (1, 0)


def test_message_refused_at_produce_is_counted_not_raised() -> None:
    producer, client = make_producer()
    client.produce_error = KafkaException(KafkaError(KafkaError.MSG_SIZE_TOO_LARGE))
    producer.produce("t", b"x")
    assert producer.failed == 1


def test_a_message_to_a_missing_topic_fails_and_the_producer_stays_usable() -> None:
    producer, client = make_producer()
    client.produce_error = KafkaException(KafkaError(KafkaError._UNKNOWN_TOPIC))
    producer.produce("absent", b"x")
    client.produce_error = None
    producer.produce("t", b"y")
    assert producer.failed == 1
    assert producer.errors == {"_UNKNOWN_TOPIC": 1}


def test_fatal_delivery_error_is_raised_by_the_next_call() -> None:
    producer, client = make_producer()
    producer.produce("t", b"x")
    client.deliver(KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED))
    with pytest.raises(KafkaFatalError):
        producer.produce("t", b"y")


def test_close_purges_undelivered_messages_as_failed() -> None:
    producer, client = make_producer()
    producer.produce("t", b"x")
    producer.produce("t", b"y")
    client.deliver()
    producer.close(timeout_s=0.01)
    assert (producer.delivered, producer.failed) == (1, 1)
    assert client.purged == 1
    assert client.closed


def test_use_after_close_raises_and_close_is_idempotent() -> None:
    producer, _ = make_producer()
    producer.close()
    producer.close()
    assert producer.closed
    with pytest.raises(ClosedError):
        producer.produce("t", b"x")
    with pytest.raises(ClosedError):
        producer.flush(1.0)


def test_flush_returns_outstanding_count() -> None:
    producer, _ = make_producer()
    producer.produce("t", b"x")
    assert producer.flush(0.01) == 1


def test_producer_satisfies_message_sink() -> None:
    producer, _ = make_producer()
    assert isinstance(producer, MessageSink)


def test_config_disables_auto_create_and_bounds_delivery_time() -> None:
    config = producer_config(SETTINGS, client_id="c", delivery_timeout_s=2.5)
    assert config["allow.auto.create.topics"] is False
    assert config["message.timeout.ms"] == 2500
    assert config["message.max.bytes"] == 100_971_520


def test_config_is_accepted_by_librdkafka() -> None:
    confluent_kafka.Producer(producer_config(SETTINGS, client_id="c")).close()


def test_create_rejects_empty_client_id() -> None:
    with pytest.raises(ValueError, match="client_id"):
        Producer.create(SETTINGS, client_id="")
