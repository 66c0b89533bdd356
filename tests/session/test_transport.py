"""Where a session's consumer starts reading: data and status from the last seconds,
commands and responses at the end, configuration at the beginning."""

from __future__ import annotations

from livedash.session.topics import SessionTopics
from livedash.session.transport import memory_transport_factory

from .fakes import memory_broker

TOPICS = SessionTopics.for_instrument("dummy")
SESSION_ID = "0123abcd-0000-4000-8000-000000000000"


def test_session_topics_start_positions() -> None:
    assert set(TOPICS.start_positions) == set(TOPICS.consumed)
    assert TOPICS.start_positions == {
        TOPICS.data: "recent",
        TOPICS.status: "recent",
        TOPICS.responses: "end",
        TOPICS.commands: "end",
        TOPICS.livedash_config: "beginning",
    }


def test_memory_session_consumer_sees_configuration_and_recent_data_but_no_old_news() -> None:
    now_ms = [0]
    broker = memory_broker(clock_ms=lambda: now_ms[0])
    producer = broker.producer()
    for topic in TOPICS.consumed:
        producer.produce(topic, b"long ago", key=b"k")
    now_ms[0] = 60_000
    for topic in TOPICS.consumed:
        producer.produce(topic, b"just now", key=b"k")
    now_ms[0] = 61_000
    transport = memory_transport_factory(broker)(topics=TOPICS, session_id=SESSION_ID)
    producer.produce(TOPICS.data, b"after")
    # Configuration and status first; the rest once the stack has applied the layout.
    first = transport.source.poll_batch(timeout_s=0.01)
    assert [(m.topic, m.value) for m in first] == [
        (TOPICS.livedash_config, b"long ago"),
        (TOPICS.livedash_config, b"just now"),
        (TOPICS.status, b"just now"),
    ]
    assert transport.source.poll_batch(timeout_s=0.01) == []
    transport.source.release()
    rest = transport.source.poll_batch(timeout_s=0.01)
    assert [(m.topic, m.value) for m in rest] == [
        (TOPICS.data, b"just now"),
        (TOPICS.data, b"after"),
    ]
