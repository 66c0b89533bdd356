"""A session's own Kafka client pair, and factories for the real and in-memory brokers.

Each session reads the data and status topics from the last few seconds, responses and
commands from their high watermark, and the configuration topic from the beginning
(:attr:`SessionTopics.start_positions`; configuration and status history first,
:attr:`SessionTopics.read_first`, and the rest once the stack releases it, having
applied the layout), with its own consumer (no group, assign() of
every partition); it writes commands, its heartbeat and configuration documents with its
own producer (ARCHITECTURE.md, "The session stack"). The consumer's prefetch queue is
kept small (``queued_max_kbytes``, 1 MiB) because one worker hosts many sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..kafka.consumer import AssignedConsumer
from ..kafka.memory import InMemoryBroker
from ..kafka.producer import Producer
from ..kafka.settings import KafkaSettings
from ..kafka.transport import MessageSink, MessageSource
from .topics import SessionTopics

SESSION_QUEUED_MAX_KBYTES = 1024
SESSION_GROUP_PREFIX = "livedash_session"


@dataclass(frozen=True)
class SessionTransport:
    """The consumer and producer one session owns (both closed by the session)."""

    source: MessageSource
    sink: MessageSink


class TransportFactory(Protocol):
    """Builds the client pair of a new session."""

    def __call__(self, *, topics: SessionTopics, session_id: str) -> SessionTransport: ...


def _client_id(session_id: str) -> str:
    return f"livedash-session-{session_id[:8]}"


def kafka_transport_factory(
    settings: KafkaSettings, *, queued_max_kbytes: int = SESSION_QUEUED_MAX_KBYTES
) -> TransportFactory:
    """Sessions talk to the broker of ``settings``.

    Creating a transport waits for the partition leaders and raises the Kafka layer's
    errors (for example :class:`~livedash.kafka.errors.TopicsMissingError`).
    """

    def create(*, topics: SessionTopics, session_id: str) -> SessionTransport:
        consumer = AssignedConsumer.create(
            settings,
            topics=topics.consumed,
            group_prefix=SESSION_GROUP_PREFIX,
            queued_max_kbytes=queued_max_kbytes,
            start="end",
            start_positions=topics.start_positions,
            first=topics.read_first,
            wait_for_release=True,
        )
        try:
            producer = Producer.create(settings, client_id=_client_id(session_id))
        except BaseException:
            consumer.close()
            raise
        return SessionTransport(source=consumer, sink=producer)

    return create


def memory_transport_factory(broker: InMemoryBroker) -> TransportFactory:
    """Sessions talk to ``broker`` (tests and in-process demos)."""

    def create(*, topics: SessionTopics, session_id: str) -> SessionTransport:
        consumer = broker.consumer(
            topics.consumed,
            start="end",
            start_positions=topics.start_positions,
            first=topics.read_first,
            wait_for_release=True,
        )
        return SessionTransport(
            source=consumer, sink=broker.producer(client_id=_client_id(session_id))
        )

    return create
