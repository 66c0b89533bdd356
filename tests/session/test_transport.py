"""Where a session's consumer starts reading: live topics at the end, configuration at
the beginning."""

from __future__ import annotations

from livedash.session.topics import SessionTopics
from livedash.session.transport import memory_transport_factory

from .fakes import memory_broker

TOPICS = SessionTopics.for_instrument("dummy")
SESSION_ID = "0123abcd-0000-4000-8000-000000000000"


def test_session_topics_read_configuration_from_the_beginning_and_the_rest_from_the_end() -> None:
    assert TOPICS.livedash_config in TOPICS.consumed
    assert {t for t, start in TOPICS.start_positions.items() if start == "beginning"} == {
        TOPICS.livedash_config
    }
    assert set(TOPICS.start_positions) == set(TOPICS.consumed)


def test_memory_session_consumer_sees_earlier_configuration_but_no_earlier_data() -> None:
    broker = memory_broker()
    producer = broker.producer()
    for topic in TOPICS.consumed:
        producer.produce(topic, b"before", key=b"k")
    transport = memory_transport_factory(broker)(topics=TOPICS, session_id=SESSION_ID)
    producer.produce(TOPICS.data, b"after")
    received = transport.source.poll_batch(timeout_s=0.01)
    # Kafka orders messages per partition only.
    assert sorted((m.topic, m.value) for m in received) == sorted(
        [(TOPICS.livedash_config, b"before"), (TOPICS.data, b"after")]
    )
