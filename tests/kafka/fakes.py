"""Stand-ins for confluent_kafka clients, for unit tests of the classes wrapping them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import confluent_kafka
from confluent_kafka import KafkaError, KafkaException, TopicPartition


@dataclass
class FakePartition:
    leader: int = 1
    error: KafkaError | None = None


@dataclass
class FakeTopic:
    partitions: dict[int, FakePartition]
    error: KafkaError | None = None


@dataclass
class FakeMetadata:
    topics: dict[str, FakeTopic]


def metadata(**topics: int) -> FakeMetadata:
    """Metadata with the given topics, each with that many partitions, all led."""
    return FakeMetadata(
        {name: FakeTopic({p: FakePartition() for p in range(n)}) for name, n in topics.items()}
    )


@dataclass
class RawMessage:
    """What ``confluent_kafka.Consumer.consume`` returns, reduced to what is read."""

    topic_: str | None = "t"
    partition_: int = 0
    offset_: int = 0
    value_: bytes | None = b"v"
    key_: bytes | None = None
    timestamp_: tuple[int, int] = (confluent_kafka.TIMESTAMP_CREATE_TIME, 1_700_000_000_000)
    error_: KafkaError | None = None

    def error(self) -> KafkaError | None:
        return self.error_

    def topic(self) -> str | None:
        return self.topic_

    def partition(self) -> int:
        return self.partition_

    def offset(self) -> int:
        return self.offset_

    def value(self) -> bytes | None:
        return self.value_

    def key(self) -> bytes | None:
        return self.key_

    def timestamp(self) -> tuple[int, int]:
        return self.timestamp_


def error_message(code: int, topic: str | None = "t") -> RawMessage:
    return RawMessage(topic_=topic, error_=KafkaError(code))


@dataclass
class FakeConsumerClient:
    """A librdkafka consumer: scripted metadata answers and ``consume`` results.

    ``metadata_answers`` are returned (or raised) in order, the last one repeatedly.
    A ``batches`` entry is a list of raw messages, an exception to raise, or a callable
    run inside ``consume`` (to fire ``error_cb`` as librdkafka would).
    """

    metadata_answers: list[FakeMetadata | Exception]
    high_watermarks: dict[tuple[str, int], int] = field(default_factory=dict)
    # What librdkafka remembers from the latest fetch response (``cached=True``).
    fetched_watermarks: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    # Kafka timestamps (ms) of each partition's messages by offset, for offsets_for_times,
    # and what the broker answers when no message is that late (Kafka -1, Tansu 0).
    timestamps: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    no_offset_answer: int = -1
    time_queries: list[tuple[str, int, int]] = field(default_factory=list)
    assignments: list[list[TopicPartition]] = field(default_factory=list)
    batches: list[list[RawMessage] | Exception | Callable[[dict[str, Any]], None]] = field(
        default_factory=list
    )
    config: dict[str, Any] = field(default_factory=dict)
    assignment: list[TopicPartition] | None = None
    paused: set[tuple[str, int]] = field(default_factory=set)
    close_calls: int = 0
    metadata_calls: int = 0

    def factory(self, config: dict[str, Any]) -> FakeConsumerClient:
        self.config = config
        return self

    def list_topics(self, topic: str | None = None, timeout: float = -1) -> FakeMetadata:
        if topic is not None:
            raise AssertionError("a named metadata request would auto-create the topic")
        self.metadata_calls += 1
        answer = self.metadata_answers[0]
        if len(self.metadata_answers) > 1:
            self.metadata_answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def get_watermark_offsets(
        self, partition: TopicPartition, timeout: float = -1, cached: bool = False
    ) -> tuple[int, int]:
        key = (partition.topic, partition.partition)
        if cached:
            return self.fetched_watermarks.get(key, (-1001, -1001))  # as before any fetch
        return 0, self.high_watermarks.get(key, 0)

    def offsets_for_times(
        self, partitions: list[TopicPartition], timeout: float = -1
    ) -> list[TopicPartition]:
        answers = []
        for tp in partitions:
            self.time_queries.append((tp.topic, tp.partition, tp.offset))
            stamps = self.timestamps.get((tp.topic, tp.partition), [])
            found = next(
                (i for i, stamp in enumerate(stamps) if stamp >= tp.offset), self.no_offset_answer
            )
            answers.append(TopicPartition(tp.topic, tp.partition, found))
        return answers

    def pause(self, partitions: list[TopicPartition]) -> None:
        self.paused |= {(tp.topic, tp.partition) for tp in partitions}

    def resume(self, partitions: list[TopicPartition]) -> None:
        self.paused -= {(tp.topic, tp.partition) for tp in partitions}

    def assign(self, partitions: list[TopicPartition]) -> None:
        self.paused = set()
        self.assignment = partitions
        self.assignments.append(partitions)

    def consume(self, num_messages: int = 1, timeout: float = -1) -> list[RawMessage]:
        if not self.batches:
            return []
        entry = self.batches.pop(0)
        if isinstance(entry, Exception):
            raise entry
        if callable(entry):
            entry(self.config)
            return []
        return entry[:num_messages]

    def close(self) -> None:
        self.close_calls += 1


def transport_exception() -> KafkaException:
    return KafkaException(KafkaError(KafkaError._TRANSPORT, "connection refused"))


@dataclass
class _Pending:
    topic: str
    value: bytes
    key: bytes | None
    on_delivery: Callable[[KafkaError | None, Any], None]


@dataclass
class FakeDeliveredMessage:
    topic_: str

    def topic(self) -> str:
        return self.topic_


@dataclass
class FakeProducerClient:
    """A librdkafka producer that queues messages until the test delivers them."""

    produce_error: BaseException | None = None
    pending: list[_Pending] = field(default_factory=list)
    closed: bool = False
    purged: int = 0

    def produce(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        on_delivery: Callable[[KafkaError | None, Any], None] | None = None,
    ) -> None:
        if self.produce_error is not None:
            raise self.produce_error
        assert on_delivery is not None
        self.pending.append(_Pending(topic, value or b"", key, on_delivery))

    def deliver(self, err: KafkaError | None = None) -> None:
        item = self.pending.pop(0)
        item.on_delivery(err, FakeDeliveredMessage(item.topic))

    def poll(self, timeout: float = 0) -> int:
        return 0

    def flush(self, timeout: float = -1) -> int:
        return len(self.pending)

    def purge(self) -> None:
        while self.pending:
            self.purged += 1
            self.deliver(KafkaError(KafkaError._PURGE_QUEUE))

    def close(self) -> None:
        self.closed = True
