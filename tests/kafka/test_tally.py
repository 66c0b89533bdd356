from __future__ import annotations

import pytest
from confluent_kafka import KafkaError
from structlog.testing import capture_logs

from livedash.kafka.errors import KafkaFatalError
from livedash.kafka.tally import ErrorTally


def transport_error() -> KafkaError:
    return KafkaError(KafkaError._TRANSPORT, "connection refused")


def test_every_error_is_counted_by_name() -> None:
    tally = ErrorTally(client="c")
    for _ in range(3):
        tally.on_error(transport_error())
    tally.on_error(KafkaError(KafkaError._ALL_BROKERS_DOWN))
    assert tally.counts() == {"_TRANSPORT": 3, "_ALL_BROKERS_DOWN": 1}


def test_repeated_transient_error_is_logged_once() -> None:
    tally = ErrorTally(client="c")
    with capture_logs() as logs:
        for _ in range(5):
            tally.on_error(transport_error())
    assert [entry["code"] for entry in logs] == ["_TRANSPORT"]
    assert logs[0]["log_level"] == "warning"


def test_error_is_logged_again_after_recovery() -> None:
    tally = ErrorTally(client="c")
    with capture_logs() as logs:
        tally.on_error(transport_error())
        tally.recovered()
        tally.on_error(transport_error())
    assert [entry["event"] for entry in logs] == ["kafka_error", "kafka_recovered", "kafka_error"]


def test_recovery_without_errors_logs_nothing() -> None:
    tally = ErrorTally(client="c")
    with capture_logs() as logs:
        tally.recovered()
    assert logs == []


def test_fatal_error_is_raised_on_every_later_check() -> None:
    tally = ErrorTally(client="c")
    tally.on_error(KafkaError(KafkaError._AUTHENTICATION, "bad password"))
    for _ in range(2):
        with pytest.raises(KafkaFatalError, match="bad password"):
            tally.raise_if_fatal()


def test_no_error_raises_nothing() -> None:
    ErrorTally(client="c").raise_if_fatal()
