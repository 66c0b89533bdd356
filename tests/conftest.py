"""Fixtures shared by all test suites: the embedded Kafka broker and fresh topics.

A test that uses ``kafka_broker`` (directly or through ``kafka_settings`` or
``instrument_topics``) is marked ``integration`` automatically, so
``-m "not integration"`` runs everything that needs no broker.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from livedash.broker.tansu import EmbeddedBroker, free_port
from livedash.kafka.admin import delete_topics, ensure_topics
from livedash.kafka.settings import KafkaSettings
from livedash.protocol.topics import livedata_topic_specs
from tests.browser import launch_chromium

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


@pytest.fixture
def instrument_name(
    instrument_topics: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch
) -> str:
    """``instrument_topics``, loadable as an instrument by this process and its children.

    Writes a copy of the packaged dummy instrument renamed to the fresh name into a
    temporary directory and puts that on ``LIVEDASH_INSTRUMENT_PATH``.
    """
    # Imported here so that this fixture stays a pure addition to the module.
    from pathlib import Path  # noqa: PLC0415

    from livedash.instruments import loader  # noqa: PLC0415

    packaged = Path(loader.__file__).parent / "data" / "dummy.json"
    directory = tmp_path_factory.mktemp("instruments")
    text = packaged.read_text(encoding="utf-8").replace("dummy", instrument_topics)
    (directory / f"{instrument_topics}.json").write_text(text, encoding="utf-8")
    monkeypatch.setenv(loader.INSTRUMENT_PATH_ENV, str(directory))
    return instrument_topics


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module (see tests/browser.py).

    Playwright's sync API keeps an event loop on the main thread while it is open: two
    instances cannot overlap, and tests that run their own event loop fail while one is
    open. Module scope closes it before the next module starts.
    """
    yield from launch_chromium()
