from __future__ import annotations

import pytest
from confluent_kafka import KafkaError, KafkaException

from livedash.kafka.errors import (
    BrokerUnavailableError,
    KafkaFatalError,
    KafkaLayerError,
    KafkaTransientError,
    MessageRejectedError,
    TopicsMissingError,
    classify,
    is_fatal,
    translate,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (KafkaError._ALL_BROKERS_DOWN, BrokerUnavailableError),
        (KafkaError._TRANSPORT, BrokerUnavailableError),
        (KafkaError._TIMED_OUT, BrokerUnavailableError),
        (KafkaError._MSG_TIMED_OUT, BrokerUnavailableError),
        (KafkaError._RESOLVE, BrokerUnavailableError),
        (KafkaError.LEADER_NOT_AVAILABLE, BrokerUnavailableError),
        (KafkaError.NOT_LEADER_FOR_PARTITION, BrokerUnavailableError),
        (KafkaError.UNKNOWN_TOPIC_OR_PART, TopicsMissingError),
        (KafkaError._UNKNOWN_TOPIC, TopicsMissingError),
        (KafkaError._UNKNOWN_PARTITION, TopicsMissingError),
        (KafkaError._AUTHENTICATION, KafkaFatalError),
        (KafkaError.SASL_AUTHENTICATION_FAILED, KafkaFatalError),
        (KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaFatalError),
        (KafkaError.GROUP_AUTHORIZATION_FAILED, KafkaFatalError),
        (KafkaError.CLUSTER_AUTHORIZATION_FAILED, KafkaFatalError),
        (KafkaError._SSL, KafkaFatalError),
        (KafkaError._INVALID_ARG, KafkaFatalError),
        (KafkaError.MSG_SIZE_TOO_LARGE, MessageRejectedError),
        (KafkaError.INVALID_MSG, MessageRejectedError),
        (KafkaError._PURGE_QUEUE, MessageRejectedError),
        (KafkaError._BAD_MSG, MessageRejectedError),
    ],
)
def test_error_codes_map_to_their_exception_type(code: int, expected: type) -> None:
    assert classify(KafkaError(code)) is expected


def test_librdkafka_fatal_flag_makes_any_error_fatal() -> None:
    assert classify(KafkaError(KafkaError._TRANSPORT, fatal=True)) is KafkaFatalError


def test_unknown_codes_are_transient() -> None:
    assert classify(KafkaError(KafkaError.REBALANCE_IN_PROGRESS)) is KafkaTransientError


def test_missing_topics_and_unreachable_broker_sit_on_the_right_side() -> None:
    assert issubclass(TopicsMissingError, KafkaFatalError)
    assert issubclass(BrokerUnavailableError, KafkaTransientError)
    assert issubclass(MessageRejectedError, KafkaTransientError)
    assert not issubclass(KafkaTransientError, KafkaFatalError)


def test_is_fatal_follows_classification() -> None:
    assert is_fatal(KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED))
    assert not is_fatal(KafkaError(KafkaError._ALL_BROKERS_DOWN))


def test_translate_unwraps_kafka_exception_and_keeps_code_and_reason() -> None:
    exc = KafkaException(KafkaError(KafkaError._TRANSPORT, "connection refused"))
    error = translate(exc, context="listing topics")
    assert isinstance(error, BrokerUnavailableError)
    assert error.code == KafkaError._TRANSPORT
    assert error.name == "_TRANSPORT"
    assert str(error) == "listing topics: connection refused (_TRANSPORT)"


def test_translate_attaches_topics_to_missing_topic_errors() -> None:
    error = translate(KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART), topics=["a", "b"])
    assert isinstance(error, TopicsMissingError)
    assert error.topics == ["a", "b"]
    assert "a, b" in str(error)


def test_translate_of_exception_without_kafka_error_is_transient() -> None:
    error = translate(KafkaException("odd"))
    assert type(error) is KafkaTransientError
    assert isinstance(error, KafkaLayerError)


def test_topics_missing_error_lists_topics_in_default_message() -> None:
    assert str(TopicsMissingError(topics=["x_livedata_data"])) == (
        "topics not found: x_livedata_data"
    )
