"""An in-memory stand-in for a Kafka cluster, for tests that need no broker.

:class:`InMemoryBroker` keeps every topic as lists of :class:`Message` per partition.
Its consumers and producers have the interface of
:class:`~livedash.kafka.consumer.AssignedConsumer` and
:class:`~livedash.kafka.producer.Producer` (see :mod:`livedash.kafka.transport`) and
follow the same rules: a consumer needs its topics to exist and, started at ``"end"``,
sees only messages produced after it was created; producing to a missing topic fails
(counted, not raised); use after ``close()`` raises :class:`ClosedError`.

Differences from the real thing: delivery is immediate (``flush`` always returns 0),
there is no size limit, and setting :attr:`InMemoryBroker.available` to ``False``
simulates an outage (deliveries fail, consumers receive nothing).
"""

from __future__ import annotations

import itertools
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal

import structlog

from ..protocol.topics import TopicSpec
from .consumer import ConsumerStats, topic_starts
from .errors import ClosedError, TopicsMissingError
from .message import Message

logger = structlog.get_logger(__name__)


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class InMemoryBroker:
    """Topics and their messages, shared by the consumers and producers it hands out.

    Thread safety: all state is guarded by one condition variable, which producers
    notify so that waiting consumers wake up.
    """

    def __init__(
        self,
        *,
        topics: Iterable[str | TopicSpec] = (),
        clock_ms: Callable[[], int] = _wall_clock_ms,
    ) -> None:
        self._cond = threading.Condition()
        self._partitions: dict[str, list[list[Message]]] = {}
        self._log: dict[str, list[Message]] = {}
        self._round_robin = itertools.count()
        self._clock_ms = clock_ms
        self.available = True
        for topic in topics:
            spec = topic if isinstance(topic, TopicSpec) else TopicSpec(topic)
            self.create_topic(spec.name, partitions=spec.partitions)

    def create_topic(self, name: str, *, partitions: int = 1) -> bool:
        """Create ``name`` unless it exists; return whether it was created."""
        if partitions < 1:
            raise ValueError(f"partitions must be at least 1, got {partitions!r}")
        with self._cond:
            if name in self._partitions:
                return False
            self._partitions[name] = [[] for _ in range(partitions)]
            self._log[name] = []
            return True

    def ensure_topics(self, specs: Sequence[TopicSpec]) -> list[str]:
        """Like :func:`livedash.kafka.admin.ensure_topics`: the names created."""
        return [s.name for s in specs if self.create_topic(s.name, partitions=s.partitions)]

    def topics(self) -> list[str]:
        with self._cond:
            return sorted(self._partitions)

    def messages(self, topic: str) -> list[Message]:
        """Every message of ``topic`` in the order it was produced."""
        with self._cond:
            if topic not in self._log:
                raise TopicsMissingError(topics=[topic])
            return list(self._log[topic])

    def consumer(
        self,
        topics: Sequence[str],
        *,
        start: Literal["end", "beginning"] = "end",
        start_positions: Mapping[str, Literal["end", "beginning"]] | None = None,
    ) -> InMemoryConsumer:
        """A consumer of all partitions of ``topics`` (:class:`TopicsMissingError` if any
        is missing), starting after the last message (``"end"``) or at the first;
        ``start_positions`` overrides ``start`` per topic, as in
        :meth:`AssignedConsumer.create <livedash.kafka.consumer.AssignedConsumer.create>`."""
        if start not in ("end", "beginning"):
            raise ValueError(f"start must be 'end' or 'beginning', got {start!r}")
        if not topics:
            raise ValueError("topics must not be empty")
        starts = topic_starts(topics, start, start_positions)
        with self._cond:
            missing = [t for t in topics if t not in self._partitions]
            if missing:
                raise TopicsMissingError(topics=missing)
            positions = {
                (topic, pid): (len(messages) if starts[topic] == "end" else 0)
                for topic in topics
                for pid, messages in enumerate(self._partitions[topic])
            }
        return InMemoryConsumer(broker=self, positions=positions)

    def producer(self, *, client_id: str = "memory") -> InMemoryProducer:
        return InMemoryProducer(broker=self, client_id=client_id)

    def _append(self, topic: str, value: bytes, key: bytes | None) -> Message | None:
        with self._cond:
            partitions = self._partitions.get(topic)
            if partitions is None or not self.available:
                return None
            if key is None:
                pid = next(self._round_robin) % len(partitions)
            else:
                pid = zlib.crc32(key) % len(partitions)
            message = Message(
                topic=topic,
                partition=pid,
                offset=len(partitions[pid]),
                value=bytes(value),
                key=key,
                timestamp_ms=self._clock_ms(),
            )
            partitions[pid].append(message)
            self._log[topic].append(message)
            self._cond.notify_all()
            return message

    def _read(
        self,
        positions: dict[tuple[str, int], int],
        max_messages: int,
        timeout_s: float,
        is_closed: Callable[[], bool],
    ) -> list[Message]:
        def pending() -> bool:
            return self.available and any(
                self._partitions[topic][pid][offset:] for (topic, pid), offset in positions.items()
            )

        with self._cond:
            self._cond.wait_for(lambda: is_closed() or pending(), timeout=timeout_s)
            if is_closed() or not self.available:
                return []
            batch: list[Message] = []
            for (topic, pid), offset in positions.items():
                taken = self._partitions[topic][pid][offset : offset + max_messages - len(batch)]
                batch.extend(taken)
                positions[(topic, pid)] = offset + len(taken)
                if len(batch) >= max_messages:
                    break
            return batch

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


class InMemoryConsumer:
    """The in-memory counterpart of :class:`~livedash.kafka.consumer.AssignedConsumer`.

    One thread polls; :meth:`close` may be called from any thread and wakes a waiting
    :meth:`poll_batch`, which then returns an empty batch.
    """

    def __init__(self, *, broker: InMemoryBroker, positions: dict[tuple[str, int], int]):
        self._broker = broker
        self._positions = positions
        self._closed = False
        self._received = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def stats(self) -> ConsumerStats:
        return ConsumerStats(received=self._received, errors={})

    def poll_batch(self, max_messages: int = 100, timeout_s: float = 0.05) -> list[Message]:
        if max_messages < 1:
            raise ValueError(f"max_messages must be at least 1, got {max_messages!r}")
        if self._closed:
            raise ClosedError("consumer is closed")
        batch = self._broker._read(self._positions, max_messages, timeout_s, lambda: self._closed)
        self._received += len(batch)
        return batch

    def close(self) -> None:
        self._closed = True
        self._broker._wake()


class InMemoryProducer:
    """The in-memory counterpart of :class:`~livedash.kafka.producer.Producer`.

    Delivery is immediate: ``delivered`` or ``failed`` (missing topic, broker
    unavailable) is updated before :meth:`produce` returns.
    """

    def __init__(self, *, broker: InMemoryBroker, client_id: str) -> None:
        self._broker = broker
        self._client_id = client_id
        self._lock = threading.Lock()
        self._closed = False
        self.delivered = 0
        self.failed = 0
        self.dropped = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def errors(self) -> dict[str, int]:
        return {"_MSG_TIMED_OUT": self.failed} if self.failed else {}

    def produce(self, topic: str, value: bytes, *, key: bytes | None = None) -> None:
        if self._closed:
            raise ClosedError("producer is closed")
        message = self._broker._append(topic, value, key)
        with self._lock:
            if message is None:
                self.failed += 1
            else:
                self.delivered += 1
        if message is None:
            logger.warning("delivery_failed", client=self._client_id, topic=topic)

    def poll(self, timeout_s: float = 0.0) -> None:
        if self._closed:
            raise ClosedError("producer is closed")

    def flush(self, timeout_s: float = 3.0) -> int:
        if self._closed:
            raise ClosedError("producer is closed")
        return 0

    def close(self, timeout_s: float = 5.0) -> None:
        self._closed = True
