"""Fixtures shared by all test suites: the embedded Kafka broker and fresh topics.

A test that uses ``kafka_broker`` (directly or through ``kafka_settings`` or
``instrument_topics``) is marked ``integration`` automatically, so
``-m "not integration"`` runs everything that needs no broker.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from livedash.broker.tansu import EmbeddedBroker, free_port
from livedash.kafka.admin import delete_topics, ensure_topics
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import livedata_topic_specs

_BROKER_FIXTURES = {"kafka_broker", "kafka_settings", "instrument_topics"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _BROKER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[EmbeddedBroker]:
    """One Tansu broker (in-memory storage) on a free port for the whole session."""
    broker = EmbeddedBroker(port=free_port())
    broker.start()
    try:
        broker.wait_ready(timeout_s=30.0)
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_settings(kafka_broker: EmbeddedBroker) -> KafkaSettings:
    return KafkaSettings(bootstrap=kafka_broker.bootstrap)


@pytest.fixture
def instrument_topics(kafka_settings: KafkaSettings) -> Iterator[str]:
    """A fresh instrument name (``t`` + 8 hex digits) whose livedata topics exist.

    Fresh topics per test keep tests from seeing each other's messages (Tansu cannot
    delete records); they are deleted afterwards because Tansu keeps every message in
    memory until its topic is deleted.
    """
    instrument = f"t{uuid.uuid4().hex[:8]}"
    specs = livedata_topic_specs(instrument)
    ensure_topics(kafka_settings, specs, timeout_s=10.0)
    yield instrument
    delete_topics(kafka_settings, [spec.name for spec in specs], timeout_s=10.0)
